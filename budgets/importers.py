"""Ledger actuals import: a general-ledger extract, one row per cost centre and period.

All or nothing: every row is checked and every problem reported with its row number before
anything is written. A file for a period replaces that period's actuals for the services the
file covers (a ledger extract for a month is complete for the cost centres it reports), so a
corrected file replaces the wrong figures, and the same file imported twice changes nothing.

Built for a million rows: the file is read row by row and streamed with COPY into a temporary
table; the checks that need the database (unknown cost centres, periods, duplicates, services
not assigned to the user) and the write itself are a few set-based SQL statements.
"""

import datetime
import functools
import io
import re

from django.db import connection, transaction

from budgets.access import Role, has_role
from budgets.importing import (
    ImportFileError,
    ImportReport,
    RowError,
    column_indexes,
    file_digest,
    iter_rows,
    parse_date,
    parse_money,
    record_import,
)

KIND = "actuals"

COLUMNS = {
    "cost_centre": [
        "cost centre",
        "cost centre code",
        "cost center",
        "cost_centre_code",
        "cc",
        "costcentre",
        "cost code",
    ],
    "year": ["financial year", "fin year", "fy", "year"],
    "period": ["period", "accounting period", "per", "month", "fiscal period"],
    "amount": [
        "amount",
        "value",
        "net amount",
        "actual",
        "actuals",
        "amount (£)",
        "amount gbp",
        "net",
        "total",
    ],
    "posting_date": ["posting date", "gl date", "date", "transaction date"],
}


def period_of(day) -> tuple[int, int]:
    """(financial year start, period) of a date: April is period 1."""
    start = day.year if day.month >= 4 else day.year - 1
    return start, (day.month - 4) % 12 + 1


def actuals_import(source, *, file_name: str, user=None, max_bytes=None) -> ImportReport:
    """Import a ledger extract from bytes or a binary file object. `user` None means the command
    line (an operator); a user must be a finance officer, and may only load the services
    assigned to them."""
    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    report = ImportReport()
    digest, _ = file_digest(source)
    try:
        if user is not None and not has_role(user, Role.FINANCE_OFFICER):
            raise ImportFileError("Only a finance officer can load ledger actuals.")
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Sorting and hashing a million staged rows in memory rather than on disk.
                cursor.execute("SET LOCAL work_mem = '64MB'")
            _stage(source, file_name=file_name, report=report, max_bytes=max_bytes)
            _check(report, user=user)
            if report.ok:
                _write(report)
            _drop_stage()
    except ImportFileError as exc:
        report.file_error = str(exc)
    record_import(kind=KIND, file_name=file_name, digest=digest, user=user, report=report)
    return report


def _parse(cells, columns) -> tuple[tuple, list[tuple[str, str]]]:
    errors = []
    code = cells[columns["cost_centre"]].upper() if columns["cost_centre"] < len(cells) else ""
    if not code:
        errors.append(("cost_centre", "the cost centre is missing"))

    def cell(name):
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    key = (None, None)
    try:
        key = _year_and_period_cached(cell("year"), cell("period"), cell("posting_date"))
    except ValueError as exc:
        errors.append(("period", str(exc)))
    amount = None
    try:
        amount = parse_money(cell("amount"))
    except ValueError as exc:
        errors.append(("amount", str(exc)))
    return (code, *key, amount), errors


@functools.lru_cache(maxsize=4096)
def _year_and_period_cached(year: str, period: str, posting_date: str) -> tuple[int, int]:
    """_year_and_period, remembered: a million-row extract names a few dozen periods."""
    return _year_and_period(year, period, posting_date)


