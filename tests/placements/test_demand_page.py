"""The demand model for a council: the project_demand command, the Demand page and the
comparison beside the officer's forecast; for the demo council and for a second council set up
through the commands with a few episodes whose projection is worked by hand."""

import json
import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings

from budgets.formatting import pounds
from budgets.models import BudgetLine, Period
from budgets.selectors import actuals_to_date
from placements import demand_comparison
from tests.parsed_html import parse

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "examples"
URL = "/dashboard/demand/"
COLUMNS = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)
# Three children aged 10 to 16 throughout: A in in-house fostering from 1 January 2024 (open),
# B in a children's home from 1 January to 1 March 2024, C in in-house fostering from 1 February.
EPISODES = (
    f"{COLUMNS}\n"
    "800001,2024-01-01,S,C2,N1,U1,PR1,,,,,,\n"
    "800002,2024-01-01,S,C2,N1,K2,PR4,2024-03-01,E4A,,,,\n"
    "800003,2024-02-01,S,C2,N1,U1,PR1,,,,,,\n"
)
HEADER = "CHILD,SEX,DOB\n800001,1,14/03/2012\n800002,2,10/05/2013\n800003,1,01/07/2013\n"
RATE_CARD = "CATEGORY,EFFECTIVE_FROM,WEEKLY_COST\nIn-house fostering,2024-01-01,700.00\n"
# The reference period 1 January to 31 March 2024 (91 days); the projection from 31 March.
OPTIONS = "reference_start=2024-01-01&reference_end=2024-03-31&start=2024-03-31&months=1"


def run(command, *args, **options) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def southwark(tmp_path):
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        run("setup_council", la_code="210", name="Southwark", year="2024/25")
        run("import_budgets", str(EXAMPLES / "budget_book_2024-25.csv"))
        run("import_users", str(EXAMPLES / "users.csv"))
        episodes, header, cards = (tmp_path / n for n in ("e.csv", "h.csv", "r.csv"))
        episodes.write_text(EPISODES)
        header.write_text(HEADER)
        cards.write_text(RATE_CARD)
        run("import_placements", str(episodes), "--header", str(header))
        run("import_placement_costs", str(cards))
        yield


def hand_worked_april() -> tuple[float, float, Decimal]:
    """In-house fostering: 2 children on 31 March, entries 2 in 91 days, no exits: 2 + 2t/91.
    Residential: none on 31 March, 1 entry in 91 days; B's exit on 1 March over the 60 days
    (2 January to 1 March) on which a child was there the day before: rate 1/60, so
    r(t) = (60/91)(1 − (59/60)^t). Each child costs £700 a week, £100 a day (residential has
    no open placement: it takes the council's average, also £700)."""
    in_house = [2 + 2 * t / 91 for t in range(31)]
    residential = [60 / 91 * (1 - (59 / 60) ** t) for t in range(31)]
    cost = sum(100 * (in_house[t] + residential[t]) for t in range(1, 31))
    return in_house[30], residential[30], Decimal(repr(cost)).quantize(Decimal("0.01"))


def test_the_command_projects_a_second_councils_children_worked_by_hand(southwark):
    in_house, residential, cost = hand_worked_april()
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        args = ["--reference-start", "2024-01-01", "--reference-end", "2024-03-31"]
        args += ["--start", "2024-03-31", "--months", "1", "--json"]
        data = json.loads(run("project_demand", *args))
        grouped = json.loads(run("project_demand", *args, "--groups", "demand-model"))
    assert data["start"] == "2024-03-31"
    assert data["stock_total"] == 2
    assert data["stock"]["10-16 in_house_fostering"] == 2
    assert data["stock"]["10-16 residential"] == 0
    [april] = data["months"]
    assert april["date"] == "2024-04-30"
    assert april["by_group"]["in_house_fostering"] == pytest.approx(in_house, abs=0.05)
    assert april["by_group"]["residential"] == pytest.approx(residential, abs=0.05)
    assert april["total"] == pytest.approx(in_house + residential, abs=0.05)
    assert april["lower"] < april["total"] < april["upper"]
    assert Decimal(april["cost"]) == cost
    assert data["fallback_unit_costs"] == [
        "ifa",
        "residential",
        "secure",
        "semi_independent",
        "placed_with_parents",
        "adoption",
        "other",
    ]
    assert grouped["stock"]["10-16 fostering"] == 2
    assert grouped["months"][0]["by_group"]["fostering"] == pytest.approx(in_house, abs=0.05)
    assert grouped["months"][0]["by_group"]["residential"] == pytest.approx(residential, abs=0.05)


def test_the_command_refuses_bad_options_with_a_message(southwark):
    from django.core.management.base import CommandError

    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        with pytest.raises(CommandError, match="Months to project"):
            run("project_demand", "--months", "61")
        with pytest.raises(CommandError, match="not a date"):
            run("project_demand", "--start", "31/03/2024")
        with pytest.raises(CommandError, match="Placement groups"):
            run("project_demand", "--groups", "nonsense")


