"""Shared by the set-up tests (tests/budgets/setup/): a second council (LA 210) set up
entirely from its own files, through the commands; helpers to run them and to rewrite the
example files."""

import csv
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from budgets.models import (
    AreaOfSpend,
    AuditEntry,
    Budget,
    BudgetLine,
    Directorate,
    Service,
)

EXAMPLES = Path(__file__).resolve().parents[3] / "fixtures" / "examples"
BOOK = EXAMPLES / "budget_book_2024-25.csv"
BOOK_NEXT = EXAMPLES / "budget_book_2025-26.csv"
USERS = EXAMPLES / "users.csv"


def run(*args) -> str:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def refused(*args) -> str:
    """Everything the command said, including its refusal; fails if it was not refused."""
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(*args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue() + str(caught.value)


def revised(start_year=2024, **filters) -> Decimal:
    return Budget.objects.filter(
        year__start_year=start_year, line__service__directorate__council__la_code="210", **filters
    ).aggregate(total=Sum("revised"))["total"]


def rewrite(tmp_path, change, *, source=BOOK, name="book.csv") -> Path:
    """A copy of the example file with `change(header, rows)` applied; written as the file's
    users would save it."""
    with source.open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    change(header, rows)
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def snapshot() -> tuple:
    return (
        sorted(Budget.objects.values_list("line__code", "year__start_year", "original", "revised")),
        Directorate.objects.count(),
        Service.objects.count(),
        sorted(BudgetLine.objects.values_list("code", "name", "service__code")),
        AreaOfSpend.objects.count(),
        AuditEntry.objects.count(),
    )


def _set(code, index, value):
    def change(header, rows):
        next(r for r in rows if r[4] == code)[index] = value

    return change