def _year_and_period(year: str, period: str, posting_date: str) -> tuple[int, int]:
    """(financial year start, period) of a row. Ledgers say it three ways: a year label and a
    period number; a date in the year column (the posting or period-end date, dd/mm/yyyy),
    which gives the period too when there is no period column; or only a posting date."""
    if not (year or period):
        if not posting_date:
            raise ValueError("the financial year and period (or a posting date) are missing")
        return period_of(parse_date(posting_date))
    start, day = _financial_year(year)
    if period:
        return start, _period_in(start, period)
    if day is not None:
        return period_of(day)
    if posting_date:
        day = parse_date(posting_date)
        if period_of(day)[0] != start:
            raise ValueError(f"the posting date {posting_date} is not in {year}")
        return period_of(day)
    raise ValueError("the period is missing")


# `2024/25`, and the spellings ledgers print for it: `2024-25`, `2024/2025`, `FY 2024/25`.
_YEAR_LABEL = re.compile(r"^(?:FY\s*)?(\d{4})\s*[/-]\s*(\d{2}|\d{4})$", re.IGNORECASE)


def _financial_year(text: str) -> tuple[int, datetime.date | None]:
    """The financial year's start, and the date when the cell held a date rather than a label."""
    value = text.strip()
    if not value:
        raise ValueError("the financial year is missing")
    match = _YEAR_LABEL.match(value)
    if match:
        start, end = int(match.group(1)), match.group(2)
        if end != (str(start + 1) if len(end) == 4 else f"{(start + 1) % 100:02d}"):
            raise ValueError(f"{text!r} is not a financial year: the years must be consecutive")
        return start, None
    try:
        day = parse_date(value)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a financial year (use 2024/25, or a date like 30/09/2024)"
        ) from None
    return period_of(day)[0], day


def _period_in(start: int, text: str) -> int:
    """A period number (`6`, `P06`), or a date in the period (a month column holding dates)."""
    try:
        return _period_number(text)
    except ValueError:
        try:
            day = parse_date(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a period from 1 to 12") from None
    if period_of(day)[0] != start:
        raise ValueError(f"{text} is not in the financial year {start}/{(start + 1) % 100:02d}")
    return period_of(day)[1]


def _period_number(text: str) -> int:
    value = text.strip()
    if value.upper().startswith("P"):
        value = value[1:]
    if not value.isdigit() or not 1 <= int(value) <= 12:
        raise ValueError(f"{text!r} is not a period from 1 to 12")
    return int(value)


def _stage(source, *, file_name, report, max_bytes) -> None:
    header, rows = iter_rows(source, file_name=file_name, max_bytes=max_bytes)
    columns = column_indexes(header, COLUMNS, required=["cost_centre", "amount"])
    if not ("year" in columns or "posting_date" in columns):
        raise ImportFileError("Missing columns: give financial year and period, or a posting date.")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE actuals_stage (row_no integer, code text, start_year integer,"
            " period integer, amount numeric(14,2), line_id bigint, service_id bigint,"
            " period_id bigint) ON COMMIT DROP"
        )
        with cursor.cursor.copy(
            "COPY actuals_stage (row_no, code, start_year, period, amount) FROM STDIN"
        ) as copy:
            for number, cells in rows:
                report.rows += 1
                values, errors = _parse(cells, columns)
                if errors:
                    report.errors.extend(RowError(number, m, c) for c, m in errors)
                    # Still staged (with what could be read) so database checks report too.
                copy.write_row((number, *values))
        # Temporary tables are never analysed automatically: without statistics the planner
        # joins a million staged rows one index lookup at a time.
        cursor.execute("ANALYZE actuals_stage")


CHECKS = [
    (
        "cost_centre",
        "SELECT row_no, 'unknown cost centre ' || quote_literal(code) FROM actuals_stage"
        " WHERE code <> '' AND line_id IS NULL",
    ),
    (
        "period",
        "SELECT row_no, 'no period ' || period || ' in financial year ' || start_year"
        " FROM actuals_stage WHERE start_year IS NOT NULL AND period_id IS NULL",
    ),
    (
        "period",
        "SELECT s.row_no, 'period ' || p.number || ' of ' || s.start_year || '/' ||"
        " lpad(((s.start_year + 1) % 100)::text, 2, '0') || ' is closed'"
        " FROM actuals_stage s JOIN budgets_period p ON p.id = s.period_id"
        " WHERE p.status = 'closed'",
    ),
    (
        "cost_centre",
        "SELECT row_no, code || ' period ' || period || ' appears again (first on row '"
        " || first_row || ')' FROM (SELECT row_no, code, period, min(row_no) OVER"
        " (PARTITION BY line_id, period_id) AS first_row FROM actuals_stage"
        " WHERE line_id IS NOT NULL AND period_id IS NOT NULL) d WHERE row_no <> first_row",
    ),
]

NOT_ASSIGNED = (
    "SELECT s.row_no, s.code || ' belongs to ' || sv.name || ', which is not assigned to you'"
    " FROM actuals_stage s JOIN budgets_service sv ON sv.id = s.service_id"
    " WHERE NOT EXISTS (SELECT 1 FROM budgets_service_finance_officers fo"
    " WHERE fo.service_id = s.service_id AND fo.user_id = %s)"
)


def _check(report, *, user) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE actuals_stage s SET line_id = l.id, service_id = l.service_id"
            " FROM budgets_budgetline l WHERE upper(l.code) = s.code"
        )
        cursor.execute(
            "UPDATE actuals_stage s SET period_id = p.id FROM budgets_period p"
            " JOIN budgets_financialyear y ON y.id = p.year_id"
            " WHERE y.start_year = s.start_year AND p.number = s.period"
        )
        found = []
        for column, sql in CHECKS:
            cursor.execute(sql)
            found += [RowError(row, message, column) for row, message in cursor.fetchall()]
        if user is not None:
            cursor.execute(NOT_ASSIGNED, [user.pk])
            found += [RowError(row, message, "cost_centre") for row, message in cursor.fetchall()]
    report.errors = sorted(report.errors + found, key=lambda e: (e.row, e.column))


