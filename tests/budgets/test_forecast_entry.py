"""The finance officer's forecast page, the rules behind it, and the audit trail."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from budgets.models import AuditEntry, BudgetLine, Forecast, Period, SignOff
from budgets.services import Conflict, forecast_save
from tests.parsed_html import parse

pytestmark = pytest.mark.django_db
URL = "/budgets/CYP/CSC/forecast/?year=2018/19&period=6"


def p6():
    return Period.objects.select_related("year").get(year__start_year=2018, number=6)


def line(code="CSC-STF-RA"):
    return BudgetLine.objects.select_related("service").get(code=code)


def form_for(client, **changes):
    """The page's form as the browser would post it, with `changes` typed in."""
    html = client.get(URL).content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    data = {"year": "2018/19", "period": "6"}
    for forecast in Forecast.objects.filter(period=p6(), line__service__code="CSC"):
        key = forecast.line_id
        data[f"outturn-{key}"] = data[f"original-{key}"] = str(forecast.outturn)
        data[f"commentary-{key}"] = data[f"original-commentary-{key}"] = forecast.commentary
        data[f"version-{key}"] = str(forecast.version)
    for code, (outturn, commentary) in changes.items():
        key = line(code).pk
        data[f"outturn-{key}"] = outturn
        data[f"commentary-{key}"] = commentary
    return data


def test_the_page_lists_each_line_with_budget_actuals_forecasts_and_totals(client_for, finance):
    html = client_for(finance).get(URL).content.decode()
    for heading in [
        "Revised budget",
        "Actuals to date",
        "Last period's forecast",
        "Forecast outturn",
        "Variance",
        "Movement",
        "Commentary",
    ]:
        assert heading in html
    assert "Children&#x27;s placements total" in html
    assert "Children&#x27;s Social Care total" in html
    assert 'id="outturn-' in html  # editable for the assigned officer


def test_readers_see_figures_but_no_inputs(client_for, scrutiny):
    html = client_for(scrutiny).get(URL).content.decode()
    assert "Forecast outturn" in html
    assert 'id="outturn-' not in html


def test_a_saved_forecast_changes_the_figure_bumps_the_version_and_is_audited(client_for, finance):
    client = client_for(finance)
    before = Forecast.objects.get(line=line(), period=p6())
    new = before.outturn + 1000
    response = client.post(URL, form_for(client, **{"CSC-STF-RA": (f"{new:,}", "Agency cover")}))
    assert response.status_code == 302
    after = Forecast.objects.get(pk=before.pk)
    assert (after.outturn, after.version, after.commentary) == (
        new,
        before.version + 1,
        "Agency cover",
    )
    entry = AuditEntry.objects.get(object_id=str(before.pk), field="outturn", action="update")
    assert (entry.user, entry.source, Decimal(entry.old_value), Decimal(entry.new_value)) == (
        finance,
        "page",
        before.outturn,
        new,
    )


def test_a_big_movement_needs_commentary(client_for, finance, settings):
    client = client_for(finance)
    before = Forecast.objects.get(line=line(), period=p6()).outturn
    big = before + settings.CSC_COMMENTARY_THRESHOLD + 1
    response = client.post(URL, form_for(client, **{"CSC-STF-RA": (str(big), "")}))
    assert response.status_code == 400
    assert b"govuk-error-summary" in response.content
    assert b"explain why the forecast moved" in response.content
    assert Forecast.objects.get(line=line(), period=p6()).outturn == before


def test_text_in_the_forecast_is_refused_with_an_error_summary(client_for, finance):
    client = client_for(finance)
    response = client.post(URL, form_for(client, **{"CSC-STF-RA": ("lots", "x")}))
    assert response.status_code == 400
    assert b'href="#outturn-' in response.content


def test_the_second_of_two_concurrent_edits_is_refused_showing_the_first(client_for, finance):
    from django.test import Client

    first, second = client_for(finance), Client()
    second.force_login(finance)
    form_one = form_for(first, **{"CSC-STF-RA": ("2400000", "first")})
    form_two = form_for(second, **{"CSC-STF-RA": ("2500000", "second")})
    assert first.post(URL, form_one).status_code == 302
    response = second.post(URL, form_two)
    assert response.status_code == 400
    assert "saved £2,400,000.00" in response.content.decode()
    assert Forecast.objects.get(line=line(), period=p6()).outturn == Decimal("2400000")


def test_a_save_without_the_version_it_was_based_on_is_refused(finance):
    with pytest.raises(Conflict):
        forecast_save(
            user=finance,
            line=line(),
            period=p6(),
            outturn=Decimal("1"),
            commentary="x",
            based_on_version=None,
        )


def test_another_services_officer_cannot_save(client_for, other_finance, finance):
    data = form_for(client_for(finance), **{"CSC-STF-RA": ("1", "x")})
    client = client_for(other_finance)
    assert client.post(URL, data).status_code == 404  # the service is not theirs to see
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        forecast_save(
            user=other_finance,
            line=line(),
            period=p6(),
            outturn=Decimal("1"),
            commentary="x",
            based_on_version=1,
        )


