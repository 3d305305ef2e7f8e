"""Files staged with a raw COPY and checked in SQL give the reports a row-by-row read gives."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection

from budgets.importers import actuals_import
from budgets.importing import parse_money
from budgets.models import Actual, AuditEntry
from budgets.staging import _copyable
from placements.episodes_sql import hmac_pads
from placements.importers import pseudonymise

HEADER = ["Cost Centre", "Financial Year", "Period", "Amount"]


def csv_file(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return out.getvalue().encode()


def workbook(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in [HEADER, *rows]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_what_postgresql_would_read_differently_from_python_is_left_to_python():
    assert _copyable(io.BytesIO(b'a,b\n1,"2,5"\n'), ["a", "b"]) == (True, False, False)
    # Python keeps a quote inside a field as text; PostgreSQL would open a quoted section.
    assert _copyable(io.BytesIO(b'a,b\n1,12" pipe\n'), ["a", "b"])[0] is False
    assert _copyable(io.BytesIO(b'a,b\n1,"say ""hi"""\n'), ["a", "b"])[0] is False
    # A no-break space: trimmed in SQL with all of Python's whitespace, not only ASCII's.
    assert _copyable(io.BytesIO("a,b\n1,2\u00a0\n".encode()), ["a", "b"])[:2] == (True, True)


@pytest.mark.parametrize(
    ("data", "padded"),
    [
        (b"a,b\n1,2\n3,4", False),
        (b'a,b\n1,"2"\r\n"3",""\r\n', False),
        (b"a,b\n1, 2\n", True),
        (b"a,b\n1,2 \n", True),
        (b"a,b\n1,2\t", True),  # the last cell of the file
        (b"a,b\n 1,2\n", True),
        (b'a,b\n1,"2 "\n', True),
        (b'a,b\n1,"\n2"\n', True),
        (b'a,b\n1,"2\n"\n', True),
    ],
)
def test_a_file_whose_cells_need_no_stripping_is_read_without_stripping_them(data, padded):
    """SQL strips each cell as Python would (budgets.staging.cell) only when some cell may begin
    or end with whitespace."""
    assert _copyable(io.BytesIO(data), ["a", "b"]) == (True, False, padded)


# Amounts a council's ledger prints, and text that only looks like one: SQL casts the plain
# ones, Python reads the others, and the row-by-row rules decide either way.
AMOUNTS = [
    "10", "-0.50", "007", "£1,234.56", "(12.00)", "12.00-", " 5 ",
    ".5", "5.", "+5", "1e5", "NaN", "Infinity", "1.234", "1,2,3", "",
    "1234567890123",
]  # fmt: skip


@pytest.mark.django_db
def test_each_amount_is_read_as_parse_money_reads_it(finance):
    rows = [["CSC-STF-RA", "2018/19", "6", amount] for amount in AMOUNTS]
    report = actuals_import(csv_file(rows), file_name="amounts.csv", user=finance)
    refused = {error.row for error in report.errors}
    for number, text in enumerate(AMOUNTS, start=2):
        try:
            expected = parse_money(text.strip())
            expected = None if abs(expected) >= Decimal("1e12") else expected
        except ValueError:
            expected = None
        assert (number in refused) == (expected is None), (text, report.errors)


@pytest.mark.django_db
def test_a_good_csv_and_the_same_workbook_load_the_same_figures(finance):
    rows = [
        [" CSC-STF-RA ", "2018/19", "6", "£1,000.00"],
        ["csc-stf-ra", "2018/19", "6", "(250.50)"],
        ["CSC-STF-FSW", "2018/19", "6", "99.99"],
    ]
    by_csv = actuals_import(csv_file(rows), file_name="a.csv", user=finance)
    assert by_csv.ok, by_csv.errors
    held = sorted(Actual.objects.filter(period__number=6).values_list("line__code", "amount"))
    by_xlsx = actuals_import(workbook(rows), file_name="a.xlsx", user=finance)
    assert by_xlsx.ok and by_xlsx.changed == 0, by_xlsx  # the same figures: nothing to change
    assert sorted(Actual.objects.filter(period__number=6).values_list("line__code", "amount")) == (
        held
    )
    assert (by_csv.rows, by_csv.cost_centre_periods) == (3, 2)


@pytest.mark.django_db
def test_errors_name_the_same_rows_and_columns_in_a_csv_and_a_workbook(finance):
    rows = [
        ["CSC-STF-RA", "2018/19", "6", "ten"],
        ["", "2018/19", "6", "1"],
        ["NO-SUCH", "2018/19", "19", "1"],
    ]
    by_csv = actuals_import(csv_file(rows), file_name="bad.csv", user=finance)
    by_xlsx = actuals_import(workbook(rows), file_name="bad.xlsx", user=finance)
    assert [str(e) for e in by_csv.errors] == [str(e) for e in by_xlsx.errors]
    assert [e.row for e in by_csv.errors] == [2, 3, 4, 4]
    assert str(by_csv.errors[0]) == "row 2, Amount: 'ten' is not an amount of money"


@pytest.mark.django_db
def test_a_blank_line_keeps_the_rows_after_it_numbered_as_a_spreadsheet_shows_them(finance):
    data = (
        b"Cost Centre,Financial Year,Period,Amount\nCSC-STF-RA,2018/19,6,1\n\n,,,\nX,2018/19,6,1\n"
    )
    report = actuals_import(data, file_name="gaps.csv", user=finance)
    assert [(e.row, e.message) for e in report.errors] == [(5, "unknown cost centre 'X'")]
    assert report.rows == 2


@pytest.mark.django_db
def test_the_childs_reference_computed_in_sql_is_the_keyed_hash_python_computes():
    inner, outer = hmac_pads()
    with connection.cursor() as cursor:
        for child in ["A123", "B0000001", "Ünïcødé-7", "x" * 80]:
            cursor.execute(
                "SELECT encode(sha256(%s::bytea || sha256(%s::bytea || convert_to(%s, 'UTF8'))),"
                " 'hex')",
                [outer, inner, child],
            )
            assert cursor.fetchone()[0] == pseudonymise(child)


@pytest.mark.django_db
def test_an_import_that_changes_figures_writes_one_audit_entry_and_a_rerun_none(finance):
    data = csv_file([["CSC-STF-RA", "2018/19", "6", "1234.00"]])
    before = AuditEntry.objects.count()
    report = actuals_import(data, file_name="audit.csv", user=finance)
    assert report.ok and report.changed
    entry = AuditEntry.objects.get(pk__gt=0, action="import", reason__startswith="audit.csv")
    assert (entry.user, entry.source, entry.field, entry.object_type) == (
        finance,
        "import",
        "actuals",
        "budgets.ImportRecord",
    )
    assert entry.new_value.startswith("Imported 1 rows")
    assert AuditEntry.objects.count() == before + 1
    actuals_import(data, file_name="audit.csv", user=finance)
    assert AuditEntry.objects.count() == before + 1


@pytest.mark.django_db
def test_a_row_of_empty_cells_is_skipped_and_still_counted_in_the_row_numbers(finance):
    data = (
        b"Cost Centre,Financial Year,Period,Amount\nCSC-STF-RA,2018/19,6,1\n , ,,\nX,2018/19,6,1\n"
    )
    report = actuals_import(data, file_name="blank-cells.csv", user=finance)
    assert [(e.row, e.message) for e in report.errors] == [(4, "unknown cost centre 'X'")]
    assert report.rows == 2
