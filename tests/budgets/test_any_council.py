"""Every page works for a council that is not the demo: the committee tables for any service,
the placements page's dates, caseloads, headlines and the page an account without a role sees.

The second council here is the example council of fixtures/examples/ (LA 210, directorates CFS
and ENL, a waste service with its own area of spend "Contracts"), cut down to a few lines with
round figures so every expected number can be checked by hand.
"""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import override_settings

from budgets import trends
from budgets.admin import validate_committee_labels
from budgets.chart_style import PALETTE, series_style
from budgets.models import Budget, Council, Period, Service
from budgets.selectors import directorate_positions
from csc_dashboard import committee
from placements import metrics as placement_metrics
from placements.models import Child, Episode
from tests.factories import (
    AreaOfSpendFactory,
    BudgetFactory,
    CouncilFactory,
    DirectorateFactory,
    FinancialYearFactory,
    ForecastFactory,
    ServiceFactory,
    period_of,
)
from tests.parsed_html import parse
from workforce import selectors as workforce_selectors
from workforce.models import Filling, Post, Team, TeamCaseload

pytestmark = pytest.mark.django_db
D = Decimal
LA_CODE = "210"
SECOND = override_settings(CSC_COUNCIL_LA_CODE=LA_CODE)


# --- The second council --------------------------------------------------------------------
# Built with tests/factories.py, with round figures and the history these tests need
# (forecasts over several periods, episodes, staff). The set-up commands themselves are tested
# on the example files in test_council_setup.py and test_second_council_end_to_end.py.


def make_second_council() -> Council:
    council = CouncilFactory(name="Southwark (example)", la_code=LA_CODE)
    cfs = DirectorateFactory(council=council, code="CFS", name="Children's and Families' Services")
    enl = DirectorateFactory(council=council, code="ENL", name="Environment and Leisure")
    # EDU has no budget lines: the committee page's default skips it.
    ServiceFactory(directorate=cfs, code="EDU", name="Education")
    scf = ServiceFactory(directorate=cfs, code="SCF", name="Social Care and Family Support")
    wst = ServiceFactory(directorate=enl, code="WST", name="Waste Services")
    AreaOfSpendFactory(code="contracts", name="Contracts", position=100)
    year = FinancialYearFactory(start_year=2024)
    lines = {
        code: BudgetFactory(
            line__service=service, line__code=code, line__area=area, year=year, original=D(budget)
        ).line
        for code, (service, area, budget) in {
            "K31001": (scf, "placements", "9840000"),
            "K31010": (scf, "staffing", "5880000"),
            "W41001": (wst, "contracts", "3000000"),
        }.items()
    }
    # Year-end forecasts at periods 1 to 3 (a line with no forecast counts as on budget), saved
    # by each service's finance officer in period order.
    forecasts = {
        ("K31001", 1): "9840000",  # on budget
        ("K31001", 2): "10140000",  # +0.3m
        ("K31001", 3): "10440000",  # +0.6m
        ("K31010", 3): "5680000",  # -0.2m
        ("W41001", 2): "3100000",  # +0.1m
        ("W41001", 3): "3100000",  # +0.1m
    }
    for (code, number), outturn in forecasts.items():
        ForecastFactory(
            line=lines[code],
            period=period_of(2024, number),
            outturn=D(outturn),
            commentary="Demand up",
        )
    return council


def add_episodes(council: Council) -> None:
    """Two children: one in care from January 2019 (still), one from May 2022 to October 2023."""
    for reference, start, end in [
        ("a" * 64, datetime.date(2019, 1, 1), None),
        ("b" * 64, datetime.date(2022, 5, 1), datetime.date(2023, 10, 1)),
    ]:
        child = Child.objects.create(council=council, reference=reference)
        Episode.objects.create(
            child=child, council=council, start=start, end=end, place="U1", category="ifa"
        )


