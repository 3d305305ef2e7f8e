"""SSDA903 returns as councils and regional tools hold them, rate cards that cost every open
placement, and placement data that belongs to a council: with councils built through the
set-up commands (the demo council, LA 209, is in the same database and has episodes).

`fixtures/examples/ssda903_episodes_3_years_3_councils.csv`, counted by hand (19 rows):

- Southwark (LA 210, by name): 10 rows in three returns (2022: 3, 2023: 3, 2024: 4), 6
  episodes of 5 children; 4 rows repeat an episode that a later return holds (100001's first
  episode once, 100003's first episode twice, 100004's once). Latest date 1 October 2023, when
  3 children are looked after (100003 in U5 from 30 June, 100004, 100005 from that day).
- Bromley (LA 305, by name): 5 rows, 2 episodes of 2 children, 3 repeats.
- Hillingdon (LA 312, by code): 4 rows, 2 episodes of 2 children, 2 repeats; its child 100001
  has the same identifier as a Southwark child and is another child.
"""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings

from budgets.models import BudgetLine, Council, Period
from placements import metrics, selectors
from placements.importers import costs_import, episodes_import, pseudonymise
from placements.models import (
    CategoryLine,
    Child,
    Episode,
    RateCard,
    Scenario,
    UnitCostBenchmark,
)

pytestmark = pytest.mark.django_db

D = datetime.date
EXAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "examples"
RETURNS = EXAMPLES / "ssda903_episodes_3_years_3_councils.csv"
UASC = EXAMPLES / "ssda903_uasc_2_years.csv"


def run(command, *args, **options) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=out, **options)
    return out.getvalue()


@pytest.fixture
def southwark():
    """A one-council deployment for LA 210 (beside the demo council in the database)."""
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        run("setup_council", la_code="210", name="Southwark", year="2024/25")
        yield Council.objects.get(la_code="210")


@pytest.fixture
def three_councils(southwark):
    """A regional database: Bromley and Hillingdon set up too, by their LA codes."""
    run("setup_council", la_code="305", year="2024/25")
    run("setup_council", la_code="312", year="2024/25")
    return southwark


@pytest.fixture
def with_users(southwark):
    run("import_budgets", str(EXAMPLES / "budget_book_2024-25.csv"))
    run("import_users", str(EXAMPLES / "users.csv"))
    return southwark


def user(username):
    return get_user_model().objects.get(username=username)


def held(la_code: str) -> tuple[int, int]:
    return (
        Episode.objects.filter(council__la_code=la_code).count(),
        Child.objects.filter(council__la_code=la_code).count(),
    )


def load(*paths, **options):
    files = [(Path(p).name, Path(p).read_bytes()) for p in paths]
    return episodes_import(files, **options)


# --- Yearly returns and councils in one file ---------------------------------------------------


def test_a_one_council_database_loads_its_own_rows_and_counts_the_others_per_la(southwark):
    lewisham = Episode.objects.exclude(council=southwark).count()
    report = load(RETURNS)
    assert report.ok, (report.file_error, report.errors)
    assert (report.rows, report.created, report.updated, report.unchanged) == (19, 6, 0, 0)
    assert report.superseded == 4
    assert report.skipped == {
        "Bromley skipped: not a council of this database": 5,
        "Hillingdon skipped: not a council of this database": 4,
    }
    assert "5 rows for Bromley skipped: not a council of this database." in report.summary()
    assert held("210") == (6, 5)
    assert Episode.objects.exclude(council=southwark).count() == lewisham


def test_a_regional_database_sends_each_row_to_its_council(three_councils):
    report = load(RETURNS)
    assert report.ok, (report.file_error, report.errors)
    assert (report.created, report.superseded, report.skipped) == (10, 9, {})
    assert held("210") == (6, 5)
    assert held("305") == (2, 2)
    assert held("312") == (2, 2)
    # The same SSDA903 identifier in two councils is two children.
    assert Child.objects.filter(reference=pseudonymise("100001")).count() == 2
    hillingdon = Episode.objects.get(
        council__la_code="312", child__reference=pseudonymise("100001")
    )
    assert (hillingdon.start, hillingdon.end, hillingdon.reason_ended) == (
        D(2022, 7, 1),
        D(2023, 5, 1),
        "E3",
    )
    # The pages of each council count only its own children.
    assert selectors.lac_on(D(2023, 10, 1)) == 3
    with override_settings(CSC_COUNCIL_LA_CODE="305"):
        assert selectors.lac_on(D(2022, 7, 31)) == 2
        assert selectors.lac_on(D(2022, 8, 1)) == 1


