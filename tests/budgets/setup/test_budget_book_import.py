"""import_budgets: a second council's structure and budgets from its budget book, hand-checked
from fixtures/examples/budget_book_2024-25.csv; bad files refused whole."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from budgets.models import (
    AreaOfSpend,
    AuditEntry,
    Budget,
    BudgetLine,
    Directorate,
    ImportRecord,
    Period,
    Service,
)
from tests.budgets.setup.support import BOOK, _set, refused, revised, rewrite, run, snapshot

pytestmark = pytest.mark.django_db


def test_the_budget_book_builds_the_structure_and_budgets(southwark):
    assert set(Directorate.objects.filter(council=southwark).values_list("code", flat=True)) == {
        "CFS",
        "ENL",
    }
    assert Service.objects.filter(directorate__council=southwark).count() == 3
    # Hand-added from the file: SCF 9.84m + 4.8m + 5.88m + 1.32m + 2.4m - 3.6m; EDU 1.8m + 3m.
    assert revised(line__service__code="SCF") == Decimal("20640000.00")
    assert revised(line__service__directorate__code="CFS") == Decimal("25440000.00")
    assert revised(line__service__directorate__code="ENL") == Decimal("21000000.00")
    assert Budget.objects.filter(line__service__code="SCF", year__start_year=2024).aggregate(
        total=Sum("original")
    )["total"] == Decimal("20400000.00")
    contracts = AreaOfSpend.objects.get(name="Contracts")
    assert contracts.code == "contracts"
    assert contracts.position > max(
        AreaOfSpend.objects.exclude(pk=contracts.pk).values_list("position", flat=True)
    )
    assert revised(line__area_of_spend=contracts) == Decimal("18000000.00")
    line = BudgetLine.objects.get(code="K31001")
    assert (line.area_of_spend_id, line.section_251_line) == ("placements", "3.1.4")
    budget = Budget.objects.get(line=line, year__start_year=2024)
    assert budget.profile == [Decimal("820000.00")] * 12
    record = ImportRecord.objects.filter(kind="budgets").first()
    assert (record.outcome, record.created, record.user) == ("success", 11, None)


def test_running_the_budget_book_twice_changes_nothing(southwark):
    before = snapshot()
    said = run("import_budgets", str(BOOK))
    assert "Nothing changed: all 11 rows were already as the file says." in said
    assert snapshot() == before
    record = ImportRecord.objects.filter(kind="budgets").first()
    assert (record.created, record.updated, record.unchanged) == (0, 0, 11)


def test_a_changed_revised_budget_is_audited_as_a_virement(southwark, tmp_path):
    def more_agency(header, rows):
        row = next(r for r in rows if r[4] == "K31011")
        row[9], row[10], row[22] = "150,000.00", "1,350,000.00", "140,000.00"

    path = rewrite(tmp_path, more_agency, name="book-june.csv")
    said = run("import_budgets", str(path))
    assert "Imported 11 rows: 0 new, 1 changed, 10 unchanged" in said
    entry = AuditEntry.objects.get(action="virement")
    assert (entry.field, entry.old_value, entry.new_value) == (
        "revised",
        "1320000.00",
        "1350000.00",
    )
    assert entry.source == AuditEntry.Source.COMMAND
    assert "book-june.csv" in entry.reason
    assert revised(line__service__code="SCF") == Decimal("20670000.00")


def test_with_only_virements_or_only_original_the_revised_budget_follows(southwark, tmp_path):
    def drop_revised(header, rows):
        for row in rows:
            del row[10]
        del header[10]
        for row in rows:
            if row[4] == "K31020":
                row[9] = "12,000.00"  # virements only: revised = original + virements
                row[10:] = [""] * 12  # and no profile for this line

    path = rewrite(tmp_path, drop_revised)
    run("import_budgets", str(path))
    budget = Budget.objects.get(line__code="K31020", year__start_year=2024)
    assert (budget.original, budget.revised, budget.profile) == (
        Decimal("2400000.00"),
        Decimal("2412000.00"),
        None,
    )


def error_lines(said: str) -> list[str]:
    return [line for line in said.splitlines() if line.startswith("row ")]


def _rename(old, new):
    def change(header, rows):
        header[header.index(old)] = new

    return change


def _drop_column(name):
    def change(header, rows):
        index = header.index(name)
        del header[index]
        for row in rows:
            del row[index]

    return change


def _demo_line(header, rows):
    rows.append([*rows[0][:4], "CSC-STF-RA", "Borrowed", "Staffing", "", "1.00", "0", "1.00"])
    rows[-1] += ["", ""] * 6


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_rename("Original Budget", "Orig Bdgt"), "No column for Original Budget"),
        (_set("K31001", 8, "nine million"), "row 2, Original Budget: 'nine million'"),
        (_set("K31002", 8, "4,800,000.123"), "row 3, Original Budget: '4,800,000.123'"),
        (
            _set("K31010", 10, "5,900,000.00"),
            "row 4, Revised Budget: Revised Budget 5,900,000.00 is not Original Budget "
            "6,000,000.00 plus Virements -120,000.00",
        ),
        (_set("K31011", 3, ""), "row 5, Service Name: the service name is missing"),
        (_set("K31020", 22, ""), "row 6, Mar: the monthly profile needs all twelve months"),
        (
            _drop_column("Mar"),
            "must have all twelve months (P1 to P12 or Apr to Mar); missing: March",
        ),
        (_set("K31090", 7, "3.x"), "row 7, Section 251: '3.x' is not a Section 251 line"),
        (_demo_line, "row 13, Cost Centre: cost centre CSC-STF-RA is a budget line of Lewisham"),
        (_set("K51001", 3, "Waste"), "row 11, Service Name: service WST is called"),
    ],
)
def test_a_bad_budget_book_is_refused_whole_with_its_own_headers(
    southwark, tmp_path, change, expected
):
    def and_a_good_change(header, rows):
        change(header, rows)
        rows[6][5] = "School improvement service"  # a good row's change, which must not land

    before = snapshot()
    path = rewrite(tmp_path, and_a_good_change)
    said = refused("import_budgets", str(path))
    assert expected in said
    assert "Nothing was imported" in said
    assert snapshot() == before
    assert ImportRecord.objects.filter(kind="budgets").first().outcome == "failed"


def test_every_bad_row_is_listed_and_nothing_is_written(southwark, tmp_path):
    def many(header, rows):
        rows[0][8] = "lots"
        rows[1][3] = ""
        rows[2][9] = "(1.00)"  # revised no longer original + virements
        rows[3][4] = rows[4][4]  # cost centre repeated
        rows[5][5] = "UASC grant"  # a good row's change, which must not land

    before = snapshot()
    said = refused("import_budgets", str(rewrite(tmp_path, many)))
    assert [line.split(":")[0] for line in error_lines(said)] == [
        "row 2, Original Budget",
        "row 3, Service Name",
        "row 4, Revised Budget",
        "row 6, Cost Centre",
    ]
    assert "Nothing was imported: 4 rows have errors." in said
    assert snapshot() == before


def test_a_closed_year_is_refused(southwark, administrator):
    from budgets.services import period_close

    period_close(user=administrator, period=Period.objects.get(year__start_year=2024, number=12))
    before = snapshot()
    said = refused("import_budgets", str(BOOK), "--year", "2024/25")
    assert "2024/25 is closed" in said
    assert snapshot() == before


def test_a_budget_book_needs_a_year_that_exists(southwark):
    said = refused("import_budgets", str(BOOK), "--year", "2030/31")
    assert "There is no financial year 2030/31" in said


def test_a_year_column_chooses_the_year(southwark, tmp_path):
    def add_year(header, rows):
        header.append("Financial Year")
        for row in rows:
            row.append("2023/24")

    run("setup_council", "--la-code", "210", "--name", "Southwark", "--year", "2023/24")
    run("import_budgets", str(rewrite(tmp_path, add_year)))
    assert revised(start_year=2023, line__service__code="SCF") == Decimal("20640000.00")
    said = refused("import_budgets", str(rewrite(tmp_path, add_year)), "--year", "2024/25")
    assert "row 2, Financial Year: 2023/24 is not 2024/25" in said
