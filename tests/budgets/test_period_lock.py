"""A closed period cannot change through any path (the admin's forms, the admin's ORM writes, a
shell), and an admin edit cannot overwrite a save it did not see. The page and the import are
covered in test_forecast_entry.py and test_actuals_import.py."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, ProgrammingError, transaction

from budgets.models import Actual, AuditEntry, BudgetLine, Forecast, Period
from budgets.services import forecast_save

pytestmark = pytest.mark.django_db


def period(number, year=2018):
    return Period.objects.select_related("year").get(year__start_year=year, number=number)


def new_line():
    """A cost centre with no figures yet, so adding one hits only the period rule."""
    existing = BudgetLine.objects.get(code="CSC-STF-RA")
    return BudgetLine.objects.create(
        code="CSC-NEW", name="New team", service=existing.service, area_of_spend_id="staffing"
    )


def admin_forecast_form(forecast, **changes):
    return {
        "line": forecast.line_id,
        "period": forecast.period_id,
        "outturn": str(forecast.outturn),
        "commentary": forecast.commentary,
        "based_on_version": str(forecast.version),
        **changes,
    }


def test_the_admin_refuses_to_add_a_forecast_or_actual_to_a_closed_period(
    client_for, administrator
):
    client = client_for(administrator)
    line, closed = new_line(), period(5)
    response = client.post(
        "/admin/budgets/forecast/add/",
        {"line": line.pk, "period": closed.pk, "outturn": "100", "based_on_version": "0"},
    )
    assert response.status_code == 200
    assert "is closed: its figures cannot be changed" in response.content.decode()
    response = client.post(
        "/admin/budgets/actual/add/", {"line": line.pk, "period": closed.pk, "amount": "100"}
    )
    assert "is closed: its figures cannot be changed" in response.content.decode()
    assert not Forecast.objects.filter(line=line).exists()
    assert not Actual.objects.filter(line=line).exists()


def test_the_admin_offers_no_change_to_a_closed_periods_figures(client_for, administrator):
    client = client_for(administrator)
    forecast = Forecast.objects.get(line__code="CSC-STF-RA", period=period(5))
    url = f"/admin/budgets/forecast/{forecast.pk}/change/"
    assert 'name="outturn"' not in client.get(url).content.decode()
    response = client.post(url, admin_forecast_form(forecast, outturn="1"))
    assert response.status_code == 403
    assert Forecast.objects.get(pk=forecast.pk).outturn == forecast.outturn


def test_an_admin_edit_is_audited_and_conflicts_with_the_officers_page(client_for, administrator):
    client = client_for(administrator)
    forecast = Forecast.objects.get(line__code="CSC-STF-RA", period=period(6))
    url = f"/admin/budgets/forecast/{forecast.pk}/change/"
    # The admin goes through the page's service: a move over the threshold needs a reason.
    response = client.post(url, admin_forecast_form(forecast, outturn="2600000.00"))
    assert "explain why the forecast moved" in response.content.decode()
    response = client.post(
        url, admin_forecast_form(forecast, outturn="2600000.00", commentary="Court-ordered")
    )
    assert response.status_code == 302
    saved = Forecast.objects.get(pk=forecast.pk)
    assert (saved.outturn, saved.version, saved.author) == (
        Decimal("2600000.00"),
        forecast.version + 1,
        administrator,
    )
    entry = AuditEntry.objects.get(object_id=str(forecast.pk), field="outturn")
    assert (entry.source, Decimal(entry.old_value), entry.new_value) == (
        "admin",
        forecast.outturn,
        "2600000.00",
    )


def test_an_admin_edit_based_on_an_old_version_is_refused_showing_the_newer_figure(
    client_for, administrator, finance
):
    forecast = Forecast.objects.get(line__code="CSC-STF-RA", period=period(6))
    # The officer saves on the page after the administrator opened the admin form.
    forecast_save(
        user=finance,
        line=forecast.line,
        period=forecast.period,
        outturn=Decimal("2450000"),
        commentary="Two more agency social workers",
        based_on_version=forecast.version,
    )
    client = client_for(administrator)
    response = client.post(
        f"/admin/budgets/forecast/{forecast.pk}/change/",
        admin_forecast_form(forecast, outturn="1.00"),
    )
    assert response.status_code == 200
    assert "saved £2,450,000.00 at" in response.content.decode()
    assert "while you were editing" in response.content.decode()
    assert Forecast.objects.get(pk=forecast.pk).outturn == Decimal("2450000")


def test_the_database_refuses_any_change_to_a_closed_periods_actuals():
    closed = period(5)
    actual = Actual.objects.get(line__code="CSC-STF-RA", period=closed)
    with pytest.raises(IntegrityError, match="closed period"), transaction.atomic():
        Actual.objects.filter(pk=actual.pk).update(amount=actual.amount + 1)
    with pytest.raises(IntegrityError, match="closed period"), transaction.atomic():
        Actual.objects.create(line=new_line(), period=closed, amount=Decimal("1"))
    with pytest.raises(IntegrityError, match="closed period"), transaction.atomic():
        actual.delete()
    # Moving a row out of a closed period is a change to that period too.
    with pytest.raises(IntegrityError, match="closed period"), transaction.atomic():
        Actual.objects.filter(pk=actual.pk).update(period=period(7))
    assert Actual.objects.get(pk=actual.pk).amount == actual.amount


def test_rewriting_a_closed_periods_figures_unchanged_is_allowed():
    # Loading the demo twice rewrites closed months with the same figures: not a change.
    forecast = Forecast.objects.get(line__code="CSC-STF-RA", period=period(5))
    assert Forecast.objects.filter(pk=forecast.pk).update(outturn=forecast.outturn) == 1


def test_a_reopened_period_takes_changes_and_closes_again(administrator):
    from budgets.services import period_close, period_reopen

    closed = period(5)
    period_reopen(user=administrator, period=closed, reason="Late journal")
    Actual.objects.filter(line__code="CSC-STF-RA", period=closed).update(amount=Decimal("7"))
    period_close(user=administrator, period=closed)
    with pytest.raises(IntegrityError, match="closed period"), transaction.atomic():
        Actual.objects.filter(line__code="CSC-STF-RA", period=closed).update(amount=Decimal("8"))
    assert Actual.objects.get(line__code="CSC-STF-RA", period=closed).amount == Decimal("7")


def test_a_closed_periods_sign_off_cannot_be_signed_or_returned(finance, director, administrator):
    from budgets.services import (
        PeriodClosed,
        forecast_return,
        forecast_sign_off,
        forecast_submit,
        period_close,
    )

    service, open_period = BudgetLine.objects.get(code="CSC-STF-RA").service, period(6)
    forecast_submit(user=finance, service=service, period=open_period)
    period_close(user=administrator, period=open_period)
    with pytest.raises(PeriodClosed):
        forecast_sign_off(user=director, service=service, period=open_period)
    with pytest.raises(PeriodClosed):
        forecast_return(user=director, service=service, period=open_period, reason="Too late")
    assert open_period.sign_offs.get().status == "submitted"


def test_a_closed_years_budgets_cannot_change_by_any_path(client_for, administrator):
    from budgets.models import Budget

    budget = Budget.objects.get(line__code="CSC-STF-RA", year__start_year=2017)
    assert budget.year.is_closed
    with pytest.raises(IntegrityError, match="closed year"), transaction.atomic():
        Budget.objects.filter(pk=budget.pk).update(revised=budget.revised + 1)
    with pytest.raises(IntegrityError, match="closed year"), transaction.atomic():
        budget.delete()
    # Unchanged figures are not a change (the demo loader rewrites them).
    assert Budget.objects.filter(pk=budget.pk).update(revised=budget.revised) == 1
    client = client_for(administrator)
    url = f"/admin/budgets/budget/{budget.pk}/change/"
    form = {"line": budget.line_id, "year": budget.year_id, "original": "1", "revised": "1"}
    assert client.post(url, form).status_code == 403
    response = client.post(
        "/admin/budgets/budget/add/", {**form, "line": new_line().pk, "revised": "2"}
    )
    assert "is closed: its budgets cannot be changed" in response.content.decode()
    assert Budget.objects.get(pk=budget.pk).revised == budget.revised


def test_an_open_years_budget_changes_and_reopening_the_year_end_reopens_its_budgets(
    administrator,
):
    from budgets.models import Budget
    from budgets.services import period_reopen

    current = Budget.objects.get(line__code="CSC-STF-RA", year__start_year=2018)
    assert Budget.objects.filter(pk=current.pk).update(revised=current.revised + 1) == 1
    period_reopen(user=administrator, period=period(12, year=2017), reason="Audit adjustment")
    last_year = Budget.objects.get(line__code="CSC-STF-RA", year__start_year=2017)
    assert Budget.objects.filter(pk=last_year.pk).update(revised=last_year.revised + 1) == 1


def test_the_audit_trail_cannot_be_altered(finance):
    forecast = Forecast.objects.get(line__code="CSC-STF-RA", period=period(6))
    forecast_save(
        user=finance,
        line=forecast.line,
        period=forecast.period,
        outturn=forecast.outturn + 1,
        commentary="x",
        based_on_version=forecast.version,
    )
    entry = AuditEntry.objects.filter(object_id=str(forecast.pk)).first()
    # The site's role may not change or delete an entry (and for the owner, a trigger refuses
    # any change: tests/security/test_least_privilege.py); the retention command deletes old ones.
    with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(new_value="1")
    with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).new_value == entry.new_value
