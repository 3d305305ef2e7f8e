"""A ledger extract parsed and checked in SQL, after its rows are staged as text.

The rows go into a temporary table of text columns (budgets.staging: a raw COPY where the file
allows). Then SQL does the per-row work: a plain amount (`-1234.56`) is cast, and the few dozen
distinct period cells of a million-row file (and any amount printed as `£1,234.56`, `(12.00)`)
are parsed once each in Python and joined back. Only the rows SQL finds wrong are read back into
Python, to be reported by the same row parser with the file's own headers: the messages are
those a row-by-row import would give.
"""

from django.db import connection

from budgets.importing import RowError, parse_money
from budgets.ledger_columns import (
    ACCOUNT_LENGTH,
    AMOUNT_LIMIT,
    DESCRIPTION_LENGTH,
    columns_of,
    row_parser,
    year_and_period_cached,
)
from budgets.ledger_periods import LAST_PERIOD, PeriodCellError
from budgets.progress import NO_PROGRESS
from budgets.staging import WHITESPACE, cell, stage_rows

# An amount PostgreSQL casts exactly as parse_money reads it: no sign tricks, symbols or
# separators, at most 12 digits of pounds (numeric(14,2)).
PLAIN_AMOUNT = r"^-?[0-9]{1,12}(\.[0-9]{1,2})?$"
RAW = "ledger_rows"


def stage_ledger(
    source, *, file_name, report, max_bytes, default_year, progress=NO_PROGRESS
) -> dict[str, str]:
    """Fill the temporary table actuals_stage (row_no, code, start_year, period,
    source_period, account, description, amount, line_id, service_id, period_id) from the
    file; the rows' own errors go into the report. Returns the file's header per column."""
    header = stage_rows(
        source, table=RAW, file_name=file_name, max_bytes=max_bytes, progress=progress
    )
    columns, labels = columns_of(header)
    report.by_account = "account" in columns

    def text(name: str) -> str:
        return cell(columns[name]) if name in columns else "''"

    params = {"ws": WHITESPACE, "plain": PLAIN_AMOUNT, "limit": AMOUNT_LIMIT}
    with progress.step("Checking rows", total=3, unit="steps") as step, connection.cursor() as c:
        _period_map(c, text, params, default_year)
        step.advance()
        _amount_map(c, text, params)
        step.advance()
        amount = text("amount")
        c.execute(
            "CREATE TEMPORARY TABLE actuals_stage ON COMMIT DROP AS"  # noqa: S608
            f" SELECT r.row_no, upper({text('cost_centre')}) AS code, p.start_year,"
            f" least(p.number, {LAST_PERIOD}) AS period, p.number AS source_period,"
            f" {text('account')} AS account, {text('description')} AS description,"
            f" CASE WHEN {amount} ~ %(plain)s THEN {amount}::numeric ELSE a.amount END"
            " AS amount, NULL::bigint AS line_id, NULL::bigint AS service_id,"
            f" NULL::bigint AS period_id FROM {RAW} r"
            f" LEFT JOIN ledger_periods p ON p.year = {text('year')}"
            f" AND p.period = {text('period')} AND p.posting = {text('posting_date')}"
            f" LEFT JOIN ledger_amounts a ON a.text = {amount}",
            params,
        )
        report.rows = c.rowcount
        bad = _bad_rows(report.by_account)
        c.execute(
            "SELECT source_period, count(*) FROM actuals_stage"  # noqa: S608
            f" WHERE source_period > {LAST_PERIOD} AND NOT ({bad}) GROUP BY 1",
            params,
        )
        report.adjustments = dict(c.fetchall())
        c.execute("ANALYZE actuals_stage")
        step.advance()
    _report_bad_rows(bad, params, report, row_parser(columns, labels, default_year))
    return labels


def _period_map(cursor, text, params, default_year) -> None:
    """Each distinct (year, period, posting date) of the file, read by year_and_period."""
    cursor.execute(
        f"SELECT DISTINCT {text('year')}, {text('period')}, {text('posting_date')} FROM {RAW}",  # noqa: S608
        params,
    )
    found = []
    for year, period, posting in cursor.fetchall():
        try:
            start, number = year_and_period_cached(year, period, posting, default_year)
        except PeriodCellError:
            start = number = None
        found.append((year, period, posting, start, number))
    cursor.execute(
        "CREATE TEMPORARY TABLE ledger_periods (year text, period text, posting text,"
        " start_year integer, number integer) ON COMMIT DROP"
    )
    with cursor.cursor.copy("COPY ledger_periods FROM STDIN") as copy:
        for row in found:
            copy.write_row(row)


def _amount_map(cursor, text, params) -> None:
    """Each distinct amount SQL cannot cast (`£1,234.56`, `(12.00)`, `12-`), read by
    parse_money; NULL where it is not an amount of money (the row is reported)."""
    cursor.execute(
        "CREATE TEMPORARY TABLE ledger_amounts (text text PRIMARY KEY, amount numeric)"
        " ON COMMIT DROP"
    )
    amount = text("amount")
    odd = connection.connection.cursor(name="ledger_odd_amounts")
    odd.execute(
        f"SELECT DISTINCT {amount} FROM {RAW} WHERE {amount} !~ %(plain)s",  # noqa: S608
        params,
    )
    while batch := odd.fetchmany(10_000):
        with cursor.cursor.copy("COPY ledger_amounts FROM STDIN") as copy:
            for (value,) in batch:
                try:
                    copy.write_row((value, parse_money(value)))
                except ValueError:
                    copy.write_row((value, None))
    odd.close()


def _bad_rows(by_account: bool) -> str:
    """SQL true for a staged row that parse() would report."""
    bad = "code = '' OR start_year IS NULL OR amount IS NULL OR abs(amount) >= %(limit)s"
    if by_account:
        bad += (
            f" OR account = '' OR length(account) > {ACCOUNT_LENGTH}"
            f" OR length(description) > {DESCRIPTION_LENGTH}"
        )
    return bad


def _report_bad_rows(bad: str, params, report, parse) -> None:
    """The rows SQL found wrong, read again by the row parser for their messages."""
    rows = connection.connection.cursor(name="ledger_bad_rows")
    rows.execute(
        f"SELECT r.* FROM {RAW} r JOIN actuals_stage s USING (row_no) WHERE {bad}"  # noqa: S608
        " ORDER BY r.row_no",
        params,
    )
    while batch := rows.fetchmany(10_000):
        for number, *cells in batch:
            _, errors = parse([(c or "").strip() for c in cells])
            report.errors.extend(RowError(number, m, c) for c, m in errors)
    rows.close()
