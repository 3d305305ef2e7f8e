"""Ledger actuals import: a general-ledger extract as finance systems export it.

Rows may be at account level (several rows per cost centre and period: Oracle, Unit4 and
Civica extracts) or one per cost centre and period. Rows of the same cost centre and period are
summed into its Actual; an extract with an account column also keeps the detail, one LedgerEntry
per cost centre, period and account (rows of the same account summed). An extract without an
account column keeps no LedgerEntry: the detail page shows its figures as "not analysed by
account" (the Actual less its entries), so the ledger detail is never invented. Summing repeats
of a cost centre and period in such a file is right too: transaction- and journal-level extracts
repeat them, and the report says how many rows were summed into how many cost-centre periods, so
a file exported twice over shows itself by its doubled row count.

All or nothing: every row is checked and every problem reported with its row number and the
file's own column header before anything is written. A file for a period replaces that period's
actuals and ledger entries for the services the file covers (a ledger extract for a month is
complete for the cost centres it reports), so a corrected file replaces the wrong figures, and
the same file imported twice changes nothing.

Who: the command line without --user is the operator (any council's cost centres). A user must
be an administrator (the whole of the deployment's council) or a finance officer (only the
services assigned to them); either way only the current council's cost centres are known.

Built for a million rows: the file is read row by row and streamed with COPY into a temporary
table; the checks that need the database (unknown cost centres, periods, services not assigned
to the user), the sums and the write itself are a few set-based SQL statements.
"""

import io

from django.db import connection, transaction

from budgets.access import Role, has_role
from budgets.importing import ImportFileError, RowError, file_digest, import_started, record_import
from budgets.ledger_columns import AMOUNT_LIMIT, LedgerReport
from budgets.ledger_periods import parse_financial_year, period_of
from budgets.ledger_stage import stage_ledger
from budgets.progress import NO_PROGRESS
from budgets.staging import work_in_memory

__all__ = ["actuals_import", "period_of", "LedgerReport"]

KIND = "actuals"


def actuals_import(
    source, *, file_name: str, user=None, max_bytes=None, year: str = "", progress=NO_PROGRESS
) -> LedgerReport:
    """Import a ledger extract from bytes or a binary file object. `user` None means the command
    line (an operator); a user must be an administrator or a finance officer, and a finance
    officer may only load the services assigned to them. `year` is the financial year given
    with the file (`2024/25`), for rows that have a period number and no year."""
    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    report = LedgerReport()
    digest, _ = file_digest(source)
    started = import_started(kind=KIND, file_name=file_name, digest=digest, user=user)
    try:
        if user is not None and not has_role(user, Role.FINANCE_OFFICER, Role.ADMINISTRATOR):
            raise ImportFileError(
                "Only a finance officer or an administrator can load ledger actuals."
            )
        default_year = _default_year(year)
        with transaction.atomic():
            work_in_memory()
            labels = stage_ledger(
                source,
                file_name=file_name,
                report=report,
                max_bytes=max_bytes,
                default_year=default_year,
                council=_council(user),
                progress=progress,
            )
            with progress.step("Writing", total=3, unit="steps") as step:
                _check(report, user=user, labels=labels)
                step.advance()
                if report.ok:
                    _sum(report, labels=labels)
                step.advance()
                if report.ok:
                    _write(report)
                step.advance()
            _drop_stage()
    except ImportFileError as exc:
        report.file_error = str(exc)
    record_import(
        kind=KIND, file_name=file_name, digest=digest, user=user, report=report, started=started
    )
    return report


def _default_year(text: str) -> int | None:
    if not text.strip():
        return None
    try:
        return parse_financial_year(text)
    except ValueError as exc:
        raise ImportFileError(f"The financial year given with the file: {exc}.") from None


CHECKS = [
    (
        "cost_centre",
        "SELECT row_no, 'unknown cost centre ' || quote_literal(code) FROM actuals_stage"
        " WHERE code <> '' AND line_id IS NULL",
    ),
    (
        "when",
        "SELECT row_no, 'no period ' || period || ' in financial year ' || start_year || '/'"
        " || lpad(((start_year + 1) % 100)::text, 2, '0')"
        " FROM actuals_stage WHERE start_year IS NOT NULL AND period_id IS NULL",
    ),
    (
        "when",
        "SELECT s.row_no, 'period ' || p.number || ' of ' || s.start_year || '/' ||"
        " lpad(((s.start_year + 1) % 100)::text, 2, '0') || ' is closed'"
        " FROM actuals_stage s JOIN budgets_period p ON p.id = s.period_id"
        " WHERE p.status = 'closed'",
    ),
]

