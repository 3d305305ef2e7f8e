"""What the ledger extract tests share: the example files of the second council (Southwark, LA
210, in fixtures/examples/) and small readers of what an import wrote."""

from pathlib import Path

from django.contrib.auth import get_user_model

from budgets.importers import actuals_import
from budgets.models import Actual, LedgerEntry

EXAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "examples"
ORACLE = EXAMPLES / "ledger_account_level_2024-25_P01-P03.csv"
UNIT4 = EXAMPLES / "ledger_unit4_2024-25.csv"
BUDGET_BOOK = EXAMPLES / "budget_book_2024-25.csv"


def user(username: str):
    """One of the example users file's users (the `southwark` fixture loads it)."""
    return get_user_model().objects.get(username=username)


def actual(code, period, year=2024):
    return Actual.objects.get(
        line__code=code, period__year__start_year=year, period__number=period
    ).amount


def entries(code, period, year=2024):
    return {
        e.account: e.amount
        for e in LedgerEntry.objects.filter(
            line__code=code, period__year__start_year=year, period__number=period
        )
    }


def load(path, user, **options):
    with path.open("rb") as source:
        return actuals_import(source, file_name=path.name, user=user, **options)


def southwark_actuals():
    return Actual.objects.filter(line__service__directorate__council__la_code="210")


def southwark_entries():
    return LedgerEntry.objects.filter(line__service__directorate__council__la_code="210")
