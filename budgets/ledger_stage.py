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
from budgets.staging import cell, stage_rows

RAW = "ledger_rows"


def stage_ledger(
    source, *, file_name, report, max_bytes, default_year, council=None, progress=NO_PROGRESS
) -> dict[str, str]:
    """Fill the temporary table actuals_stage (row_no, code, start_year, period,
    source_period, account, description, amount, line_id, service_id, period_id) from the
    file; the rows' own errors go into the report. Cost centres are looked for among
    `council`'s lines (an id), or every council's for None. Returns the file's header per
    column."""
    header, whitespace = stage_rows(
        source, table=RAW, file_name=file_name, max_bytes=max_bytes, progress=progress
    )
    columns, labels = columns_of(header)
    report.by_account = "account" in columns

    def text(name: str) -> str:
        return cell(columns[name], whitespace) if name in columns else "''"

    params = {"ws": whitespace, "limit": AMOUNT_LIMIT, "council": council}
    with progress.step("Checking rows", total=3, unit="steps") as step, connection.cursor() as c:
        _period_map(c, text, params, default_year)
        _line_map(c, council)
        step.advance()
        # A cell is cast where PostgreSQL reads it as parse_money does: the number's own text
        # (no `+`, `.5`, `5.`, `1e5`), at most two decimals. Any other cell is parsed in Python.
        # OFFSET 0 keeps each subquery whole, so each cell is trimmed and cast once per row.
        c.execute(
            "CREATE TEMPORARY TABLE actuals_stage ON COMMIT DROP AS"  # noqa: S608
            " SELECT r.row_no, r.code, p.start_year, p.period, p.number AS source_period,"
            " r.account, r.description, CASE WHEN r.plain THEN r.num END AS amount,"
            " CASE WHEN r.plain THEN NULL ELSE r.amount_text END AS odd_amount,"
            " l.line_id, l.service_id, p.period_id"
            " FROM (SELECT y.*, coalesce(y.num::text = y.amount_text AND scale(y.num) <= 2,"
            " false) AS plain FROM (SELECT x.*, CASE WHEN pg_input_is_valid(x.amount_text,"
            " 'numeric') THEN x.amount_text::numeric END AS num"
            f" FROM (SELECT row_no, upper({text('cost_centre')}) AS code,"
            f" {text('year')} AS year, {text('period')} AS period_text,"
            f" {text('posting_date')} AS posting, {text('account')} AS account,"
            f" {text('description')} AS description, {text('amount')} AS amount_text"
            f" FROM {RAW}) x OFFSET 0) y OFFSET 0) r"
            " LEFT JOIN ledger_periods p ON p.year = r.year AND p.period_text = r.period_text"
            " AND p.posting = r.posting"
            " LEFT JOIN ledger_lines l ON l.code = r.code",
            params,
        )
        report.rows = c.rowcount
        _amount_map(c)
        step.advance()
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


def _line_map(cursor, council) -> None:
    """The budget lines by their code as the file gives it (upper case): of `council`, or of
    every council (the command line without a user), where the first line of a code wins."""
    cursor.execute(
        "CREATE TEMPORARY TABLE ledger_lines ON COMMIT DROP AS"
        " SELECT DISTINCT ON (upper(l.code)) upper(l.code) AS code, l.id AS line_id,"
        " l.service_id FROM budgets_budgetline l"
        " JOIN budgets_service sv ON sv.id = l.service_id"
        " JOIN budgets_directorate d ON d.id = sv.directorate_id"
        " WHERE %(council)s::bigint IS NULL OR d.council_id = %(council)s"
        " ORDER BY upper(l.code), l.id",
        {"council": council},
    )
    cursor.execute("ANALYZE ledger_lines")


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
        "CREATE TEMPORARY TABLE ledger_periods (year text, period_text text, posting text,"
        " start_year integer, number integer, period integer, period_id bigint) ON COMMIT DROP"
    )
    with cursor.cursor.copy(
        "COPY ledger_periods (year, period_text, posting, start_year, number) FROM STDIN"
    ) as copy:
        for row in found:
            copy.write_row(row)
    # Adjustment periods 13-16 are added to period 12.
    cursor.execute(
        f"UPDATE ledger_periods lp SET period = least(lp.number, {LAST_PERIOD}), period_id = p.id"  # noqa: S608
        " FROM budgets_financialyear y JOIN budgets_period p ON p.year_id = y.id"
        f" WHERE y.start_year = lp.start_year AND p.number = least(lp.number, {LAST_PERIOD})"
    )
    cursor.execute(
        f"UPDATE ledger_periods SET period = least(number, {LAST_PERIOD})"  # noqa: S608
        " WHERE period IS NULL AND number IS NOT NULL"
    )


def _amount_map(cursor) -> None:
    """Each distinct amount SQL did not cast (`£1,234.56`, `(12.00)`, `12-`), read by
    parse_money and written back; NULL where it is not an amount of money (reported)."""
    cursor.execute(
        "CREATE TEMPORARY TABLE ledger_amounts (text text PRIMARY KEY, amount numeric)"
        " ON COMMIT DROP"
    )
    odd = connection.connection.cursor(name="ledger_odd_amounts")
    odd.execute("SELECT DISTINCT odd_amount FROM actuals_stage WHERE odd_amount IS NOT NULL")
    found = False
    while batch := odd.fetchmany(10_000):
        found = True
        with cursor.cursor.copy("COPY ledger_amounts FROM STDIN") as copy:
            for (value,) in batch:
                try:
                    copy.write_row((value, parse_money(value)))
                except ValueError:
                    copy.write_row((value, None))
    odd.close()
    if found:
        cursor.execute(
            "UPDATE actuals_stage s SET amount = a.amount FROM ledger_amounts a"
            " WHERE s.odd_amount = a.text"
        )


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
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM actuals_stage WHERE {bad})", params)  # noqa: S608
        if not cursor.fetchone()[0]:
            return
    rows = connection.connection.cursor(name="ledger_bad_rows")
    rows.execute(
        f"SELECT r.* FROM {RAW} r WHERE r.row_no IN"  # noqa: S608
        f" (SELECT row_no FROM actuals_stage WHERE {bad}) ORDER BY r.row_no",
        params,
    )
    while batch := rows.fetchmany(10_000):
        for number, *cells in batch:
            _, errors = parse([(c or "").strip() for c in cells])
            report.errors.extend(RowError(number, m, c) for c, m in errors)
    rows.close()