def add_teams(council: Council) -> None:
    scf = Service.objects.get(directorate__council=council, code="SCF")
    month = datetime.date(2024, 6, 1)
    assessment = Team.objects.create(service=scf, name="Assessment", caseload_target=D("18"))
    TeamCaseload.objects.create(team=assessment, month=month, cases=40, case_holding_fte=D("2"))
    adoption = Team.objects.create(service=scf, name="Adoption")
    TeamCaseload.objects.create(team=adoption, month=month)  # reported, with no figure
    support = Team.objects.create(service=scf, name="Business support")  # no caseloads at all
    post = Post.objects.create(
        reference="S-1", team=support, title="Officer", fte=1, budgeted_cost=30000
    )
    Filling.objects.create(
        post=post, start=datetime.date(2024, 4, 1), status="permanent", fte=1, annual_cost=30000
    )


# ------------------------------------------------------------------------------------------


@pytest.fixture
def second(db):
    return make_second_council()


def committee_html(client, query: str) -> str:
    response = client.get("/committee/" + query)
    assert response.status_code == 200
    return response.content.decode()


@SECOND
def test_the_committee_page_shows_a_waste_services_tables(
    second, client_for, scrutiny, django_assert_max_num_queries
):
    client = client_for(scrutiny)
    # A fixed number, whatever the number of lines: the pack of every table with its chart
    # (each area table reads its lines and the areas of spend once).
    with django_assert_max_num_queries(43):
        html = committee_html(client, "?year=2024/25&period=3&service=ENL/WST")
    assert "Waste Services: budget and forecast by area of spend" in html
    # The council's own area of spend, with its budget and overspend in £m.
    page = parse(html)
    heading = page.find("h2", text="Waste Services: budget and forecast by area of spend")
    row = heading.parent.find("table").row("Contracts")
    assert "3.0" in row[1:] and "0.1" in row[1:]
    assert "Budget, forecast outturn and variance by service" in html
    assert "Waste Services: forecast overspend at each month and why" in html
    # No episodes, fillings or DfE figures for this council: no such tables, and no labels.
    assert "Looked-after children" not in html and "Staff in post" not in html
    assert "csc-committee-label" not in html
    chosen = page.find("select", id="filter-service").find_all("option")
    assert [o.attrs["value"] for o in chosen if "selected" in o.attrs] == ["ENL/WST"]


@SECOND
def test_placement_and_staffing_tables_follow_the_data_not_the_service(
    second, client_for, scrutiny
):
    add_episodes(second)
    add_teams(second)
    html = committee_html(client_for(scrutiny), "?year=2024/25&period=3&service=ENL/WST")
    assert "Looked-after children by placement type" in html
    assert "Looked-after children at the end of August" in html
    assert "Staff in post, agency workers and vacancies as at 30 June 2024" in html
    assert "Average number of cases per social worker by team" in html


@SECOND
def test_the_committee_page_defaults_to_the_first_service_with_a_budget(
    second, client_for, scrutiny
):
    html = committee_html(client_for(scrutiny), "?year=2024/25&period=3")
    # CFS/EDU comes first but has no budget; CFS/SCF is the first with one.
    assert "Social Care and Family Support: budget and forecast by area of spend" in html
    assert 'value="CFS/SCF" selected' in html


@SECOND
def test_the_councils_labels_go_before_the_titles(second, client_for, scrutiny):
    second.committee_labels = {"budget_by_area": "Table A", "not_a_table": "x"}
    second.save()
    html = committee_html(client_for(scrutiny), "?year=2024/25&period=3&service=CFS/SCF")
    assert '<span class="csc-committee-label">Table A</span> Social Care and Family' in html
    assert html.count("csc-committee-label") == 1


