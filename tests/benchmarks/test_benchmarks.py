"""Benchmarks for the year of the page, DfE unit costs and spend, and census returns that belong
to a council.

Every expected figure is read by hand from the files shipped in fixtures/dfe/:

- lait_cla_finance_workforce_2016_to_2025.csv (LAIT), rows for old_la_code 209 (Lewisham):
  `LAC,...,2018,Local authority,209,Lewisham,Inner London,70`;
  `RescareFinance,...,2017-18,Local authority,209,Lewisham,Inner London,5100` (the brief's
  £5,100 is what the file says); `TotalLACFinance,...,2017-18,...,209,...,34685879`;
  `LACnum,...,2018,...,209,...,480`; England (National) RescareFinance 2017-18 3630,
  TotalLACFinance 2017-18 4536594422, LACnum 2018 75360.
- sn_model_2025_wide.csv, Lewisham's ten neighbours: 208, 210, 306, 205, 203, 320, 309, 302,
  383, 355; their RescareFinance 2017-18: 5440, 4120, 1165, 2890, 2830, 3245, 8375, 3510, 3830,
  3975. Sum 39,380 → average 3,938.00; sorted 1165 2830 2890 3245 3510 | 3830 3975 4120 5440
  8375 → median (3510 + 3830) / 2 = 3,670.00.
- Southwark (210): LAIT `LAC,...,2024,...,210,Southwark,...,71` and the rates file
  cla_number_and_rate_per_10k_children.csv 2024 Southwark rate_per_10000 71; the first LAC
  year published in either file is 2016.
- Spend per child 2017-18: Lewisham 34,685,879 / 480 = 72,262.25 → £72,262; England
  4,536,594,422 / 75,360 = 60,198.97 → £60,199.
"""

import datetime
import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from budgets.benchmark_metrics import compare, finance_benchmarks
from budgets.models import Council, DfeFigure, ImportRecord
from budgets.reference import Basis, benchmark_year, neighbours_of
from placements import selectors as placement_selectors
from tests.parsed_html import parse
from workforce.importers import csww_import
from workforce.models import CensusReturn

pytestmark = pytest.mark.django_db
D = Decimal
DFE = Path(__file__).resolve().parents[2] / "fixtures" / "dfe"
EXAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "examples"


def run(command, *args, **options) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def southwark():
    """LA 210 set up through the commands, served by this deployment (the demo council is in
    the same database)."""
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        run("setup_council", la_code="210", name="Southwark", year="2024/25")
        run("import_budgets", str(EXAMPLES / "budget_book_2024-25.csv"))
        run("import_users", str(EXAMPLES / "users.csv"))
        yield Council.objects.get(la_code="210")


@pytest.fixture
def southwark_too():
    """LA 210 set up in the same database while the deployment goes on serving the demo
    council (a regional database)."""
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        run("setup_council", la_code="210", name="Southwark", year="2024/25")
        run("import_budgets", str(EXAMPLES / "budget_book_2024-25.csv"))
        run("import_users", str(EXAMPLES / "users.csv"))
    return Council.objects.get(la_code="210")


# --- The rule ---------------------------------------------------------------------------------


def test_the_rule_takes_the_31_march_on_or_before_the_date():
    rule = benchmark_year(datetime.date(2024, 8, 31), [2023, 2024, 2025], basis=Basis.MARCH)
    assert (rule.year, rule.label) == (2024, "31 March 2024")
    assert rule.note == "31 March 2024, the latest on or before 31 August 2024."
    # The day before 31 March is still last year's.
    assert benchmark_year(datetime.date(2024, 3, 30), [2023, 2024], basis=Basis.MARCH).year == 2023


def test_the_rule_says_when_the_year_is_not_published_yet():
    rule = benchmark_year(datetime.date(2026, 6, 1), [2024, 2025], basis=Basis.MARCH)
    assert rule.year == 2025 and not rule.exact
    assert rule.note == "No DfE figure yet for 31 March 2026: showing 31 March 2025."


def test_the_rule_gives_nothing_before_the_first_published_year():
    rule = benchmark_year(datetime.date(2015, 6, 1), [2016, 2017], basis=Basis.MARCH)
    assert rule.year is None
    assert (
        rule.note
        == "No DfE figure for 31 March 2015 or before (the first published is 31 March 2016)."
    )


def test_the_rule_by_census_and_financial_year():
    census = benchmark_year(datetime.date(2018, 8, 31), [2017, 2018], basis=Basis.SEPTEMBER)
    assert census.year == 2017  # the 2018 census is on 30 September, after the date
    finance = benchmark_year(datetime.date(2018, 8, 31), [2017, 2018], basis=Basis.FINANCIAL)
    assert (finance.year, finance.label) == (2018, "2018-19")
    gap = benchmark_year(datetime.date(2020, 5, 1), [2017, 2018, 2021], basis=Basis.FINANCIAL)
    assert gap.note == (
        "No DfE figure for 2020-21: the latest published before 1 May 2020 is 2018-19."
    )