NOT_ASSIGNED = (
    "SELECT s.row_no, s.code || ' belongs to ' || sv.name || ', which is not assigned to you'"
    " FROM actuals_stage s JOIN budgets_service sv ON sv.id = s.service_id"
    " WHERE NOT EXISTS (SELECT 1 FROM budgets_service_finance_officers fo"
    " WHERE fo.service_id = s.service_id AND fo.user_id = %s)"
)


def _check(report, *, user, labels) -> None:
    with connection.cursor() as cursor:
        found = []
        for key, sql in CHECKS:
            cursor.execute(sql)
            found += [RowError(row, message, labels[key]) for row, message in cursor.fetchall()]
        if user is not None and not has_role(user, Role.ADMINISTRATOR):
            cursor.execute(NOT_ASSIGNED, [user.pk])
            found += [
                RowError(row, message, labels["cost_centre"]) for row, message in cursor.fetchall()
            ]
    report.errors = sorted(report.errors + found, key=lambda e: (e.row, e.column))


def _council(user) -> int | None:
    """The council whose cost centres a user's import may name (None: the operator, any)."""
    from budgets.models import Council

    if user is None:
        return None
    council = Council.objects.current().values_list("pk", flat=True).first()
    if council is None:
        raise ImportFileError("No council is set up yet: load a budget book first.")
    return council


# The ledger detail: one row per line, period and account (none for a file without accounts).
LEDGER_SUM = (
    "CREATE TEMPORARY TABLE ledger_sum ON COMMIT DROP AS"
    " SELECT line_id, period_id, service_id, account,"
    " coalesce(max(description), '') AS description, sum(amount) AS amount,"
    " min(row_no) AS first_row FROM actuals_stage WHERE %s"
    " GROUP BY line_id, period_id, service_id, account"
)
# The actuals: one row per line and period.
ACTUALS_SUM = (
    "CREATE TEMPORARY TABLE actuals_sum ON COMMIT DROP AS"
    " SELECT line_id, period_id, service_id, sum(amount) AS amount, min(row_no) AS first_row"
    " FROM actuals_stage GROUP BY line_id, period_id, service_id"
)
TOO_LARGE = (
    "SELECT s.first_row, l.code, p.number FROM (SELECT first_row, line_id, period_id"
    " FROM actuals_sum WHERE abs(amount) >= %s UNION SELECT first_row, line_id,"
    " period_id FROM ledger_sum WHERE abs(amount) >= %s) s"
    " JOIN budgets_budgetline l ON l.id = s.line_id"
    " JOIN budgets_period p ON p.id = s.period_id"
)


def _sum(report, *, labels) -> None:
    """The file's figures summed per line, period and account (the ledger detail, when the
    file has accounts) and per line and period (the actuals); a sum too large for the ledger
    tables is reported on the first row that went into it."""
    with connection.cursor() as cursor:
        cursor.execute(LEDGER_SUM, [report.by_account])
        cursor.execute(ACTUALS_SUM)
        cursor.execute("ANALYZE ledger_sum")
        cursor.execute("ANALYZE actuals_sum")
        cursor.execute(TOO_LARGE, [AMOUNT_LIMIT, AMOUNT_LIMIT])
        report.errors += [
            RowError(
                row,
                f"the amounts of {code} in period {number} add up to too much",
                labels["amount"],
            )
            for row, code, number in cursor.fetchall()
        ]
        cursor.execute("SELECT count(*) FROM actuals_sum")
        report.cost_centre_periods = cursor.fetchone()[0]