@SECOND
def test_the_pack_names_each_sheet_by_label_or_key(second, client_for, director):
    second.committee_labels = {"budget_by_area": "7"}
    second.save()
    data = client_for(director).get("/committee/pack.xlsx?year=2024/25&period=3").content
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[:4] == [
        "Front page",
        "7 budget_by_area",
        "directorate_summary",
        "forecast_movement",
    ]
    assert book["7 budget_by_area"]["A1"].value == (
        "7 Social Care and Family Support: budget and forecast by area of spend"
    )


@SECOND
def test_export_committee_pack_needs_a_service_when_several_have_a_budget(second, tmp_path):
    out = tmp_path / "pack.xlsx"
    with pytest.raises(CommandError) as refused:
        call_command("export_committee_pack", "--year", "2024/25", "--period", "3", "--out", out)
    assert str(refused.value) == (
        "Choose a service with --service: one of CFS/SCF (Social Care and Family Support), "
        "ENL/WST (Waste Services)."
    )
    with pytest.raises(CommandError, match="No service 'NOPE'. Choose one of CFS/SCF"):
        call_command(
            "export_committee_pack",
            "--year=2024/25",
            "--period=3",
            "--service=NOPE",
            f"--out={out}",
        )
    call_command(
        "export_committee_pack", "--year=2024/25", "--period=3", "--service=WST", f"--out={out}"
    )
    book = openpyxl.load_workbook(out)
    assert book["budget_by_area"]["A1"].value.startswith("Waste Services:")


@SECOND
def test_export_committee_pack_uses_the_only_service_with_a_budget(second, tmp_path):
    Budget.objects.filter(line__code="W41001").delete()
    out = tmp_path / "pack.xlsx"
    call_command("export_committee_pack", "--year=2024/25", "--period=3", f"--out={out}")
    book = openpyxl.load_workbook(out)
    assert book["budget_by_area"]["A1"].value.startswith("Social Care and Family Support:")


def test_end_of_august_dates_are_the_six_before_the_date():
    years = [d.year for d in placement_metrics.end_of_august_dates(datetime.date(2024, 6, 30))]
    assert years == [2023, 2022, 2021, 2020, 2019, 2018]
    on_the_day = placement_metrics.end_of_august_dates(datetime.date(2024, 8, 31))
    assert [d.year for d in on_the_day] == [2024, 2023, 2022, 2021, 2020, 2019]
    assert on_the_day[0] == datetime.date(2024, 8, 31)


@SECOND
def test_the_placements_page_counts_the_augusts_before_the_chosen_date(
    second, client_for, scrutiny
):
    add_episodes(second)
    html = client_for(scrutiny).get("/placements/?date=2024-06-30").content.decode()
    table = parse(html).table("at the end of August")
    # Child a from January 2019 (open); child b from May 2022 to October 2023.
    assert table.rows()[1:] == [
        ["August 2023", "2"],
        ["August 2022", "2"],
        ["August 2021", "1"],
        ["August 2020", "1"],
        ["August 2019", "1"],
        ["August 2018", "0"],
    ]
    # Dates offered from the data: the latest with episodes and the census dates before it.
    assert "?date=2023-10-01" in html and "the latest date with episode data" in html
    assert "?date=2023-03-31" in html and "the last census date" in html
    assert "?date=2022-03-31" in html and "?date=2021-03-31" in html


@SECOND
def test_caseloads_list_the_teams_with_a_target_or_a_record(second, client_for, scrutiny):
    add_teams(second)
    rows = workforce_selectors.caseloads(datetime.date(2024, 6, 1))
    assert rows == [
        {"team": "Assessment", "target": D("18.0"), "actual": D("20")},
        {"team": "Adoption", "target": None, "actual": None},
    ]
    table = committee.caseloads(datetime.date(2024, 6, 30))
    assert [r["team"] for r in table.rows] == ["Assessment", "Adoption"]
    page = parse(client_for(scrutiny).get("/workforce/?date=2024-06-30").content)
    caseloads = page.table("cases per social worker").rows()[1:]
    assert [row[0] for row in caseloads] == ["Assessment", "Adoption"]  # not Business support