def test_a_closed_period_refuses_the_page(client_for, finance):
    url = "/budgets/CYP/CSC/forecast/?year=2018/19&period=5"
    client = client_for(finance)
    html = client.get(url).content.decode()
    assert "Period closed" in html and 'id="outturn-' not in html
    assert client.post(url, {"year": "2018/19", "period": "5"}).status_code == 403


def test_a_closed_period_refuses_the_orm_path_the_admin_uses():
    forecast = Forecast.objects.get(line=line(), period__year__start_year=2018, period__number=5)
    forecast.outturn += 1
    with pytest.raises(IntegrityError, match="closed period"), transaction.atomic():
        forecast.save()
    with pytest.raises(IntegrityError, match="closed period"), transaction.atomic():
        Forecast.objects.filter(period__year__start_year=2017).delete()


def test_copy_forward_starts_the_period_from_last_periods_forecasts(client_for, finance):
    Forecast.objects.filter(period=p6(), line__service__code="CSC").delete()
    client = client_for(finance)
    response = client.post(
        "/budgets/CYP/CSC/forecast/copy-forward/", {"year": "2018/19", "period": "6"}
    )
    assert response.status_code == 302
    copied = Forecast.objects.filter(period=p6(), line__service__code="CSC")
    assert copied.count() == 18
    p5 = Forecast.objects.get(line=line(), period__year__start_year=2018, period__number=5)
    assert copied.get(line=line()).outturn == p5.outturn
    assert AuditEntry.objects.filter(action="copy forward").count() == 18


def test_submit_then_a_different_director_signs_off(client_for, finance, director):
    base = "/budgets/CYP/CSC/forecast/"
    data = {"year": "2018/19", "period": "6"}
    assert client_for(finance).post(base + "submit/", data).status_code == 302
    assert SignOff.objects.get(period=p6()).status == "submitted"
    # Submitted: the officer can no longer change it.
    assert 'id="outturn-' not in client_for(finance).get(URL).content.decode()
    assert client_for(director).post(base + "sign-off/", data).status_code == 302
    sign_off = SignOff.objects.get(period=p6())
    assert (sign_off.status, sign_off.signed_off_by) == ("signed_off", director)
    assert set(
        AuditEntry.objects.filter(object_type="budgets.SignOff").values_list("action", flat=True)
    ) == {"submit", "sign off"}


def test_the_submitter_cannot_sign_off_their_own_forecast(finance):
    from django.contrib.auth.models import Group
    from django.core.exceptions import PermissionDenied

    from budgets.services import forecast_sign_off, forecast_submit

    finance.groups.add(Group.objects.get(name="Director"))
    finance._csc_roles = None
    forecast_submit(user=finance, service=line().service, period=p6())
    with pytest.raises(PermissionDenied):
        forecast_sign_off(user=finance, service=line().service, period=p6())
    with pytest.raises(IntegrityError), transaction.atomic():
        SignOff.objects.filter(period=p6()).update(
            status="signed_off", signed_off_by=finance, signed_off_at="2018-10-01T00:00Z"
        )


def test_a_director_can_return_a_submitted_forecast_with_a_reason(client_for, finance, director):
    base = "/budgets/CYP/CSC/forecast/"
    data = {"year": "2018/19", "period": "6"}
    client_for(finance).post(base + "submit/", data)
    client_for(director).post(base + "return/", {**data, "reason": "Placements too low"})
    sign_off = SignOff.objects.get(period=p6())
    assert (sign_off.status, sign_off.returned_by, sign_off.return_reason) == (
        "returned",
        director,
        "Placements too low",
    )
    assert AuditEntry.objects.get(action="return").reason == "Placements too low"
    # Returned: the officer can change it again.
    assert 'id="outturn-' in client_for(finance).get(URL).content.decode()


def test_an_administrator_reopens_a_closed_period_only_with_a_reason(client_for, administrator):
    client = client_for(administrator)
    p5 = Period.objects.get(year__start_year=2018, number=5)
    client.post("/budgets/periods/", {"period_id": p5.pk, "action": "reopen", "reason": ""})
    assert Period.objects.get(pk=p5.pk).status == "closed"
    client.post(
        "/budgets/periods/", {"period_id": p5.pk, "action": "reopen", "reason": "Late journal"}
    )
    assert Period.objects.get(pk=p5.pk).status == "open"
    entry = AuditEntry.objects.get(action="reopen")
    assert (entry.reason, entry.old_value, entry.new_value) == ("Late journal", "closed", "open")
    client.post("/budgets/periods/", {"period_id": p5.pk, "action": "close"})
    assert Period.objects.get(pk=p5.pk).status == "closed"
    assert AuditEntry.objects.filter(action="close").exists()


