"""Committee tables to XLSX and CSV, ready to paste into a report.

Numbers are stored as numbers with a number format (money in £m with underspends in brackets),
never as text. Any text that a spreadsheet could take for a formula (starting with =, +, -, @,
a tab or a carriage return) is neutralised with a leading apostrophe in both formats: the
OWASP guidance on CSV injection.
"""

import csv
import io
from datetime import datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from budgets.formatting import MILLION, millions, pounds
from csc_dashboard.committee import CommitteeTable

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {
    "millions": "#,##0.0;(#,##0.0);0.0",
    "pounds": "£#,##0;(£#,##0)",
    "count": "#,##0",
    "percent": "0.0",
    "number": "#,##0.0",
}


def safe_text(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(TRIGGERS) else text


def display(kind: str, value) -> str:
    """A figure as the report writes it: £m to one decimal with underspends in brackets."""
    if value is None or value == "":
        return ""
    if kind == "millions":
        return millions(value)
    if kind == "pounds":
        return pounds(value)
    return str(value)


def shown(table: CommitteeTable) -> dict:
    """The table's cells as the report writes them, for templates: each cell (text, numeric)."""

    def cells(row):
        return [(display(kind, row.get(key)), kind != "text") for key, _, kind in table.columns]

    return {
        "headers": [(header, kind != "text") for _, header, kind in table.columns],
        "rows": [cells(row) for row in table.rows],
        "total": cells(table.total) if table.total else None,
    }


def number(kind: str, value):
    """The value a cell holds: £m for money shown in millions, else the number itself."""
    if value is None:
        return None
    if kind == "millions":
        return Decimal(value) / MILLION
    return value


def workbook(tables: list[CommitteeTable], *, period_label: str, produced: datetime) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        table_sheet(book, table, period_label=period_label, produced=produced)
    return _bytes(book)


def _bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


FIRST_ROW = 6  # the header is row 5, the figures start on row 6


def table_sheet(book: Workbook, table: CommitteeTable, *, period_label: str, produced: datetime):
    """A sheet for one table: heading, period and date produced, then the table from row 5."""
    sheet = book.create_sheet(title=unique_title(book, table.sheet_name))
    sheet.append([safe_text(table.heading)])
    sheet.append([safe_text(f"Period: {period_label}")])
    sheet.append([f"Produced: {produced:%d %B %Y %H:%M}"])
    sheet.append([])
    sheet.append([safe_text(header) for _, header, _ in table.columns])
    for cell in sheet[5]:
        cell.font = Font(bold=True)
    rows = list(table.rows) + ([table.total] if table.total else [])
    for index, row in enumerate(rows):
        sheet.append([_xlsx_value(kind, row.get(key)) for key, _, kind in table.columns])
        for cell, (_, _, kind) in zip(sheet[sheet.max_row], table.columns, strict=True):
            if kind in FORMATS:
                cell.number_format = FORMATS[kind]
            elif cell.value is not None:
                cell.data_type = "s"  # text, never a formula
            if table.total and index == len(rows) - 1:
                cell.font = Font(bold=True)
    if table.note:
        sheet.append([])
        sheet.append([safe_text(table.note)])
    for column, (_, header, _) in zip(sheet.columns, table.columns, strict=False):
        sheet.column_dimensions[column[0].column_letter].width = max(12, min(60, len(header) + 4))
    return sheet


def unique_title(book: Workbook, name: str) -> str:
    """A tab name not yet used in the book (a council may give two tables one label)."""
    title, n = name, 2
    while title in book.sheetnames:
        suffix = f" ({n})"
        title, n = name[: 31 - len(suffix)] + suffix, n + 1
    return title


def _xlsx_value(kind, value):
    if kind == "text":
        return safe_text(value) if value not in (None, "") else None
    return number(kind, value)


def csv_text(table: CommitteeTable) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_text(header) for _, header, _ in table.columns])
    for row in list(table.rows) + ([table.total] if table.total else []):
        writer.writerow([_csv_value(kind, row.get(key)) for key, _, kind in table.columns])
    return out.getvalue()


def _csv_value(kind, value):
    if value is None:
        return ""
    if kind == "text":
        return safe_text(value)
    if kind == "millions":
        return f"{(Decimal(value) / MILLION).quantize(Decimal('0.1'))}"
    return str(value)