def test_reloading_the_returns_changes_nothing(three_councils):
    assert load(RETURNS).created == 10
    again = load(RETURNS)
    assert (again.created, again.updated, again.unchanged, again.superseded) == (0, 0, 10, 9)
    assert held("210") == (6, 5)


def test_an_open_episode_repeated_with_its_dec_in_the_next_return_is_one_episode(southwark):
    assert load(RETURNS).ok
    first = Episode.objects.filter(council=southwark, child__reference=pseudonymise("100003"))
    assert [(e.start, e.end, e.place, e.reason_ended) for e in first] == [
        (D(2022, 2, 1), D(2023, 6, 30), "U4", "X1"),
        (D(2023, 6, 30), None, "U5", ""),
    ]
    closed = Episode.objects.get(council=southwark, child__reference=pseudonymise("100001"))
    assert (closed.end, closed.reason_ended) == (D(2022, 11, 30), "E4A")


def test_the_latest_return_wins_whatever_the_order_of_the_rows(southwark):
    text = RETURNS.read_text().splitlines()
    reversed_file = "\n".join([text[0], *reversed(text[1:])]) + "\n"
    report = episodes_import(reversed_file.encode(), file_name="reversed.csv")
    assert report.ok, report.errors
    closed = Episode.objects.get(council=southwark, child__reference=pseudonymise("100001"))
    assert closed.end == D(2022, 11, 30)


def test_yearly_returns_as_separate_files_without_a_year_column(southwark):
    """Each file is one return; the one whose dates run later wins, whatever the order."""
    year_2023 = (
        "CHILD,DECOM,PLACE,PLACE_PROVIDER,DEC,REC\n"
        "100001,01/06/2021,U1,PR1,,\n"
        "100002,01/09/2022,U4,PR4,,\n"
    )
    year_2024 = (
        "CHILD,DECOM,PLACE,PLACE_PROVIDER,DEC,REC\n100001,01/06/2021,U1,PR1,31/01/2024,E4A\n"
    )
    report = episodes_import([("2024.csv", year_2024.encode()), ("2023.csv", year_2023.encode())])
    assert report.ok, report.errors
    assert (report.created, report.superseded) == (2, 1)
    assert Episode.objects.get(council=southwark, child__reference=pseudonymise("100001")).end == (
        D(2024, 1, 31)
    )


def test_a_duplicate_within_one_return_is_refused_with_both_rows(southwark):
    text = (
        "Child,Decom,Place,Place_Provider,Dec,La,Year\n"
        "100001,01/06/2021,U1,PR1,,Southwark,2022\n"  # row 2
        "100001,01/06/2021,U1,PR1,,Southwark,2023\n"  # row 3: the next return, fine
        "100001,2021-06-01,U2,PR1,,Southwark,2023\n"  # row 4: row 3 again in 2023
    )
    before = Episode.objects.count()
    report = episodes_import(text.encode(), file_name="dup.csv")
    assert [(e.row, e.column) for e in report.errors] == [(4, "Decom")]
    assert "appear again in the 2023 return (first on row 3)" in report.errors[0].message
    assert Episode.objects.count() == before


def test_bad_la_and_year_cells_are_listed_under_the_files_own_headers(southwark):
    text = (
        "CHILD,DECOM,PLACE,PLACE_PROVIDER,Local Authority,Return Year\n"
        "1,01/06/2021,U1,PR1,Narnia,2022\n"
        "2,01/06/2021,U1,PR1,210,twenty\n"
    )
    report = episodes_import(text.encode(), file_name="bad.csv")
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "Local Authority"),
        (3, "Return Year"),
    ]
    assert "the cell is not a local authority" in report.errors[0].message


def test_a_finance_officer_loads_only_their_own_councils_rows(three_councils, with_users):
    report = load(RETURNS, user=user("a.okafor"))
    assert report.ok, (report.file_error, report.errors)
    assert held("210") == (6, 5) and held("305") == (0, 0)
    assert report.skipped["Bromley skipped: only an administrator loads another council's rows"]
    administrator = load(RETURNS, user=user("m.clarke"))
    assert administrator.created == 4 and held("305") == (2, 2)