# --- LAC rates of the page's year -------------------------------------------------------------


def test_lewisham_lac_rate_on_31_march_2018_is_70():
    neighbours = [a.la_code for a in neighbours_of("209")]
    rates = placement_selectors.lac_rate_benchmark("209", neighbours, datetime.date(2018, 8, 31))
    assert (rates["year"], rates["council"]) == (2018, D("70"))
    assert rates["england"] == D("64")  # LAIT: LAC,...,2018,National,,England,,64


def test_the_placements_page_shows_the_rate_of_its_year(client_for, scrutiny):
    html = client_for(scrutiny).get("/placements/?date=2018-08-31").content.decode()
    rates = parse(html).table("Children looked after per 10,000 children on 31 March 2018 (DfE)")
    assert rates.row("This council") == ["This council", "70.0"]
    assert "31 March 2018, the latest on or before 31 August 2018." in html
    # The unit costs of the same date's financial year, 2018-19.
    assert "Weekly unit costs and looked-after spend per child, 2018-19" in html


def test_the_second_councils_rate_on_a_2024_date_is_31_march_2024s(southwark):
    rule = placement_selectors.lac_rate_year("210", datetime.date(2024, 6, 30))
    assert rule.year == 2024
    neighbours = [a.la_code for a in neighbours_of("210")]
    rates = placement_selectors.comparator_rates("210", neighbours, rule.year)
    assert rates["council"] == D("71")


def test_before_the_first_published_year_there_is_no_figure(southwark, client_for):
    rule = placement_selectors.lac_rate_year("210", datetime.date(2015, 6, 30))
    assert rule.year is None
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        from django.contrib.auth import get_user_model

        client = client_for(get_user_model().objects.get(username="cllr.adeyemi"))
        html = client.get("/placements/?date=2015-06-30").content.decode()
    assert "No DfE figure for 31 March 2015 or before" in html
    rates = parse(html).table("Children looked after per 10,000 children (DfE)")
    assert rates.row("This council") == ["This council", "not published"]


def test_the_lac_rate_scenario_uses_the_same_years_rate_and_population():
    # 31 March 2018 rates go with the mid-2017 population (the DfE's own divisor):
    # ons_mid-year_population_estimates: 2017, Lewisham, 67144.
    assert placement_selectors.rate_population("209", 2018) == 67144


# --- Unit costs and spend ---------------------------------------------------------------------


def test_lewisham_residential_unit_cost_against_neighbours_and_england():
    finance = finance_benchmarks("209", datetime.date(2017, 9, 30))
    assert finance.year.label == "2017-18" and finance.neighbours == 10
    residential = next(c for c in finance.unit_costs if c.key == "RescareFinance")
    assert (residential.council, residential.england) == (D("5100.00"), D("3630.00"))
    assert residential.neighbours_average == D("3938.00")
    assert residential.neighbours_median == D("3670.00")
    assert residential.reporting == 10
    spend = finance.spend_per_child
    assert (spend.council, spend.england) == (D("72262"), D("60199"))


def test_a_suppressed_neighbour_is_left_out_not_counted_as_zero():
    row = compare(
        key="x", label="x", council=D("10"), neighbours=[D("4"), None, D("8")], england=None
    )
    assert (row.neighbours_average, row.neighbours_median, row.reporting) == (D("6"), D("6"), 2)


def test_suppressed_values_are_stored_as_missing():
    # LAIT row 13: AdoptionFinance 2016-17 Bournemouth, Christchurch and Poole (839), "-".
    figure = DfeFigure.objects.get(measure="AdoptionFinance", year=2016, area_code="839")
    assert figure.value is None


def test_the_committee_unit_cost_table_compares_with_the_dfe(client_for, director):
    html = client_for(director).get("/committee/?year=2017/18&period=6").content.decode()
    unit_costs = parse(html).find("table", text="Residential care, a week (DfE 2017-18)")
    row = unit_costs.record("Residential care, a week (DfE 2017-18)")
    assert [
        row["Average weekly cost £"],
        row["Statistical neighbours' average £"],
        row["Statistical neighbours' median £"],
        row["England £"],
    ] == ["£5,100", "£3,938", "£3,670", "£3,630"]
    assert "2017-18, the financial year of 30 September 2017." in html


# --- load_benchmarks --------------------------------------------------------------------------


def test_loading_the_benchmarks_again_changes_nothing():
    before = DfeFigure.objects.count()
    output = run("load_benchmarks")
    assert "LAIT figures: 0 new, 0 changed." in output
    assert "LAC rates from LAIT for earlier years: 0 rows." in output
    assert DfeFigure.objects.count() == before == 26180


