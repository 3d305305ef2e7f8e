"""Sign-off as directors expect it, in a second council (not the demo): only a director of the
service's own directorate signs off or returns; submitting needs a forecast on every budgeted
line; a return keeps its reason, shown to the officer until they submit again; the status line
names who submitted and who signed off; the month-end page shows every service's stage."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from unittest.mock import patch

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from budgets import metrics
from budgets.access import Role
from budgets.models import (
    AuditEntry,
    Budget,
    BudgetLine,
    Council,
    Directorate,
    FinancialYear,
    Period,
    Service,
    SignOff,
)
from budgets.services import (
    ForecastChange,
    ForecastIncomplete,
    ForecastLocked,
    forecast_return,
    forecast_save,
    forecast_sign_off,
    forecast_submit,
    forecasts_save,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
SECOND_COUNCIL = override_settings(CSC_COUNCIL_LA_CODE="210")
YEAR, PERIOD = "2024/25", 3
FORM = {"year": YEAR, "period": str(PERIOD)}
SCF = "/budgets/CFS/SCF/forecast/"


# --- Factory -----------------------------------------------------------------------------------
# A small slice of the example council built with the ORM (LA 210, directorates CFS with SCF
# and EDU, ENL with WST, the users file's names), with the edge cases the sign-off rules need: a
# line with no budget this year and one budgeted at zero. The full path through the set-up
# commands is tested in test_second_council_end_to_end.py.


@dataclass
class SecondCouncil:
    council: Council
    period: Period
    scf: Service
    edu: Service
    wst: Service
    officer: object  # a.okafor: SCF and EDU
    waste_officer: object  # t.price: WST
    director: object  # r.shah: CFS
    other_director: object  # h.jones: ENL
    scrutiny: object
    administrator: object


def _user(username: str, full_name: str, role: str):
    first, last = full_name.split(" ", 1)
    user = get_user_model().objects.create_user(
        username=username, password="unused-pw-123456", first_name=first, last_name=last
    )
    user.groups.add(Group.objects.get(name=role))
    return user


def _line(service: Service, code: str, area: str, budget: str | None, year) -> BudgetLine:
    line = BudgetLine.objects.create(
        code=code, name=f"Line {code}", service=service, area_of_spend_id=area
    )
    if budget is not None:
        Budget.objects.create(
            line=line, year=year, original=Decimal(budget), revised=Decimal(budget)
        )
    return line


def build_second_council() -> SecondCouncil:
    council = Council.objects.create(name="Southwark", la_code="210")
    year, _ = FinancialYear.objects.get_or_create(start_year=2024)
    for number in range(1, 13):
        Period.objects.get_or_create(year=year, number=number)
    cfs = Directorate.objects.create(
        council=council, code="CFS", name="Children's and Families' Services"
    )
    enl = Directorate.objects.create(council=council, code="ENL", name="Environment and Leisure")
    scf = Service.objects.create(directorate=cfs, code="SCF", name="Social Care and Family Support")
    edu = Service.objects.create(directorate=cfs, code="EDU", name="Education and Inclusion")
    wst = Service.objects.create(directorate=enl, code="WST", name="Waste and Cleansing")
    _line(scf, "K31001", "placements", "4000000", year)
    _line(scf, "K31002", "placements", "900000", year)
    _line(scf, "K31010", "staffing", "2500000", year)
    _line(scf, "K31099", "other_costs", None, year)  # no budget this year: not asked for
    _line(edu, "K32001", "staffing", "800000", year)
    _line(edu, "K32002", "other_costs", "0", year)  # budgeted at zero: still asked for
    _line(wst, "K51001", "other_costs", "6000000", year)
    officer = _user("a.okafor", "Amina Okafor", Role.FINANCE_OFFICER)
    waste_officer = _user("t.price", "Tom Price", Role.FINANCE_OFFICER)
    scf.finance_officers.add(officer)
    edu.finance_officers.add(officer)
    wst.finance_officers.add(waste_officer)
    director = _user("r.shah", "Ravi Shah", Role.DIRECTOR)
    other_director = _user("h.jones", "Helen Jones", Role.DIRECTOR)
    cfs.directors.add(director)
    enl.directors.add(other_director)
    return SecondCouncil(
        council=council,
        period=Period.objects.select_related("year").get(year=year, number=PERIOD),
        scf=scf,
        edu=edu,
        wst=wst,
        officer=officer,
        waste_officer=waste_officer,
        director=director,
        other_director=other_director,
        scrutiny=_user("c.member", "Cllr Chris Member", Role.SCRUTINY_MEMBER),
        administrator=_user("s.admin", "Sam Admin", Role.ADMINISTRATOR),
    )


# --- end of the factory ------------------------------------------------------------


@pytest.fixture
def sc(db) -> SecondCouncil:
    return build_second_council()


def forecast(sc: SecondCouncil, service: Service, *codes: str, user=None) -> None:
    """The officer forecasts the given lines (all of the service's budgeted lines if none)."""
    lines = BudgetLine.objects.filter(service=service)
    lines = lines.filter(code__in=codes) if codes else metrics.budgeted_lines(sc.period, lines)
    changes = [ForecastChange(line, Decimal("1000"), "", 0) for line in lines]
    forecasts_save(user=user or sc.officer, period=sc.period, changes=changes)


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


def submitted(sc: SecondCouncil, when: str = "2024-06-05T13:02") -> SignOff:
    forecast(sc, sc.scf)
    with patch("django.utils.timezone.now", return_value=at(when)):
        return forecast_submit(user=sc.officer, service=sc.scf, period=sc.period)


# --- who may sign off ------------------------------------------------------------------------


def test_a_director_of_another_directorate_may_not_sign_off_or_return(sc):
    submitted(sc)
    with pytest.raises(PermissionDenied, match="Only a director of Children's and Families"):
        forecast_sign_off(user=sc.other_director, service=sc.scf, period=sc.period)
    with pytest.raises(PermissionDenied, match="Only a director of Children's and Families"):
        forecast_return(user=sc.other_director, service=sc.scf, period=sc.period, reason="No")
    assert SignOff.objects.get(service=sc.scf).status == "submitted"


def test_the_services_own_director_signs_off(sc):
    submitted(sc)
    sign_off = forecast_sign_off(user=sc.director, service=sc.scf, period=sc.period)
    assert (sign_off.status, sign_off.signed_off_by) == ("signed_off", sc.director)


@SECOND_COUNCIL
def test_the_page_offers_sign_off_only_to_the_directorates_director(sc, client_for):
    submitted(sc)
    page = f"{SCF}?year={YEAR}&period={PERIOD}"
    assert "Sign off this forecast" in client_for(sc.director).get(page).content.decode()
    html = client_for(sc.other_director).get(page).content.decode()
    assert "Sign off this forecast" not in html and "Return for changes" not in html
    response = client_for(sc.other_director).post(SCF + "sign-off/", FORM)
    assert response.status_code == 403
    assert SignOff.objects.get(service=sc.scf).status == "submitted"
    response = client_for(sc.director).post(SCF + "sign-off/", FORM)
    assert response.status_code == 302
    assert SignOff.objects.get(service=sc.scf).status == "signed_off"


# --- submitting needs every budgeted line ----------------------------------------------------


def test_submitting_with_a_line_unforecast_is_refused_naming_the_line(sc):
    forecast(sc, sc.scf, "K31001", "K31002")
    with pytest.raises(ForecastIncomplete) as refused:
        forecast_submit(user=sc.officer, service=sc.scf, period=sc.period)
    # K31099 has no budget this year, so it is not asked for.
    assert refused.value.missing == ["K31010"]
    assert "1 line has no forecast" in str(refused.value) and "K31010" in str(refused.value)
    assert not SignOff.objects.filter(service=sc.scf).exists()


def test_a_service_with_no_forecasts_cannot_be_submitted(sc):
    with pytest.raises(ForecastIncomplete, match=r"2 lines have no forecast .*K32001, K32002"):
        forecast_submit(user=sc.officer, service=sc.edu, period=sc.period)
    forecast(sc, sc.edu)
    assert forecast_submit(user=sc.officer, service=sc.edu, period=sc.period).status == "submitted"


def test_the_refusal_names_the_first_five_lines_and_counts_the_rest(sc):
    codes = [f"L{n}" for n in range(1, 8)]
    message = str(ForecastIncomplete(sc.scf, sc.period, codes))
    assert "7 lines have no forecast" in message
    assert "L1, L2, L3, L4, L5 and 2 more" in message and "L6" not in message


@SECOND_COUNCIL
def test_the_page_shows_which_lines_stop_a_submission(sc, client_for):
    forecast(sc, sc.scf, "K31001")
    response = client_for(sc.officer).post(SCF + "submit/", FORM, follow=True)
    html = response.content.decode()
    assert "2 lines have no forecast" in html and "K31002, K31010" in html
    assert not SignOff.objects.filter(service=sc.scf).exists()


# --- returned with a reason ------------------------------------------------------------------


@SECOND_COUNCIL
def test_a_return_reason_is_shown_to_the_officer_until_they_submit_again(sc, client_for):
    submitted(sc)
    page = f"{SCF}?year={YEAR}&period={PERIOD}"
    with patch("django.utils.timezone.now", return_value=at("2024-06-06T08:30")):
        response = client_for(sc.director).post(
            SCF + "return/", {**FORM, "reason": "Agency staffing looks low"}
        )
    assert response.status_code == 302
    sign_off = SignOff.objects.get(service=sc.scf)
    assert (sign_off.status, sign_off.returned_by, sign_off.return_reason) == (
        "returned",
        sc.director,
        "Agency staffing looks low",
    )
    html = client_for(sc.officer).get(page).content.decode()
    assert "Agency staffing looks low" in html
    assert "Ravi Shah returned this forecast on 6 Jun 2024 09:30." in html
    assert 'id="outturn-' in html  # editable again
    assert "Submit again for sign-off" in html
    # The officer changes a figure (a returned forecast is not locked) and submits again.
    line = BudgetLine.objects.get(code="K31010")
    forecast_save(
        user=sc.officer,
        line=line,
        period=sc.period,
        outturn=Decimal("2600000"),
        commentary="Two more agency social workers",
        based_on_version=1,
    )
    assert client_for(sc.officer).post(SCF + "submit/", FORM).status_code == 302
    sign_off.refresh_from_db()
    assert (sign_off.status, sign_off.returned_by, sign_off.returned_at) == (
        "submitted",
        None,
        None,
    )
    assert sign_off.return_reason == ""
    html = client_for(sc.officer).get(page).content.decode()
    assert "Agency staffing looks low" not in html and 'id="outturn-' not in html
    forecast_sign_off(user=sc.director, service=sc.scf, period=sc.period)
    trail = AuditEntry.objects.filter(object_type="budgets.SignOff").order_by("at", "pk")
    assert [(e.action, e.old_value, e.new_value, e.reason) for e in trail] == [
        ("submit", "", "submitted", ""),
        ("return", "submitted", "returned", "Agency staffing looks low"),
        ("submit", "returned", "submitted", ""),
        ("sign off", "submitted", "signed_off", ""),
    ]


def test_a_signed_off_forecast_cannot_be_returned_or_resubmitted(sc):
    submitted(sc)
    forecast_sign_off(user=sc.director, service=sc.scf, period=sc.period)
    with pytest.raises(ForecastLocked):
        forecast_return(user=sc.director, service=sc.scf, period=sc.period, reason="Late")
    with pytest.raises(ForecastLocked):
        forecast_submit(user=sc.officer, service=sc.scf, period=sc.period)


def test_a_return_needs_a_reason(sc):
    submitted(sc)
    with pytest.raises(ValueError, match="Say why"):
        forecast_return(user=sc.director, service=sc.scf, period=sc.period, reason="  ")
    assert SignOff.objects.get(service=sc.scf).status == "submitted"


# --- the status line -------------------------------------------------------------------------


@SECOND_COUNCIL
def test_the_status_line_names_the_submitter_and_the_signer(sc, client_for):
    submitted(sc, "2024-06-05T13:02")  # 14:02 in London (BST)
    with patch("django.utils.timezone.now", return_value=at("2024-06-06T08:30")):
        forecast_sign_off(user=sc.director, service=sc.scf, period=sc.period)
    html = client_for(sc.officer).get(f"{SCF}?year={YEAR}&period={PERIOD}").content.decode()
    assert (
        "Submitted by Amina Okafor on 5 Jun 2024 14:02; "
        "signed off by Ravi Shah on 6 Jun 2024 09:30." in html
    )


# --- the budgets index and the month-end page ------------------------------------------------


@SECOND_COUNCIL
def test_the_budgets_page_shows_a_returned_forecast_as_returned(sc, client_for):
    submitted(sc)
    forecast_return(user=sc.director, service=sc.scf, period=sc.period, reason="Check K31001")
    html = client_for(sc.director).get(f"/budgets/?year={YEAR}&period={PERIOD}").content.decode()
    scf = html[html.index("Social Care and Family Support</a>") :].split("</li>")[0]
    assert 'govuk-tag--red">Returned for changes</strong>' in scf
    assert "/budgets/month-end/?year=2024/25&amp;period=3" in html


def month_end_stages(sc):
    submitted(sc)
    forecast_return(user=sc.director, service=sc.scf, period=sc.period, reason="Check K31001")
    forecast(sc, sc.edu, "K32001")


def test_month_end_counts_lines_forecast_of_lines_budgeted(sc):
    month_end_stages(sc)
    rows = metrics.month_end(sc.period, Service.objects.filter(directorate__council=sc.council))
    assert [
        (r.service.code, r.forecast, r.lines, r.stage_label, [u.username for u in r.directors])
        for r in rows
    ] == [
        ("EDU", 1, 2, "In progress", ["r.shah"]),
        ("SCF", 3, 3, "Returned for changes", ["r.shah"]),
        ("WST", 0, 1, "No forecasts yet", ["h.jones"]),
    ]


@SECOND_COUNCIL
def test_the_month_end_page_shows_each_services_stage_and_people(sc, client_for):
    month_end_stages(sc)
    response = client_for(sc.other_director).get(f"/budgets/month-end/?year={YEAR}&period=3")
    assert response.status_code == 200
    rows = {r.service.code: r for r in response.context["rows"]}
    assert set(rows) == {"SCF", "EDU", "WST"}  # the demo council's services are not shown
    html = response.content.decode()

    def row(code):
        return html[html.index(f'id="service-{code}') :].split("</tr>")[0]

    assert "Returned for changes" in row("CFS-SCF") and "3 of 3" in row("CFS-SCF")
    assert "5 Jun 2024 14:02 by Amina Okafor" in row("CFS-SCF")
    assert "by Ravi Shah: Check K31001" in row("CFS-SCF")
    assert "In progress" in row("CFS-EDU") and "1 of 2" in row("CFS-EDU")
    assert "No forecasts yet" in row("ENL-WST") and "0 of 1" in row("ENL-WST")
    assert "Tom Price" in row("ENL-WST") and "Helen Jones" in row("ENL-WST")


@SECOND_COUNCIL
@pytest.mark.parametrize("who", ["officer", "scrutiny"])
def test_finance_officers_and_scrutiny_members_may_not_see_month_end(sc, client_for, who):
    response = client_for(getattr(sc, who)).get(f"/budgets/month-end/?year={YEAR}&period=3")
    assert response.status_code == 403


@SECOND_COUNCIL
def test_month_end_runs_the_same_queries_for_more_services(
    sc, client_for, django_assert_max_num_queries
):
    month_end_stages(sc)
    client = client_for(sc.administrator)
    url = f"/budgets/month-end/?year={YEAR}&period=3"
    with django_assert_max_num_queries(13), CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(5):
        service = Service.objects.create(directorate=sc.wst.directorate, code=f"X{n}", name="X")
        _line(service, f"X{n}01", "staffing", "1000", sc.period.year)
        service.finance_officers.add(sc.waste_officer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) == 8


# --- directors of directorates in the admin --------------------------------------------------


def test_assigning_a_director_in_the_admin_is_audited(sc, client_for, administrator):
    enl = sc.wst.directorate
    page = client_for(administrator).get(f"/admin/budgets/directorate/{enl.pk}/change/")
    choices = page.context["adminform"].form.fields["directors"].queryset
    assert set(choices.values_list("username", flat=True)) >= {"r.shah", "h.jones"}
    assert not choices.filter(username="a.okafor").exists()  # only directors are offered
    response = client_for(administrator).post(
        f"/admin/budgets/directorate/{enl.pk}/change/",
        {
            "council": sc.council.pk,
            "code": "ENL",
            "name": enl.name,
            "directors": [sc.director.pk],
        },
    )
    assert response.status_code == 302
    assert list(enl.directors.all()) == [sc.director]
    assigned = AuditEntry.objects.get(action="assign", field="directors")
    removed = AuditEntry.objects.get(action="unassign", field="directors")
    assert (assigned.new_value, removed.old_value) == ("r.shah", "h.jones")
    # Now a director of both directorates, Ravi Shah may sign off waste too.
    forecast(sc, sc.wst, user=sc.waste_officer)
    forecast_submit(user=sc.waste_officer, service=sc.wst, period=sc.period)
    assert forecast_sign_off(user=sc.director, service=sc.wst, period=sc.period).status == (
        "signed_off"
    )
    listing = client_for(administrator).get("/admin/budgets/signoff/?status=signed_off")
    assert listing.status_code == 200 and "Waste and Cleansing" in listing.content.decode()


def test_the_demo_director_signs_off_every_demo_directorate(director):
    assert Directorate.objects.exclude(directors=director).count() == 0
