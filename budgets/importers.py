"""Ledger actuals import: a general-ledger extract, one row per cost centre and period.

All or nothing: every row is checked and every problem reported with its row number before
anything is written. A file for a period replaces that period's actuals for the services the
file covers (a ledger extract for a month is complete for the cost centres it reports), so a
corrected file replaces the wrong figures, and the same file imported twice changes nothing.
"""

from collections import defaultdict

from django.db import transaction

from budgets.access import Role, can_edit_service, has_role
from budgets.importing import (
    ImportFileError,
    ImportReport,
    RowError,
    map_columns,
    parse_date,
    parse_money,
    read_table,
    record_import,
)
from budgets.models import Actual, BudgetLine, Period, parse_year_label

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


def actuals_import(data: bytes, *, file_name: str, user=None) -> ImportReport:
    """Import a ledger extract. `user` None means the command line (an operator); a user must
    be a finance officer, and may only load the services assigned to them."""
    report = ImportReport()
    try:
        rows = _validate(data, file_name=file_name, user=user, report=report)
        if report.ok:
            _write(rows, report)
    except ImportFileError as exc:
        report.file_error = str(exc)
    record_import(kind=KIND, file_name=file_name, data=data, user=user, report=report)
    return report


def _validate(data, *, file_name, user, report) -> dict:
    frame = map_columns(
        read_table(data, file_name=file_name), COLUMNS, required=["cost_centre", "amount"]
    )
    has_period = {"year", "period"} <= set(frame.columns)
    if not has_period and "posting_date" not in frame.columns:
        raise ImportFileError("Missing columns: give financial year and period, or a posting date.")
    if user is not None and not has_role(user, Role.FINANCE_OFFICER):
        raise ImportFileError("Only a finance officer can load ledger actuals.")
    lines = {
        line.code.upper(): line
        for line in BudgetLine.objects.filter(
            code__in={c.upper() for c in frame["cost_centre"]}
        ).select_related("service")
    }
    periods = {(p.year.start_year, p.number): p for p in Period.objects.select_related("year")}
    editable = {}
    rows: dict[tuple, tuple] = {}
    report.rows = len(frame)
    for number, row in frame.iterrows():
        errors = []
        code = row["cost_centre"].strip().upper()
        line = lines.get(code)
        if not code:
            errors.append(("cost_centre", "the cost centre is missing"))
        elif line is None:
            errors.append(("cost_centre", f"unknown cost centre {code!r}"))
        elif user is not None:
            if line.service_id not in editable:
                editable[line.service_id] = can_edit_service(user, line.service)
            if not editable[line.service_id]:
                errors.append(
                    (
                        "cost_centre",
                        f"{code} belongs to {line.service.name}, which is not assigned to you",
                    )
                )
        key = None
        try:
            if has_period and (row["year"] or row["period"]):
                key = (parse_year_label(row["year"]), _period_number(row["period"]))
            else:
                key = period_of(parse_date(row.get("posting_date", "")))
        except ValueError as exc:
            errors.append(("period", str(exc)))
        period = periods.get(key) if key else None
        if key and period is None:
            errors.append(("period", f"no period {key[1]} in financial year {key[0]}"))
        elif period is not None and period.is_closed:
            errors.append(("period", f"{period} is closed"))
        try:
            amount = parse_money(row["amount"])
        except ValueError as exc:
            errors.append(("amount", str(exc)))
        if not errors:
            if (line.pk, period.pk) in rows:
                first = rows[(line.pk, period.pk)][2]
                errors.append(
                    (
                        "cost_centre",
                        f"{code} period {period.number} appears again (first on row {first})",
                    )
                )
            else:
                rows[(line.pk, period.pk)] = (line, period, number, amount)
        report.errors.extend(RowError(number, message, column) for column, message in errors)
    return rows


def _period_number(text: str) -> int:
    value = text.strip()
    if value.upper().startswith("P"):
        value = value[1:]
    if not value.isdigit() or not 1 <= int(value) <= 12:
        raise ValueError(f"{text!r} is not a period from 1 to 12")
    return int(value)


@transaction.atomic
def _write(rows: dict, report: ImportReport) -> None:
    covered = defaultdict(set)  # period → services the file reports
    for line, period, _, _ in rows.values():
        covered[period.pk].add(line.service_id)
    existing = {
        (a.line_id, a.period_id): a
        for period_id, services in covered.items()
        for a in Actual.objects.select_for_update().filter(
            period_id=period_id, line__service_id__in=services
        )
    }
    for (line_id, period_id), (_, _, _, amount) in rows.items():
        actual = existing.pop((line_id, period_id), None)
        if actual is None:
            Actual.objects.create(line_id=line_id, period_id=period_id, amount=amount)
            report.created += 1
        elif actual.amount != amount:
            actual.amount = amount
            actual.save(update_fields=["amount"])
            report.updated += 1
        else:
            report.unchanged += 1
    for actual in existing.values():  # lines the corrected file no longer reports
        actual.delete()
        report.deleted += 1
