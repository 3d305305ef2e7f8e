"""Placements: SSDA903 codes, LAC counting rules, imports, pseudonymisation, the report's
tables 10.1 and 10.4 from the demo data, the commitment forecast and the scenarios."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection

from budgets.formatting import millions
from budgets.models import Actual, BudgetLine, Council, ImportRecord, Period
from placements import metrics, scenarios, selectors
from placements.categories import PLACE_CODES, CostCategory, category_for
from placements.importers import costs_import, episodes_import, pseudonymise
from placements.models import CategoryLine, Child, Episode, RateCard

D = datetime.date


def new_child(code: str) -> Child:
    """A child of the demo council (the one the pages show)."""
    return Child.objects.create(
        council=Council.objects.current().get(), reference=pseudonymise(code)
    )


EXPECTED = {
    **{f"U{n}": "in_house_fostering" for n in range(1, 7)},
    **{c: "residential" for c in ["K2", "R1", "P3", "S1"]},
    "K1": "secure",
    **{c: "semi_independent" for c in ["H5", "P2", "K3"]},
    "P1": "placed_with_parents",
    **{f"A{n}": "adoption" for n in range(3, 7)},
    **{c: "other" for c in ["R2", "R3", "R5", "T0", "T1", "T2", "T3", "T4", "Z1"]},
}


@pytest.mark.parametrize("place", sorted(PLACE_CODES))
def test_every_place_code_has_a_cost_category_with_an_in_house_provider(place):
    assert category_for(place, "PR1") == EXPECTED[place]


def test_agency_fostering_is_u4_to_u6_from_a_private_or_voluntary_provider():
    for place in ["U4", "U5", "U6"]:
        for provider in ["PR4", "PR5"]:
            assert category_for(place, provider) == CostCategory.IFA
        for provider in ["PR0", "PR1", "PR2", "PR3", ""]:
            assert category_for(place, provider) == CostCategory.IN_HOUSE_FOSTERING
    for place in ["U1", "U2", "U3"]:
        assert category_for(place, "PR4") == CostCategory.IN_HOUSE_FOSTERING


def test_the_code_list_is_the_ssda903_one():
    assert set(EXPECTED) == PLACE_CODES


@pytest.mark.django_db
def test_the_start_day_counts_and_the_end_day_does_not():
    Episode.objects.all().delete()
    child = new_child("T1")
    Episode.objects.create(
        child=child,
        council=child.council,
        start=D(2020, 1, 10),
        end=D(2020, 2, 10),
        place="U1",
        category="in_house_fostering",
    )
    assert selectors.lac_on(D(2020, 1, 9)) == 0
    assert selectors.lac_on(D(2020, 1, 10)) == 1
    assert selectors.lac_on(D(2020, 2, 9)) == 1
    assert selectors.lac_on(D(2020, 2, 10)) == 0
    # A new placement starting the day the last one ended: still one child, counted once.
    Episode.objects.create(
        child=child,
        council=child.council,
        start=D(2020, 2, 10),
        place="K2",
        category="residential",
    )
    assert selectors.lac_on(D(2020, 2, 10)) == 1
    assert selectors.lac_by_category_on(D(2020, 2, 10)) == {"residential": 1}


@pytest.mark.django_db
def test_the_monthly_series_counts_each_month_end_by_category():
    Episode.objects.all().delete()
    child = new_child("T2")
    Episode.objects.create(
        child=child,
        council=child.council,
        start=D(2020, 1, 31),
        end=D(2020, 3, 31),
        place="U4",
        place_provider="PR4",
        category="ifa",
    )
    assert selectors.monthly_lac_series(first=D(2020, 1, 1), months=3) == [
        (D(2020, 1, 31), "ifa", 1),
        (D(2020, 2, 29), "ifa", 1),
    ]


def test_the_rate_per_10000_children():
    assert metrics.rate_per_10k(children=494, population=68845) == Decimal("71.8")


@pytest.mark.django_db
def test_the_demo_reproduces_the_lac_counts_of_table_10_1():
    counts = {y: selectors.lac_on(D(y, 8, 31)) for y in range(2013, 2019)}
    assert counts == {2013: 506, 2014: 516, 2015: 489, 2016: 440, 2017: 467, 2018: 494}


@pytest.mark.django_db
def test_the_demo_reproduces_table_10_4():
    rows = {r.category: r for r in selectors.placement_costs(D(2017, 9, 30))}
    table = {
        key: (rows[key].children, rows[key].unit_cost, millions(rows[key].annual_cost))
        for key in ["residential", "ifa", "in_house_fostering"]
    }
    assert table == {
        "residential": (35, Decimal("3741.00"), "6.8"),
        "ifa": (198, Decimal("911.00"), "9.4"),
        "in_house_fostering": (168, Decimal("426.00"), "3.7"),
    }
    assert (rows["in_house_fostering"].share, rows["ifa"].share) == (
        Decimal("35.8"),
        Decimal("42.2"),
    )
    residential_incl_semi = rows["residential"].children + rows["semi_independent"].children
    assert residential_incl_semi == 77
    assert round(Decimal(77) * 100 / sum(r.children for r in rows.values()), 1) == Decimal("16.4")


@pytest.mark.django_db
def test_the_placements_page_shows_the_tables(client_for, scrutiny):
    html = client_for(scrutiny).get("/placements/?date=2017-09-30").content.decode()
    assert "£3,741" in html and "£911" in html and "£426" in html
    # The residential unit cost beside the DfE's for 2017-18 (the financial year of the date):
    # lait_cla_finance_workforce_2016_to_2025.csv, RescareFinance 2017-18: Lewisham 5100, its
    # ten neighbours' average 3938 and median 3670 (see test_benchmarks.py), England 3630.
    row = html.split(">Residential care, a week</th>", 1)[1].split("</tr>", 1)[0]
    assert [c.split("<", 1)[0] for c in row.split('numeric">')[1:]] == [
        "£5,100",
        "£3,938",
        "£3,670",
        "£3,630",
    ]
    assert ">6.8<" in html and ">9.4<" in html and ">3.7<" in html
    assert "August 2013" in html and ">506<" in html


EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
    "900001,2024-04-01,S,C2,N1,U4,PR4,,,,SE6 4RU,BR1 1AA,SC123456\n"
    "900002,01/05/2024,S,C2,N1,K2,PR4,30/06/2024,E4A,,SE13 5AB,ME1 2CD,SC654321\n"
)


def all_text_in_database() -> str:
    """Every text value in every table of ours, for scanning."""
    chunks = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb')"
            " AND (table_name LIKE 'budgets_%%' OR table_name LIKE 'placements_%%'"
            " OR table_name LIKE 'workforce_%%')"
        )
        for table, column in cursor.fetchall():
            cursor.execute(f'SELECT "{column}"::text FROM "{table}"')  # noqa: S608 (catalogue names)
            chunks += [row[0] or "" for row in cursor.fetchall()]
    return "\n".join(chunks)


@pytest.mark.django_db
def test_import_pseudonymises_children_and_drops_postcodes(finance):
    header = (
        "CHILD,SEX,DOB,ETHNIC,UPN,UASC\n900001,1,14/03/2008,WBRI,A123,0\n900002,2,2010-07-01,,,1\n"
    )
    report = episodes_import(
        EPISODES.encode(), file_name="episodes.csv", header=header.encode(), user=finance
    )
    assert report.ok, report.errors
    assert report.created == 2
    child = Child.objects.get(reference=pseudonymise("900001"))
    assert (child.birth_year, child.birth_month, child.uasc) == (2008, 3, False)
    assert Child.objects.get(reference=pseudonymise("900002")).uasc is True
    text = all_text_in_database()
    for secret in [
        "900001",
        "900002",
        "SE6 4RU",
        "BR1 1AA",
        "SE13 5AB",
        "SC123456",
        "2008-03-14",
        "14/03/2008",
    ]:
        assert secret not in text
    assert Episode.objects.get(child=child).category == "ifa"


@pytest.mark.django_db
def test_reimporting_and_overlapping_files_merge_without_duplicates():
    assert episodes_import(EPISODES.encode(), file_name="a.csv").created == 2
    again = episodes_import(EPISODES.encode(), file_name="a.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    later = (
        EPISODES.replace(
            "900001,2024-04-01,S,C2,N1,U4,PR4,,", "900001,2024-04-01,S,C2,N1,U4,PR4,31/03/2025,"
        )
        + "900001,2025-03-31,P,C2,N1,U1,PR1,,,,,,\n"
    )
    report = episodes_import(later.encode(), file_name="b.csv")
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    child = Child.objects.get(reference=pseudonymise("900001"))
    assert child.episodes.count() == 2
    assert child.episodes.get(start=D(2024, 4, 1)).end == D(2025, 3, 31)


@pytest.mark.django_db
def test_every_bad_episode_row_is_reported_and_nothing_is_written():
    before = Episode.objects.count()
    bad = (
        "CHILD,DECOM,PLACE,PLACE_PROVIDER,DEC\n"
        ",2024-04-01,U1,PR1,\n"  # row 2: no child
        "A,2024-13-01,U1,PR1,\n"  # row 3: bad date
        "B,2024-04-01,XX,PR1,\n"  # row 4: unknown placement type
        "C,2024-04-01,U1,PR9,\n"  # row 5: unknown provider
        "D,2024-04-10,U1,PR1,2024-04-01\n"  # row 6: ends before it starts
        "E,2024-04-01,U1,PR1,\n"  # row 7: good
        "E,01/04/2024,U2,PR1,\n"  # row 8: same child and start again
    )
    report = episodes_import(bad.encode(), file_name="bad.csv")
    assert {e.row for e in report.errors} == {2, 3, 4, 5, 6, 8}
    messages = " ".join(str(e) for e in report.errors)
    assert "'XX' is not an SSDA903 placement type" in messages
    assert "appear again (first on row 7)" in messages
    assert Episode.objects.count() == before
    assert ImportRecord.objects.get(file_name="bad.csv").outcome == "failed"


@pytest.mark.django_db
def test_costs_import_per_episode_and_as_a_rate_card():
    episodes_import(EPISODES.encode(), file_name="a.csv")
    report = costs_import(
        b'CHILD,DECOM,WEEKLY_COST\n900001,2024-04-01,"\xa3950.00"\n', file_name="costs.csv"
    )
    assert report.ok, report.errors
    assert Episode.objects.get(child__reference=pseudonymise("900001")).weekly_cost == Decimal(
        "950"
    )
    card = costs_import(
        b"CATEGORY,EFFECTIVE_FROM,WEEKLY_COST\nresidential,2024-04-01,4000\n", file_name="card.csv"
    )
    assert card.ok, card.errors
    assert RateCard.objects.get(category="residential").weekly_cost == Decimal("4000")
    missing = costs_import(b"CHILD,DECOM,WEEKLY_COST\nNOBODY,2024-04-01,1\n", file_name="x.csv")
    assert "no episode for this child" in str(missing.errors[0])


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
    result = selectors.commitment_forecast(period, [line])
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
    commitment = selectors.commitment_forecast(period, [ifa])[ifa.pk]
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
    assert selectors.rate_series("900", ["901", "902"]) == [
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
    before = (selectors.lac_on(day), selectors.monthly_lac_series(first=D(2018, 4, 1), months=6))
    Council.objects.create(name="Neighbouring council", la_code="002")
    settings.CSC_COUNCIL_LA_CODE = "002"
    assert episodes_import(EPISODES.encode(), file_name="n.csv").created == 2
    assert selectors.lac_on(D(2024, 6, 1)) == 2
    assert selectors.lac_on(day) == 0
    settings.CSC_COUNCIL_LA_CODE = ""
    assert (selectors.lac_on(day), selectors.monthly_lac_series(first=D(2018, 4, 1), months=6)) == (
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