def test_the_uasc_file_sets_the_flag_and_a_later_years_row_wins(three_councils):
    header = (
        "CHILD,SEX,DOB,UASC,LA,YEAR\n"
        "100004,1,14/02/2006,0,Southwark,2024\n"  # later than the UASC file's 2023 row: wins
        "100005,2,21/11/2006,0,Southwark,2023\n"  # earlier than the UASC file's 2024 row
    )
    report = episodes_import(
        [(RETURNS.name, RETURNS.read_bytes())],
        header=[("header.csv", header.encode())],
        uasc=[(UASC.name, UASC.read_bytes())],
    )
    assert report.ok, report.errors

    def uasc(la_code, child):
        return Child.objects.get(council__la_code=la_code, reference=pseudonymise(child)).uasc

    assert uasc("210", "100004") is False
    assert uasc("210", "100005") is True
    assert uasc("305", "200002") is True
    assert uasc("210", "100003") is False
    four = Child.objects.get(council__la_code="210", reference=pseudonymise("100004"))
    assert (four.birth_year, four.birth_month) == (2006, 2)


def test_the_command_takes_several_files_and_a_uasc_file(southwark, tmp_path):
    first, second = tmp_path / "2023.csv", tmp_path / "2024.csv"
    first.write_text("CHILD,DECOM,PLACE,PLACE_PROVIDER\n100001,01/06/2022,U1,PR1\n")
    second.write_text("CHILD,DECOM,PLACE,PLACE_PROVIDER,DEC\n100001,01/06/2022,U1,PR1,01/02/2024\n")
    out = run("import_placements", str(first), str(second), "--uasc", str(UASC))
    assert "Imported 2 rows: 1 new" in out
    assert "1 row for Bromley skipped: not a council of this database" in out
    child = Child.objects.get(council=southwark, reference=pseudonymise("100001"))
    assert child.episodes.get().end == D(2024, 2, 1)


# --- The numbers looked after against the DfE's -------------------------------------------------


def open_episodes(count: int, *, start: str, old: int = 0, old_start: str = "01/04/2012") -> bytes:
    rows = ["CHILD,DECOM,PLACE,PLACE_PROVIDER"]
    rows += [f"C{n},{old_start if n < old else start},U1,PR1" for n in range(count)]
    return ("\n".join(rows) + "\n").encode()


def test_a_plausible_return_loads_without_a_warning(southwark):
    """390 children on 1 April 2024 among Southwark's 55,626 aged 0-17 (ONS 2024): 70.1 per
    10,000, against the DfE's 70 on 31 March 2025."""
    report = episodes_import(open_episodes(390, start="01/04/2024"), file_name="ok.csv")
    assert report.ok, report.errors
    [check] = report.checks
    assert (check.day, check.children, check.rate) == (D(2024, 4, 1), 390, Decimal("70.1"))
    assert (check.dfe_rate, check.dfe_year, check.old_open) == (Decimal("70"), 2025, 0)
    assert report.warnings == []


def test_an_implausible_return_loads_with_warnings(southwark):
    """1,300 children (233.7 per 10,000, more than half as much again as 70), 400 of them in
    episodes open since April 2012, more than ten years before 1 April 2024."""
    data = open_episodes(1300, start="01/04/2024", old=400)
    report = episodes_import(data, file_name="never-closed.csv")
    assert report.ok, report.errors
    assert report.checks[0].rate == Decimal("233.7")
    first, second = report.warnings
    assert "1,300 children looked after on 01/04/2024, 233.7 per 10,000" in first
    assert "the DfE's 70.0 on 31 March 2025" in first
    assert "400 episodes still open on 01/04/2024 started more than 10 years before" in second
    assert "Warning: Southwark: 1,300 children" in report.summary()


def test_the_upload_page_shows_the_check_and_the_skipped_councils(with_users, client):
    client.force_login(user("a.okafor"))
    with open(RETURNS, "rb") as episodes:
        page = client.post("/placements/upload/", {"episodes": [episodes]})
    html = page.content.decode()
    assert page.status_code == 200
    assert "5 rows for Bromley skipped: not a council of this database" in html
    assert "Children looked after after this load" in html
    assert "govuk-warning-text" in html  # three children is far below Southwark's 70


def test_the_upload_page_is_a_few_queries(with_users, client, django_assert_max_num_queries):
    client.force_login(user("m.clarke"))
    with django_assert_max_num_queries(12):
        assert client.get("/placements/upload/").status_code == 200