def test_a_bad_lait_file_loads_nothing(tmp_path):
    for name in DFE.glob("*.csv"):
        shutil.copy(name, tmp_path / name.name)
    lait = tmp_path / "lait_cla_finance_workforce_2016_to_2025.csv"
    lines = lait.read_text(encoding="utf-8-sig").splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",lots"
    lines[2] = lines[2].replace(",2016-17,", ",2016-18,")
    lait.write_text("\n".join(lines) + "\n", encoding="utf-8")
    DfeFigure.objects.filter(area_code="301").delete()
    with pytest.raises(CommandError) as refused:
        call_command("load_benchmarks", str(tmp_path), verbosity=0)
    assert "row 2: value 'lots' is not a number or a DfE symbol" in str(refused.value)
    assert "row 3: time_period '2016-18' is not a financial year like 2024-25" in str(refused.value)
    assert not DfeFigure.objects.filter(area_code="301").exists()


# --- The workforce census belongs to a council ------------------------------------------------

CENSUS = (
    "<Message><Header><CollectionDetails><ReferenceDate>2019-09-30</ReferenceDate>"
    "</CollectionDetails><Source><LEA>{lea}</LEA></Source></Header>"
    "<CSWWWorker><FTE>{fte}</FTE><Cases30>3</Cases30></CSWWWorker>"
    "<LALevelVacancies><NumberOfVacancies>{vacancies}</NumberOfVacancies>"
    "<NoAgencyFTE>{agency}</NoAgencyFTE><NoAgencyHeadcount>2</NoAgencyHeadcount>"
    "</LALevelVacancies></Message>"
)


def census(lea, *, fte="1", agency="0.5", vacancies="3"):
    return CENSUS.format(lea=lea, fte=fte, agency=agency, vacancies=vacancies).encode()


def test_a_census_for_an_la_not_in_the_database_is_refused_naming_both(finance):
    report = csww_import(census("999"), file_name="c.xml", user=finance)
    council = Council.objects.current().get()
    assert report.file_error == (
        f"The census return is for LA 999; this deployment serves {council.name} "
        f"(LA {council.la_code})."
    )
    assert not CensusReturn.objects.filter(reference_date=datetime.date(2019, 9, 30)).exists()
    assert ImportRecord.objects.filter(kind="csww", outcome="failed").exists()


def test_a_census_for_a_council_in_the_database_goes_to_that_council(southwark_too, administrator):
    # The deployment serves the demo council; Southwark is set up in the same database.
    report = csww_import(census("210"), file_name="c.xml", user=administrator)
    assert report.ok, report.file_error
    loaded = CensusReturn.objects.get(reference_date=datetime.date(2019, 9, 30))
    assert loaded.council == southwark_too
    assert not CensusReturn.objects.current().filter(pk=loaded.pk).exists()
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        assert CensusReturn.objects.current().get() == loaded


def test_a_finance_officer_of_another_council_only_is_refused(southwark_too, finance):
    report = csww_import(census("210"), file_name="c.xml", user=finance)
    assert report.file_error.startswith(
        "The census return is for Southwark (LA 210), which you may not load for"
    )


def test_an_impossible_total_is_warned_not_refused(finance, client_for):
    council = Council.objects.current().get()
    # The new user's file: agency FTE 59.82 against 9.55 FTE of workers.
    data = census(council.la_code, fte="9.55", agency="59.82", vacancies="-4")
    report = csww_import(data, file_name="c.xml", user=finance)
    assert report.ok
    assert report.warnings == [
        "NumberOfVacancies is -4: a count cannot be negative, so it is kept as not reported.",
        "NoAgencyFTE 59.82 is more than the FTE of all the return's workers (9.55): check the "
        "return.",
    ]
    assert "Warning: NumberOfVacancies is -4" in ImportRecord.objects.filter(kind="csww")[0].message
    loaded = CensusReturn.objects.current().get(reference_date=datetime.date(2019, 9, 30))
    assert (loaded.agency_fte, loaded.vacancies) == (D("59.82"), None)
    html = client_for(finance).get("/workforce/?date=2019-10-31").content.decode()
    assert "Agency FTE 59.82 is more than the FTE of all the return&#x27;s workers (9.55)" in html


def test_the_upload_page_shows_the_warning(finance, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    council = Council.objects.current().get()
    upload = SimpleUploadedFile("c.xml", census(council.la_code, fte="9.55", agency="59.82"))
    html = (
        client_for(finance)
        .post("/workforce/upload/", {"kind": "csww", "file": upload})
        .content.decode()
    )
    assert 'id="import-warnings"' in html and "NoAgencyFTE 59.82 is more than" in html


# --- Query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/placements/?date=2018-08-31", "/workforce/?date=2018-08-31"])
def test_the_benchmark_pages_have_a_fixed_number_of_queries(
    url, client_for, scrutiny, django_assert_max_num_queries
):
    client = client_for(scrutiny)
    client.get(url)
    with django_assert_max_num_queries(30):
        assert client.get(url).status_code == 200
