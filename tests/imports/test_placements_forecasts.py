"""Placements: commitment forecasts, scenarios, comparators, the import command, and
councils kept apart."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection

from budgets.models import Actual, BudgetLine, Council, Period
from placements import metrics, scenarios
from placements.importers import episodes_import, pseudonymise
from placements.models import CategoryLine, Child, Episode
from tests.test_placements import EPISODES

D = datetime.date


def new_child(code: str) -> Child:
    """A child of the demo council (the one the pages show)."""
    return Child.objects.create(
        council=Council.objects.current().get(), reference=pseudonymise(code)
    )


@pytest.mark.django_db
def test_the_commitment_forecast_adds_open_placements_and_new_entrants_to_spend():
    """Hand-checked: one IFA placement at £700 a week planned to end 8 weeks after September
    2018, £100,000 posted in September on top of the closed months, and 12 IFA starts in the
    last year (one a month)."""
    Episode.objects.all().delete()
    period = Period.objects.select_related("year").get(year__start_year=2018, number=6)
    line = BudgetLine.objects.get(code="CSC-PLC-IFA")
    CategoryLine.objects.filter(category="ifa").update(line=line)
    Actual.objects.filter(line=line, period=period).delete()  # September is still open
    Actual.objects.create(line=line, period=period, amount=Decimal("100000"))
    spent = sum(
        Actual.objects.filter(
            line=line, period__year__start_year=2018, period__number__lte=6
        ).values_list("amount", flat=True)
    )
    child = new_child("C")
    Episode.objects.create(
        child=child,
        council=child.council,
        start=D(2018, 9, 1),
        place="U4",
        place_provider="PR4",
        category="ifa",
        weekly_cost=Decimal("700"),
        planned_end=D(2018, 11, 25),
    )
    for n in range(11):  # eleven more starts in the last year, already ended
        other = new_child(f"S{n}")
        Episode.objects.create(
            child=other,
            council=other.council,
            start=D(2017, 10, 15 + n),
            end=D(2017, 12, 1),
            place="U4",
            place_provider="PR4",
            category="ifa",
            weekly_cost=Decimal("700"),
        )
    result = metrics.commitment_forecast(period, [line])
    weeks_left = Decimal(182) / 7  # 1 October 2018 to 31 March 2019
    expected = spent + 700 * Decimal(56) / 7 + 1 * 6 * 700 * weeks_left / 2
    assert result[line.pk] == expected.quantize(Decimal("0.01"))


def test_moving_children_from_ifa_to_in_house_fostering():
    assert scenarios.move_children(
        children=Decimal(10), from_unit=Decimal("911"), to_unit=Decimal("426")
    ) == Decimal("-252200.00")


def test_a_percentage_of_a_category_in_whole_children():
    assert scenarios.children_for_percentage(count=198, percentage=Decimal("10")) == 20


def test_changing_a_unit_cost_by_a_percentage():
    assert scenarios.change_unit_cost(
        children=35, unit=Decimal("3741"), percentage=Decimal("-10")
    ) == Decimal("-680862.00")


def test_bringing_the_lac_rate_to_a_comparators():
    # 494 children, 68,845 aged 0-17, target 63.8 per 10,000 → 439.2311 children: 54.7689
    # fewer at £1,200 a week for 52 weeks = £3,417,579.36 less.
    change = scenarios.match_lac_rate(
        children=494,
        population=68845,
        target_rate=Decimal("63.8"),
        weekly_cost_per_child=Decimal("1200"),
    )
    assert change == Decimal("-3417579.36")


@pytest.mark.django_db
def test_a_saved_scenario_shows_its_result(client_for, finance):
    client = client_for(finance)
    response = client.post(
        "/placements/scenarios/?date=2017-09-30",
        {
            "name": "Ten IFA to in-house",
            "kind": "move",
            "from": "ifa",
            "to": "in_house_fostering",
            "children": "10",
        },
    )
    assert response.status_code == 302
    html = client.get("/placements/scenarios/?date=2017-09-30").content.decode()
    assert "Ten IFA to in-house" in html
    assert "(£252,200)" in html


@pytest.mark.django_db
def test_the_forecast_page_shows_the_commitment_forecast_beside_the_officers(client_for, finance):
    html = client_for(finance).get("/budgets/CYP/CSC/forecast/?year=2018/19&period=6")
    html = html.content.decode()
    assert "Commitment forecast minus forecast" in html
    from budgets.models import BudgetLine as Line

    ifa = Line.objects.get(code="CSC-PLC-IFA")
    period = Period.objects.select_related("year").get(year__start_year=2018, number=6)
    commitment = metrics.commitment_forecast(period, [ifa])[ifa.pk]
    from budgets.formatting import pounds
    from budgets.models import Forecast

    officer = Forecast.objects.get(line=ifa, period=period).outturn
    row = html.split("CSC-PLC-IFA</a>", 1)[1].split("</tr>", 1)[0]
    assert pounds(commitment) in row and pounds(commitment - officer) in row


@pytest.mark.django_db
def test_rate_series_averages_only_published_neighbours():
    from placements.models import LacRate

    LacRate.objects.all().delete()
    for code, rate in [("900", "70"), ("901", "60"), ("902", None), ("E92000001", "62")]:
        LacRate.objects.create(
            area_code=code,
            area_name=code,
            level="x",
            year=2018,
            children=1,
            rate_per_10k=Decimal(rate) if rate else None,
        )
    assert metrics.rate_series("900", ["901", "902"]) == [
        (2018, Decimal("70"), Decimal("60.0"), Decimal("62"))
    ]


@pytest.mark.django_db
def test_the_lac_dashboard_charts_rates_and_unit_costs_against_comparators(client_for, director):
    import json
    import re

    html = client_for(director).get("/placements/?date=2017-09-30").content.decode()
    for chart_id in ["chart-lac-rate", "chart-unit-costs"]:
        block = re.search(
            f'id="{chart_id}-data" type="application/json">(.*?)</script>', html, re.S
        )
        figure = json.loads(block.group(1))
        assert [t["name"] for t in figure["data"]][0] == "This council"
    costs = json.loads(
        re.search(
            r'id="chart-unit-costs-data" type="application/json">(.*?)'
            r"</script>",
            html,
            re.S,
        ).group(1)
    )
    # DfE Section 251 unit costs of 2017-18 (the period's financial year), not hand-typed ones.
    residential = costs["data"][0]["x"].index("Residential care")
    assert costs["data"][0]["y"][residential] == 5100.0
    assert costs["data"][1]["y"][residential] == 3938.0
    assert "Children looked after per 10,000 children" in html


@pytest.mark.django_db
def test_the_placements_command_imports_with_a_header_file(tmp_path, capsys):
    from django.core.management import call_command

    episodes, header = tmp_path / "episodes.csv", tmp_path / "header.csv"
    episodes.write_text(EPISODES)
    header.write_text("CHILD,SEX,DOB\n900001,1,14/03/2008\n")
    call_command("import_placements", str(episodes), "--header", str(header))
    assert "Imported 2 rows: 2 new" in capsys.readouterr().out
    assert Child.objects.get(reference=pseudonymise("900001")).birth_year == 2008


@pytest.mark.django_db
def test_another_councils_episodes_are_neither_counted_nor_merged(settings):
    """A national database holds every council's episodes; each council's pages count its own,
    and the same SSDA903 identifier in two councils is two children."""
    day = D(2018, 8, 31)
    before = (metrics.lac_on(day), metrics.monthly_lac_series(first=D(2018, 4, 1), months=6))
    Council.objects.create(name="Neighbouring council", la_code="002")
    settings.CSC_COUNCIL_LA_CODE = "002"
    assert episodes_import(EPISODES.encode(), file_name="n.csv").created == 2
    assert metrics.lac_on(D(2024, 6, 1)) == 2
    assert metrics.lac_on(day) == 0
    settings.CSC_COUNCIL_LA_CODE = ""
    assert (metrics.lac_on(day), metrics.monthly_lac_series(first=D(2018, 4, 1), months=6)) == (
        before
    )
    assert episodes_import(EPISODES.encode(), file_name="n.csv").created == 2
    assert Child.objects.filter(reference=pseudonymise("900001")).count() == 2


@pytest.mark.django_db
def test_the_database_refuses_an_episode_of_another_councils_child():
    other = Council.objects.create(name="Neighbouring council", la_code="002")
    child = new_child("X1")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS episode_council_is_childs IMMEDIATE")
    with pytest.raises(IntegrityError, match="episode_council_is_childs"):
        Episode.objects.create(
            child=child, council=other, start=D(2020, 1, 1), place="U1", category="ifa"
        )
