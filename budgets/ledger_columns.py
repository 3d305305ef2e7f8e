"""The ledger extract's columns as finance systems name them, the report of its import, and the
checks of one row's cells (with the file's own headers in every message)."""

import functools
from dataclasses import dataclass, field
from decimal import Decimal

from budgets.importing import ImportFileError, ImportReport, column_indexes, parse_money
from budgets.ledger_periods import LAST_PERIOD, PeriodCellError, year_and_period

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
    "period": [
        "period",
        "period name",
        "accounting period",
        "gl period",
        "per",
        "month",
        "fiscal period",
    ],
    "amount": [
        "amount",
        "value",
        "net amount",
        "actual",
        "actuals",
        "actual amount",
        "amount (£)",
        "amount gbp",
        "net",
        "total",
    ],
    "posting_date": ["posting date", "gl date", "date", "transaction date"],
    "account": [
        "account",
        "account code",
        "nominal",
        "nominal code",
        "subjective",
        "subjective code",
        "natural account",
    ],
    "description": [
        "account description",
        "account name",
        "subjective description",
        "nominal description",
        "natural account description",
    ],
}

# How a missing column is named in a message (the file has no header of its own for it).
NAMES = {"cost_centre": "cost centre", "amount": "amount"}

# numeric(14,2): the largest amount the ledger tables hold is just under a trillion pounds.
AMOUNT_LIMIT = Decimal("1000000000000")
ACCOUNT_LENGTH = 40
DESCRIPTION_LENGTH = 200


@dataclass
class LedgerReport(ImportReport):
    """An ImportReport whose created/updated/unchanged/deleted count cost-centre periods
    (Actuals), with the account detail's counts and the adjustment periods folded into P12."""

    cost_centre_periods: int = 0
    by_account: bool = False
    entries_created: int = 0
    entries_updated: int = 0
    entries_unchanged: int = 0
    entries_deleted: int = 0
    adjustments: dict[int, int] = field(default_factory=dict)  # period 13..16 → rows

    @property
    def changed(self) -> int:
        return super().changed + self.entries_created + self.entries_updated + self.entries_deleted

    def summary(self) -> str:
        if not self.ok:
            return super().summary()
        text = (
            f"Imported {self.rows} rows, summed into {self.cost_centre_periods} cost-centre "
            f"periods: {self.created} new, {self.updated} changed, {self.unchanged} unchanged, "
            f"{self.deleted} removed."
        )
        if self.by_account or self.entries_deleted:
            text += (
                f" Account detail: {self.entries_created} new, {self.entries_updated} changed, "
                f"{self.entries_unchanged} unchanged, {self.entries_deleted} removed."
            )
        if self.adjustments:
            rows = sum(self.adjustments.values())
            periods = ", ".join(str(p) for p in sorted(self.adjustments))
            text += (
                f" {rows} {'row' if rows == 1 else 'rows'} of adjustment "
                f"{'period' if len(self.adjustments) == 1 else 'periods'} {periods} "
                f"{'was' if rows == 1 else 'were'} added to period {LAST_PERIOD}."
            )
        return text


@functools.lru_cache(maxsize=4096)
def year_and_period_cached(
    year: str, period: str, posting_date: str, default_year: int | None
) -> tuple[int, int]:
    """year_and_period, remembered: a million-row extract names a few dozen periods."""
    return year_and_period(year, period, posting_date, default_year)


def row_parser(columns: dict[str, int], labels: dict[str, str], default_year: int | None):
    """A function from a row's cells to (staged values, [(header, message)]). Built once per
    file, so the per-row work is indexing and the cached period lookup."""
    code_at, amount_at = columns["cost_centre"], columns["amount"]
    year_at, period_at, date_at = (
        columns.get("year"),
        columns.get("period"),
        columns.get("posting_date"),
    )
    account_at, description_at = columns.get("account"), columns.get("description")

    def cell(cells, index):
        return cells[index] if index is not None and index < len(cells) else ""

    def parse(cells):
        errors = []
        code = cell(cells, code_at).upper()
        if not code:
            errors.append((labels["cost_centre"], "the cost centre is missing"))
        start = number = period = None
        try:
            start, number = year_and_period_cached(
                cell(cells, year_at), cell(cells, period_at), cell(cells, date_at), default_year
            )
            period = min(number, LAST_PERIOD)
        except PeriodCellError as exc:
            errors.append((labels.get(exc.key) or labels["when"], str(exc)))
        amount = None
        try:
            amount = parse_money(cell(cells, amount_at))
            if abs(amount) >= AMOUNT_LIMIT:
                errors.append((labels["amount"], f"{cell(cells, amount_at)} is too large"))
        except ValueError as exc:
            errors.append((labels["amount"], str(exc)))
        account = description = ""
        if account_at is not None:
            account = cell(cells, account_at)
            if not account:
                # A blank account in an account-level extract is usually a subtotal row, which
                # would count its accounts twice.
                errors.append((labels["account"], "the account is missing"))
            elif len(account) > ACCOUNT_LENGTH:
                errors.append(
                    (labels["account"], f"the account is over {ACCOUNT_LENGTH} characters")
                )
            description = cell(cells, description_at)
            if len(description) > DESCRIPTION_LENGTH:
                errors.append(
                    (
                        labels["description"],
                        f"the description is over {DESCRIPTION_LENGTH} characters",
                    )
                )
        return (code, start, period, number, account, description, amount), errors

    return parse


def columns_of(header: list[str]) -> tuple[dict[str, int], dict[str, str]]:
    """Where each of our columns is, and the file's own header for it (for messages)."""
    columns = column_indexes(header, COLUMNS, required=[])
    missing = [NAMES[name] for name in ("cost_centre", "amount") if name not in columns]
    if missing:
        raise ImportFileError(
            f"Missing columns: {', '.join(missing)}. Found: {', '.join(map(str, header))}."
        )
    if not {"year", "period", "posting_date"} & set(columns):
        raise ImportFileError(
            "Missing columns: give the period (like APR-24, 202401, or a financial year and "
            "period number), or a posting date."
        )
    labels = {name: str(header[index]) for name, index in columns.items()}
    # The column a problem with the row's period is reported against, when no single cell is.
    labels["when"] = next(labels[k] for k in ("period", "year", "posting_date") if k in labels)
    return columns, labels