def test_only_administrators_manage_periods(client_for, director):
    assert client_for(director).get("/budgets/periods/").status_code == 403


def test_the_history_page_shows_who_changed_what_and_why(client_for, finance, scrutiny):
    client = client_for(finance)
    client.post(URL, form_for(client, **{"CSC-STF-RA": ("2700000", "MASH agency cover")}))
    html = client_for(scrutiny).get("/budgets/lines/CSC-STF-RA/history/?year=2018/19&period=6")
    html = html.content.decode()
    assert "MASH agency cover" in html
    assert "2700000" in html


def test_admin_changes_to_budgets_and_role_assignments_are_audited(
    client_for, administrator, finance
):
    from budgets.models import Budget, Service

    client = client_for(administrator)
    budget = Budget.objects.get(line=line(), year__start_year=2018)
    response = client.post(
        f"/admin/budgets/budget/{budget.pk}/change/",
        {
            "line": budget.line_id,
            "year": budget.year_id,
            "original": "2310000.00",
            "revised": "2400000.00",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(object_type="budgets.Budget", field="revised")
    assert (entry.source, entry.old_value, entry.new_value) == ("admin", "2310000.00", "2400000.00")
    csc = Service.objects.get(code="CSC")
    response = client.post(
        f"/admin/budgets/service/{csc.pk}/change/",
        {
            "directorate": csc.directorate_id,
            "code": "CSC",
            "name": csc.name,
            "finance_officers": [],
        },
    )
    assert response.status_code == 302
    assert AuditEntry.objects.get(action="unassign", field="finance_officers").old_value == str(
        finance
    )
    from django.contrib.auth.models import Group

    response = client.post(
        f"/admin/auth/user/{finance.pk}/change/",
        {
            "username": "finance",
            "first_name": "Fiona",
            "last_name": "Finance",
            "email": "",
            "is_active": "on",
            "groups": [Group.objects.get(name="Director").pk],
            "date_joined_0": "2018-04-01",
            "date_joined_1": "00:00:00",
            "initial-date_joined_0": "2018-04-01",
            "initial-date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    actions = set(
        AuditEntry.objects.filter(field="groups").values_list("action", "new_value", "old_value")
    )
    assert ("assign", "Director", "") in actions
    assert ("unassign", "", "Finance officer") in actions


def test_the_page_makes_the_same_number_of_queries_however_many_lines(client_for, finance):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(finance)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx)

    before = queries()
    csc = line().service
    BudgetLine.objects.bulk_create(
        BudgetLine(
            code=f"CSC-NEW-{i}", name=f"New {i}", service=csc, area_of_spend_id="other_costs"
        )
        for i in range(30)
    )
    assert queries() == before


def a_million_for_each_line(period, lines):
    """A stand-in for another app's comparison, plugged in through settings."""
    return {line.pk: Decimal("1000000") for line in lines}


a_million_for_each_line.label = "Test comparison"


def test_comparison_figures_from_settings_sit_beside_the_forecast_with_the_difference(
    client_for, scrutiny, settings
):
    from budgets.formatting import pounds

    settings.CSC_FORECAST_COMPARISONS = [
        "tests.budgets.test_forecast_entry.a_million_for_each_line"
    ]
    grid = parse(client_for(scrutiny).get(URL).content).find("table", id="forecast-grid")
    assert {"Test comparison", "Test comparison minus forecast"} <= set(grid.rows()[0])
    outturn = Forecast.objects.get(line=line(), period=p6()).outturn
    row = grid.record("CSC-STF-RA")
    assert row["Test comparison"] == pounds(Decimal("1000000"))
    gap = Decimal("1000000") - outturn
    wide = abs(gap) > settings.CSC_COMMENTARY_THRESHOLD
    tag = f" Gap over {pounds(settings.CSC_COMMENTARY_THRESHOLD)}" if wide else ""
    assert row["Test comparison minus forecast"] == pounds(gap) + tag


def test_the_page_refuses_a_save_that_does_not_say_which_version_it_was_based_on(
    client_for, finance
):
    client = client_for(finance)
    data = form_for(client, **{"CSC-STF-RA": ("2400000", "x")})
    del data[f"version-{line().pk}"]
    response = client.post(URL, data)
    assert response.status_code == 400
    assert "the page is out of date" in response.content.decode()
    assert Forecast.objects.get(line=line(), period=p6()).outturn != Decimal("2400000")


def test_the_budgets_page_shows_which_forecasts_await_sign_off(client_for, finance, director):
    from budgets.services import forecast_submit

    forecast_submit(user=finance, service=line().service, period=p6())
    page = parse(client_for(director).get("/budgets/?year=2018/19&period=6").content)

    def stage(name):
        return page.find("a", text=name).parent.find("strong", class_="govuk-tag")

    assert stage("Children's Social Care").text() == "Submitted"
    assert "govuk-tag--blue" in stage("Children's Social Care").classes()
    assert stage("Special Educational Needs").text() == "In progress"