def test_the_page_shows_a_second_councils_projection_rates_and_costs(southwark, client):
    in_house, residential, cost = hand_worked_april()
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        client.force_login(get_user_model().objects.get(username="cllr.adeyemi"))
        response = client.get(f"{URL}?{OPTIONS}")
    assert response.status_code == 200
    html = response.content.decode()
    page = parse(html)
    row = page.table("Projected children looked after at each month end").record("30 Apr 2024")
    assert row["In-house fostering"] == f"{in_house:.1f}"
    assert row["Total"] == f"{in_house + residential:.1f}"
    assert row["Cost"] == pounds(cost)
    # Rates: 2 entries into in-house fostering in 91 days; residential exit 1/60 a day.
    assert f">{2 / 91:.4f}<" in html and f">{1 / 60:.5f}<" in html
    assert "10-16 Residential" in html and "Not in care" in html
    assert "costed at the fallback" in html and "£700" in html
    assert "2023/24 Q4" not in html and "2024/25 Q1" in html
    figures = re.findall(r'<script id="(chart-demand-[a-z]+)-data" type="application/json">', html)
    assert figures == ["chart-demand-children", "chart-demand-starts", "chart-demand-cost"]
    for title in (
        "Children looked after at each month end: history and projection",
        "Children starting a period of care, by month",
        "Projected placement cost by financial quarter",
    ):
        assert title in html
    starts = page.table("Children starting a period of care, by month")
    assert starts.row("January 2024") == ["January 2024", "2"]


def test_a_what_if_on_entries_is_shown_against_the_base_projection(southwark, client):
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        client.force_login(get_user_model().objects.get(username="cllr.adeyemi"))
        page = parse(client.get(f"{URL}?{OPTIONS}&entry_change=100").content)
    in_house, residential, _ = hand_worked_april()
    # Twice the entries: in-house 2 + 4t/91 and residential twice its base.
    what_if = page.table("The what-if against the projection without it")
    row = what_if.record("30 Apr 2024")
    assert row["Children without"] == f"{in_house + residential:.1f}"
    assert row["Children with"] == f"{2 + 4 * 30 / 91 + 2 * residential:.1f}"


@pytest.mark.parametrize(
    "query, message",
    [
        ("months=0", "Months to project: Enter the months from 1 to 60."),
        ("months=abc", "Months to project: Enter the months as a whole number"),
        ("start=2024-02-30", "Start of the projection"),
        ("grouping=nonsense", "Placement groups: choose cost or demand-model."),
        ("inflation=1e400", "Yearly inflation: Enter the inflation rate as a number"),
        ("reference_start=2024-03-01&reference_end=2024-01-01", "must end after it starts"),
        ("reference_end=2099-01-01&start=2024-03-31", "must end by the projection"),
    ],
)
def test_the_page_refuses_bad_options_with_a_message(southwark, client, query, message):
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        client.force_login(get_user_model().objects.get(username="cllr.adeyemi"))
        response = client.get(f"{URL}?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and message in html


def test_a_council_without_episodes_is_told_so(client):
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        run("setup_council", la_code="210", name="Southwark", year="2024/25")
        run("import_budgets", str(EXAMPLES / "budget_book_2024-25.csv"))
        run("import_users", str(EXAMPLES / "users.csv"))
        client.force_login(get_user_model().objects.get(username="cllr.adeyemi"))
        response = client.get(URL)
    assert response.status_code == 200
    assert "No placement episodes have been loaded" in response.content.decode()


def test_the_demo_councils_page_projects_its_children_in_few_queries(
    client_for, scrutiny, django_assert_max_num_queries
):
    client = client_for(scrutiny)
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Projected children looked after at each month end" in html
    assert "Daily transition rates" in html
    with django_assert_max_num_queries(12):
        assert client.get(f"{URL}?grouping=demand-model&months=24").status_code == 200


def test_the_forecast_page_shows_the_demand_model_beside_the_officer_and_flags_a_wide_gap(
    client_for, finance, settings
):
    period = Period.objects.select_related("year").get(year__start_year=2018, number=6)
    ifa = BudgetLine.objects.get(code="CSC-PLC-IFA")
    projected = demand_comparison.rest_of_year_by_category(period)
    expected = actuals_to_date([ifa], period).get(ifa.pk, Decimal("0")) + projected["ifa"]
    figure = demand_comparison.demand_forecast(period, [ifa])[ifa.pk]
    assert figure == expected.quantize(Decimal("0.01"))
    html = client_for(finance).get("/budgets/CYP/CSC/forecast/?year=2018/19&period=6").content
    grid = parse(html).find("table", id="forecast-grid")
    assert "Demand model minus forecast" in grid.rows()[0]
    row = grid.record("CSC-PLC-IFA")
    assert row["Demand model"] == pounds(figure)
    from budgets.models import Forecast

    gap = figure - Forecast.objects.get(line=ifa, period=period).outturn
    wide = abs(gap) > settings.CSC_COMMENTARY_THRESHOLD
    tag = f" Gap over {pounds(settings.CSC_COMMENTARY_THRESHOLD)}" if wide else ""
    assert row["Demand model minus forecast"] == pounds(gap) + tag
    settings.CSC_COMMENTARY_THRESHOLD = abs(gap) + 1
    html = client_for(finance).get("/budgets/CYP/CSC/forecast/?year=2018/19&period=6").content
    row = parse(html).find("table", id="forecast-grid").record("CSC-PLC-IFA")
    assert row["Demand model minus forecast"] == pounds(gap)
    assert not [cell for cell in row.values() if "Gap over" in cell]