@SECOND
def test_headlines_compare_with_the_councils_periods_back(second):
    services = Service.objects.filter(directorate__council=second)
    at = Period.objects.get(year__start_year=2024, number=3)
    directorates = directorate_positions(at, services)
    assert second.headline_periods_back == 1
    sentences = [h.sentence for h in trends.overview_headlines(at, services, directorates)]
    assert sentences == [
        "Social Care and Family Support forecasts an overspend of £0.4m, up £0.1m since May 2024 "
        "(period 2, 1 month before), mainly children's placements (£0.6m).",
        "Waste Services forecasts an overspend of £0.1m, unchanged since May 2024 "
        "(period 2, 1 month before), mainly contracts (£0.1m).",
    ]
    second.headline_periods_back = 2
    second.save()
    first = trends.overview_headlines(at, services, directorates)[0]
    assert first.sentence == (
        "Social Care and Family Support forecasts an overspend of £0.4m, up £0.4m since April "
        "2024 (period 1, 2 months before), mainly children's placements (£0.6m)."
    )


@SECOND
def test_the_overview_says_what_it_compares_with(second, client_for, scrutiny):
    html = client_for(scrutiny).get("/?year=2024/25&period=3").content.decode()
    assert "up £0.1m since May 2024 (period 2, 1 month before)" in html


def test_a_no_role_account_is_told_whom_to_ask_and_can_sign_out(client_for, no_role):
    response = client_for(no_role).get("/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Your account has no role in CSC Budget Monitor" in html
    assert "Ask an administrator" in html
    assert '<form method="post" action="/accounts/logout/">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'class="govuk-header' in html  # the site's own layout, not a bare error


def test_a_superuser_with_no_role_sees_the_same_page(client_for):
    boss = get_user_model().objects.create_superuser("root-no-role", password="unused-pw-123456")
    response = client_for(boss).get("/committee/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Your account has no role in CSC Budget Monitor" in html
    assert 'action="/accounts/logout/"' in html
    assert 'href="/admin/"' in html  # a superuser may give themselves a role there


def test_someone_with_a_role_is_told_why_not(client_for, scrutiny):
    response = client_for(scrutiny).get("/committee/pack.xlsx")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Scrutiny members can read the tables but not export them." in html
    assert "has no role" not in html


@pytest.mark.parametrize(
    "labels",
    [["9"], {"budget_by_area": 9}, {"budget_by_area": ""}, {"Bad Key": "9"}, {"k": "x" * 21}],
)
def test_committee_labels_must_be_a_dict_of_short_strings(labels):
    with pytest.raises(ValidationError):
        validate_committee_labels(labels)


def test_the_admin_refuses_bad_labels_and_saves_good_ones(client_for, administrator):
    council = CouncilFactory()
    url = f"/admin/budgets/council/{council.pk}/change/"
    form = {"name": council.name, "la_code": council.la_code, "headline_periods_back": "2"}
    client = client_for(administrator)
    refused = client.post(url, {**form, "committee_labels": '{"budget_by_area": 9}'})
    assert refused.status_code == 200
    assert "The label for &#x27;budget_by_area&#x27; must be some text" in refused.content.decode()
    saved = client.post(url, {**form, "committee_labels": '{"budget_by_area": "Part 2"}'})
    assert saved.status_code == 302
    council.refresh_from_db()
    assert council.committee_labels == {"budget_by_area": "Part 2"}


def test_series_past_the_palette_still_differ_by_more_than_colour():
    styles = [series_style(i) for i in range(len(PALETTE) * 2)]
    pairs = {(s["color"], s["symbol"]) for s in styles}
    assert len(pairs) == len(styles)
    assert len({(s["color"], s["pattern"]) for s in styles}) == len(styles)
    assert series_style(len(PALETTE))["symbol"] != series_style(0)["symbol"]