WRITE = [
    # Lock the periods the file touches, so none can close half way through.
    (
        "lock",
        "SELECT id FROM budgets_period WHERE id IN (SELECT period_id FROM actuals_stage) FOR SHARE",
    ),
    # What the file no longer has: few rows, worked out first so the planner sees how few and
    # deletes them by index instead of hashing the whole actuals table.
    (
        "removed",
        "CREATE TEMPORARY TABLE actuals_removed ON COMMIT DROP AS"
        " SELECT l.id AS line_id, c.period_id FROM (SELECT DISTINCT period_id, service_id"
        " FROM actuals_stage) c JOIN budgets_budgetline l ON l.service_id = c.service_id"
        " EXCEPT SELECT line_id, period_id FROM actuals_stage",
    ),
    ("analyse", "ANALYZE actuals_removed"),
    (
        "deleted",
        "DELETE FROM budgets_actual a USING actuals_removed r"
        " WHERE a.line_id = r.line_id AND a.period_id = r.period_id",
    ),
    # Rows equal to what is held are skipped by the WHERE; xmax is 0 only for a new row, so
    # one pass both writes and counts what was new and what changed.
    (
        "written",
        "WITH written AS (INSERT INTO budgets_actual (line_id, period_id, amount)"
        " SELECT line_id, period_id, amount FROM actuals_stage"
        " ON CONFLICT (line_id, period_id) DO UPDATE SET amount = EXCLUDED.amount"
        " WHERE budgets_actual.amount IS DISTINCT FROM EXCLUDED.amount"
        " RETURNING xmax = 0 AS inserted)"
        " SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)"
        " FROM written",
    ),
]


def _write(report) -> None:
    counts = {}
    with connection.cursor() as cursor:
        for name, sql in WRITE:
            cursor.execute(sql)
            counts[name] = cursor.fetchone() if name == "written" else cursor.rowcount
    (report.created, report.updated), report.deleted = counts["written"], counts["deleted"]
    report.unchanged = report.rows - report.created - report.updated


def _drop_stage() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS actuals_stage, actuals_removed")
