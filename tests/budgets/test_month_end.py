"""Where every service's forecast stands, in a second council (not the demo): the budgets index
shows a returned forecast as returned, the month-end page shows every service's stage and
people in a fixed number of queries, and directors of directorates are assigned (and audited)
in the admin."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets import sign_off_selectors
from budgets.models import AuditEntry, Directorate, Service
from budgets.services import forecast_return, forecast_sign_off, forecast_submit
from tests.budgets.sign_off_council import (
    PERIOD,
    SERVED,
    YEAR,
    SecondCouncil,
    build_second_council,
    forecast,
    line,
    submitted,
)
from tests.factories import ServiceFactory
from tests.parsed_html import parse

pytestmark = pytest.mark.django_db
MONTH_END = f"/budgets/month-end/?year={YEAR}&period={PERIOD}"


@pytest.fixture
def sc(db) -> SecondCouncil:
    return build_second_council()


def month_end_stages(sc):
    submitted(sc)
    forecast_return(user=sc.director, service=sc.scf, period=sc.period, reason="Check K31001")
    forecast(sc, sc.edu, "K32001")


@SERVED
def test_the_budgets_page_shows_a_returned_forecast_as_returned(sc, client_for):
    submitted(sc)
    forecast_return(user=sc.director, service=sc.scf, period=sc.period, reason="Check K31001")
    response = client_for(sc.director).get(f"/budgets/?year={YEAR}&period={PERIOD}")
    page = parse(response.content)
    scf = page.find("a", text="Social Care and Family Support").parent
    stage = scf.find("strong", class_="govuk-tag")
    assert stage.text() == "Returned for changes" and "govuk-tag--red" in stage.classes()
    link = page.find("a", text="Month end: every service's forecast and sign-off")
    assert link.attrs["href"] == "/budgets/month-end/?year=2024/25&period=3"


@SERVED
def test_the_budgets_page_tags_each_service_as_the_month_end_page_does(sc, client_for):
    month_end_stages(sc)
    page = parse(client_for(sc.director).get(f"/budgets/?year={YEAR}&period={PERIOD}").content)

    def stage(name):
        return page.find("a", text=name).parent.find("strong", class_="govuk-tag")

    assert stage("Education and Inclusion").text() == "In progress"  # one of two lines forecast
    assert stage("Waste and Cleansing").text() == "No forecasts yet"
    assert "govuk-tag--grey" in stage("Waste and Cleansing").classes()
    assert stage("Social Care and Family Support").text() == "Returned for changes"


def test_month_end_counts_lines_forecast_of_lines_budgeted(sc):
    month_end_stages(sc)
    rows = sign_off_selectors.month_end(
        sc.period, Service.objects.filter(directorate__council=sc.council)
    )
    assert [
        (r.service.code, r.forecast, r.lines, r.stage_label, [u.username for u in r.directors])
        for r in rows
    ] == [
        ("EDU", 1, 2, "In progress", ["r.shah"]),
        ("SCF", 3, 3, "Returned for changes", ["r.shah"]),
        ("WST", 0, 1, "No forecasts yet", ["h.jones"]),
    ]


@SERVED
def test_the_month_end_page_shows_each_services_stage_and_people(sc, client_for):
    month_end_stages(sc)
    response = client_for(sc.other_director).get(MONTH_END)
    assert response.status_code == 200
    rows = {r.service.code: r for r in response.context["rows"]}
    assert set(rows) == {"SCF", "EDU", "WST"}  # the demo council's services are not shown
    page = parse(response.content)

    def row(code):
        return page.find("tr", id=f"service-{code}").cells()

    # Service, stage, lines forecast, officers, directors, submitted, returned, signed off.
    scf = row("CFS-SCF")
    assert scf[1:3] == ["Returned for changes", "3 of 3"]
    assert scf[5] == "5 Jun 2024 14:02 by Amina Okafor"
    assert scf[6].endswith("by Ravi Shah: Check K31001") and scf[7] == ""
    assert row("CFS-EDU")[1:3] == ["In progress", "1 of 2"]
    assert row("ENL-WST")[1:5] == ["No forecasts yet", "0 of 1", "Tom Price", "Helen Jones"]


@SERVED
@pytest.mark.parametrize("who", ["officer", "scrutiny"])
def test_finance_officers_and_scrutiny_members_may_not_see_month_end(sc, client_for, who):
    assert client_for(getattr(sc, who)).get(MONTH_END).status_code == 403


@SERVED
def test_month_end_runs_the_same_queries_for_more_services(
    sc, client_for, django_assert_max_num_queries
):
    month_end_stages(sc)
    client = client_for(sc.administrator)
    with django_assert_max_num_queries(13), CaptureQueriesContext(connection) as few:
        assert client.get(MONTH_END).status_code == 200
    for n in range(5):
        service = ServiceFactory(directorate=sc.wst.directorate, code=f"X{n}", name="X")
        line(service, f"X{n}01", "staffing", "1000", sc.period.year)
        service.finance_officers.add(sc.waste_officer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(MONTH_END)
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
    assert listing.status_code == 200
    assert parse(listing.content).find_all("a", text="Waste and Cleansing")


def test_the_demo_director_signs_off_every_demo_directorate(director):
    assert Directorate.objects.exclude(directors=director).count() == 0