WRITE = [
    # Lock the periods the file touches, so none can close half way through.
    (
        "lock",
        "SELECT id FROM budgets_period WHERE id IN (SELECT period_id FROM actuals_sum) FOR SHARE",
    ),
    # The services and periods the file covers: it replaces their figures.
    (
        "covered",
        "CREATE TEMPORARY TABLE actuals_covered ON COMMIT DROP AS"
        " SELECT DISTINCT service_id, period_id FROM actuals_sum",
    ),
    # Each figure of the file beside the one held, and each figure held for the services and
    # periods the file covers that the file no longer has: one join, over those periods' rows,
    # rather than a pass over the whole actuals table for each statement below.
    (
        "held",
        "CREATE TEMPORARY TABLE actuals_held ON COMMIT DROP AS"
        " SELECT s.line_id, s.period_id, s.amount, a.id AS actual_id, a.amount AS held,"
        " s.line_id IS NULL AS removed FROM actuals_sum s FULL JOIN"
        " (SELECT a.id, a.line_id, a.period_id, a.amount FROM budgets_actual a"
        " JOIN budgets_budgetline l ON l.id = a.line_id"
        " JOIN actuals_covered c ON c.service_id = l.service_id AND c.period_id = a.period_id"
        # Implied by the join above, but said first, so that the table's rows are cut down to
        # the file's few periods before anything is hashed or sorted.
        " WHERE a.period_id = ANY (ARRAY(SELECT DISTINCT period_id FROM actuals_covered)))"
        " a ON a.line_id = s.line_id AND a.period_id = s.period_id",
    ),
    (
        "deleted",
        "DELETE FROM budgets_actual a USING actuals_held h WHERE h.removed AND a.id = h.actual_id",
    ),
    # Only the figures the file changes are written: an unchanged row is not touched, so a
    # re-import of the same file writes nothing.
    (
        "updated",
        "UPDATE budgets_actual a SET amount = h.amount FROM actuals_held h"
        " WHERE NOT h.removed AND h.held IS DISTINCT FROM h.amount AND a.id = h.actual_id"
        " AND a.amount IS DISTINCT FROM h.amount"
        # The held rows are in these periods: read by the period index, not the whole table.
        " AND a.period_id = ANY (ARRAY(SELECT DISTINCT period_id FROM actuals_covered))",
    ),
    # Then the new ones; ON CONFLICT covers a row another import added meanwhile (xmax is 0
    # only for a new row, so one pass both writes and counts).
    (
        "written",
        "WITH written AS (INSERT INTO budgets_actual (line_id, period_id, amount)"
        " SELECT line_id, period_id, amount FROM actuals_held WHERE actual_id IS NULL"
        " ORDER BY line_id, period_id"
        " ON CONFLICT (line_id, period_id) DO UPDATE SET amount = EXCLUDED.amount"
        " WHERE budgets_actual.amount IS DISTINCT FROM EXCLUDED.amount"
        " RETURNING xmax = 0 AS inserted)"
        " SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)"
        " FROM written",
    ),
    # The same for the account detail: what the covered services and periods held that the
    # file no longer has (every entry of them, for a file without accounts), then the upsert.
    (
        "entries_deleted",
        "DELETE FROM budgets_ledgerentry e USING budgets_budgetline l, actuals_covered c"
        " WHERE l.id = e.line_id AND c.service_id = l.service_id AND c.period_id = e.period_id"
        " AND NOT EXISTS (SELECT 1 FROM ledger_sum s WHERE s.line_id = e.line_id"
        " AND s.period_id = e.period_id AND s.account = e.account)",
    ),
    (
        "entries_written",
        "WITH written AS (INSERT INTO budgets_ledgerentry"
        " (line_id, period_id, account, description, amount)"
        " SELECT line_id, period_id, account, description, amount FROM ledger_sum"
        " ON CONFLICT (line_id, period_id, account) DO UPDATE"
        " SET amount = EXCLUDED.amount, description = EXCLUDED.description"
        " WHERE (budgets_ledgerentry.amount, budgets_ledgerentry.description)"
        " IS DISTINCT FROM (EXCLUDED.amount, EXCLUDED.description)"
        " RETURNING xmax = 0 AS inserted)"
        " SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted),"
        " (SELECT count(*) FROM ledger_sum) FROM written",
    ),
]


def _write(report) -> None:
    counts = {}
    with connection.cursor() as cursor:
        for name, sql in WRITE:
            cursor.execute(sql)
            counts[name] = cursor.fetchone() if name.endswith("written") else cursor.rowcount
    (report.created, report.updated), report.deleted = counts["written"], counts["deleted"]
    report.updated += counts["updated"]
    report.unchanged = report.cost_centre_periods - report.created - report.updated
    report.entries_created, report.entries_updated, entries = counts["entries_written"]
    report.entries_deleted = counts["entries_deleted"]
    report.entries_unchanged = entries - report.entries_created - report.entries_updated


def _drop_stage() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TABLE IF EXISTS actuals_stage, ledger_sum, actuals_sum, actuals_covered,"
            " actuals_held, ledger_rows, ledger_periods, ledger_amounts,"
            " ledger_lines"
        )