# --- Rate cards ---------------------------------------------------------------------------------

MARCH_TO_APRIL = b"CHILD,DECOM,PLACE,PLACE_PROVIDER,DEC\n700001,01/03/2024,U4,PR4,01/05/2024\n"
OPEN_FROM_MARCH = b"CHILD,DECOM,PLACE,PLACE_PROVIDER\n700001,01/03/2024,U4,PR4\n"
APRIL_CARD = b"CATEGORY,EFFECTIVE_FROM,WEEKLY_COST\nifa,01/04/2024,700\n"


def test_a_rate_card_from_1_april_costs_a_placement_that_started_in_march(southwark):
    """In care 1 March to 30 April (DEC 1 May: the end day is not a day in care); £700 a week
    from 1 April is £100 a day: April = 30 × £100 = £3,000; March has no card, no cost."""
    assert episodes_import(MARCH_TO_APRIL, file_name="e.csv").ok
    assert costs_import(APRIL_CARD, file_name="card.csv").ok
    episode = Episode.objects.current().get(start=D(2024, 3, 1), place="U4")

    def cost(first, last):
        return metrics.cost_between(episode, selectors.current_rates(), first, last)

    assert cost(D(2024, 4, 1), D(2024, 4, 30)) == Decimal("3000")
    assert cost(D(2024, 3, 1), D(2024, 3, 31)) is None
    march_card = b"CATEGORY,EFFECTIVE_FROM,WEEKLY_COST\nifa,01/01/2024,630\n"
    assert costs_import(march_card, file_name="card-2.csv").ok
    # March at £90 a day (31 days), April at £100 a day (30 days).
    assert cost(D(2024, 3, 1), D(2024, 4, 30)) == Decimal("5790")
    ifa = {c.category: c for c in selectors.placement_costs(D(2024, 4, 15))}["ifa"]
    assert (ifa.children, ifa.unit_cost) == (1, Decimal("700.00"))


def test_the_commitment_forecast_runs_a_march_placement_at_the_april_card(southwark):
    """Period 1 of 2024/25 ends 30 April 2024; the placement runs on to 31 March 2025: 335
    days at £100 = £33,500. New entrants: 1 start in the last year, 1/12 a month × 11 months ×
    £700 × (335/7 weeks) / 2 = £15,354.17. No actuals yet: £48,854.17."""
    run("import_budgets", str(EXAMPLES / "budget_book_2024-25.csv"))
    line = BudgetLine.objects.get(code="K31001")
    CategoryLine.objects.create(council=southwark, category="ifa", line=line)
    assert episodes_import(OPEN_FROM_MARCH, file_name="e.csv").ok
    assert costs_import(APRIL_CARD, file_name="card.csv").ok
    period = Period.objects.select_related("year").get(year__start_year=2024, number=1)
    assert selectors.commitment_forecast(period, [line]) == {line.pk: Decimal("48854.17")}


def test_reloading_a_rate_card_changes_nothing(southwark):
    assert costs_import(APRIL_CARD, file_name="card.csv").created == 1
    again = costs_import(APRIL_CARD, file_name="card.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


# --- Placement data belongs to a council --------------------------------------------------------


def test_rate_cards_scenarios_and_benchmarks_are_each_councils_own(southwark, client_for, director):
    assert costs_import(APRIL_CARD, file_name="card.csv").ok
    card = RateCard.objects.get(category="ifa", effective_from=D(2024, 4, 1))
    assert card.council == southwark
    demo = Council.objects.get(la_code="209")
    assert UnitCostBenchmark.objects.filter(council=demo).exists()
    assert not UnitCostBenchmark.objects.current().exists()
    with override_settings(CSC_COUNCIL_LA_CODE="209"):
        assert not RateCard.objects.current().exists()
        client = client_for(director)
        response = client.post(
            "/placements/scenarios/",
            {
                "name": "Ten more in-house",
                "kind": "unit_cost",
                "category": "ifa",
                "percentage": "5",
            },
        )
        assert response.status_code == 302
    assert Scenario.objects.get(name="Ten more in-house").council == demo
    # Southwark's scenario page does not show the demo council's scenario.
    assert client.get("/placements/scenarios/").context["saved"] == []
    with override_settings(CSC_COUNCIL_LA_CODE="209"):
        saved = client.get("/placements/scenarios/").context["saved"]
        assert [row[0].name for row in saved] == ["Ten more in-house"]
