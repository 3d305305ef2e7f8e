"""The shared import helpers read what councils' finance systems really export."""

import io
from decimal import Decimal

import openpyxl
import pytest

from budgets.importing import (
    ImportFileError,
    ImportReport,
    RowError,
    column_indexes,
    iter_rows,
    parse_date,
    parse_money,
)


def read_rows(data: bytes, *, file_name: str = "") -> tuple[list[str], dict[int, list[str]]]:
    """The header, and each row's cells by spreadsheet row number, as importers read them."""
    header, rows = iter_rows(io.BytesIO(data), file_name=file_name)
    return header, dict(rows)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.56", "1234.56"),
        ("£1,234.56", "1234.56"),
        ("(1,234.56)", "-1234.56"),
        ("-£12", "-12"),
        ("£-12", "-12"),
        ("1,234.56-", "-1234.56"),
        (" 0 ", "0"),
    ],
)
def test_money_in_the_shapes_ledgers_print_it(text, expected):
    assert parse_money(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["twelve", "", "1.234", "1e5", "£", "((1))", "12.3.4"])
def test_text_in_a_money_column_is_refused(text):
    with pytest.raises(ValueError, match="not an amount of money"):
        parse_money(text)


def test_dates_iso_or_uk_order():
    assert parse_date("30/09/2018").isoformat() == "2018-09-30"
    assert parse_date("2018-09-30").isoformat() == "2018-09-30"
    with pytest.raises(ValueError):
        parse_date("09/30/2018")


def test_csv_with_a_byte_order_mark_and_blank_rows_keeps_spreadsheet_row_numbers():
    data = "\ufeffCost Centre,Amount\nA1,10\n,\nA2,20\n".encode()
    header, rows = read_rows(data)
    assert header == ["Cost Centre", "Amount"]
    assert list(rows) == [2, 4]


def test_windows_1252_text_with_the_pound_sign():
    _, rows = read_rows('code,amount\nA1,"£1,500"\n'.encode("cp1252"))
    assert rows[2] == ["A1", "£1,500"]


def test_xlsx_is_recognised_by_content_not_name():
    book = openpyxl.Workbook()
    book.active.append(["code", "amount"])
    book.active.append(["A1", 12.5])
    buffer = io.BytesIO()
    book.save(buffer)
    header, rows = read_rows(buffer.getvalue(), file_name="ledger.csv")
    assert header == ["code", "amount"]
    assert rows[2] == ["A1", "12.5"]


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused():
    with pytest.raises(ImportFileError):
        read_rows(b"PK\x03\x04 not really a zip")
    with pytest.raises(ImportFileError):
        read_rows(b"\x00\x01\x02binary")


def test_files_over_the_limit_are_refused_before_reading(settings):
    settings.CSC_MAX_UPLOAD_BYTES = 10
    with pytest.raises(ImportFileError, match="the limit is 10 bytes"):
        read_rows(b"code,amount\nA1,1\n")


def test_columns_are_matched_by_their_usual_spellings_and_extras_ignored():
    header, _ = read_rows(b"Cost_Centre_Code,Fin Year,PERIOD,Notes,Amount (GBP)\nA,2018/19,6,x,1\n")
    found = column_indexes(
        header,
        {
            "cost_centre": ["cost centre code"],
            "year": ["fin year"],
            "period": [],
            "amount": ["amount (gbp)"],
        },
        required=["cost_centre", "year", "period", "amount"],
    )
    assert found == {"cost_centre": 0, "year": 1, "period": 2, "amount": 4}
    with pytest.raises(ImportFileError, match="Missing columns: budget"):
        column_indexes(header, {"budget": []}, required=["budget"])


def test_a_report_with_errors_says_nothing_was_imported():
    report = ImportReport(rows=2, errors=[RowError(3, "unknown cost centre 'X9'", "cost_centre")])
    assert not report.ok
    assert report.summary() == "Nothing was imported: 1 rows have errors."
    assert str(report.errors[0]) == "row 3, cost_centre: unknown cost centre 'X9'"


def test_a_workbook_linking_to_other_files_is_refused():
    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    book.active.append(["code", "amount"])
    book.save(buffer)
    import zipfile

    linked = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(linked, "w") as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/externalLinks/externalLink1.xml", "<externalLink/>")
    with pytest.raises(ImportFileError, match="links to other files"):
        read_rows(linked.getvalue())


@pytest.mark.django_db
def test_a_formula_in_a_workbook_is_read_as_text_and_refused_not_run(finance):
    from budgets.importers import actuals_import

    book = openpyxl.Workbook()
    book.active.append(["Cost Centre", "Financial Year", "Period", "Amount"])
    book.active.append(["CSC-STF-RA", "2018/19", 6, "=1000*1000"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = actuals_import(buffer.getvalue(), file_name="formula.xlsx", user=finance)
    assert "'=1000*1000' is not an amount of money" in str(report.errors[0])


@pytest.mark.django_db
def test_an_import_interrupted_half_way_leaves_nothing_behind(finance, monkeypatch):
    from django.db import DataError

    from budgets import importers
    from budgets.models import Actual

    before = sorted(Actual.objects.values_list("line_id", "period_id", "amount"))
    # The database fails after the old actuals were deleted and before the new ones are in.
    steps = [s for s in importers.WRITE if s[0] != "written"] + [("crash", "SELECT 1/0")]
    monkeypatch.setattr(importers, "WRITE", steps)
    with pytest.raises(DataError):
        importers.actuals_import(
            b"Cost Centre,Year,Period,Amount\nCSC-STF-RA,2018/19,6,1\n",
            file_name="x.csv",
            user=finance,
        )
    assert sorted(Actual.objects.values_list("line_id", "period_id", "amount")) == before
