"""Synthetic councils for benchmarks: realistic structure and money, written with COPY.

Everything is derived from a seeded random generator, so `--seed` reproduces a data set exactly.
Rows go to PostgreSQL through COPY (psycopg's copy protocol), never one INSERT at a time, and are
streamed: memory stays flat however many councils are asked for.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import connection, transaction

from budgets.access import Role
from budgets.models import AreaOfSpend, FinancialYear, Period

# A council's shape: directorates and their services (about 300 cost centres in all).
DIRECTORATES = {
    "CYP": ["CSC", "SEND", "EDU", "YTH", "EH"],
    "ASC": ["ADULT", "MH", "LD", "COMM"],
    "ENV": ["WASTE", "HWY", "PARK", "PLAN"],
    "RES": ["FIN", "HR", "ICT", "LEGAL", "PROP"],
    "HSG": ["TEMP", "ADV", "REGEN"],
    "PH": ["PH"],
}
LINES_PER_SERVICE = 14
AREAS = [a for a in AreaOfSpend.values if a != AreaOfSpend.INCOME]


@dataclass
class SyntheticSpec:
    councils: int
    years: int
    seed: int
    last_year: int = 2025  # the most recent financial year generated starts in April 2025


def _copy(table: str, columns: list[str], rows: Iterator[tuple]) -> int:
    count = 0
    with connection.cursor() as cursor:
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def _ids(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def ensure_years(spec: SyntheticSpec) -> dict[int, list[int]]:
    """Financial years and their twelve periods; returns start year → period ids (1..12)."""
    periods = {}
    for start in range(spec.last_year - spec.years + 1, spec.last_year + 1):
        year, _ = FinancialYear.objects.get_or_create(start_year=start)
        ids = []
        for number in range(1, 13):
            period, _ = Period.objects.get_or_create(year=year, number=number)
            ids.append(period.pk)
        periods[start] = ids
    return periods


@transaction.atomic
def generate_budgets(spec: SyntheticSpec) -> dict[str, int]:
    """Councils with LA codes 001, 002, … (the DfE's codes start at 201, so synthetic councils
    never pass for real ones), their directorates, services, budget lines, budgets,
    monthly actuals and monthly forecasts for every year. Returns row counts by table."""
    rng = random.Random(spec.seed)  # noqa: S311 (reproducible test data, not secrets)
    periods = ensure_years(spec)
    counts = {}
    first_code = 1
    existing = {c for (c,) in _ids("SELECT la_code FROM budgets_council")}
    codes = [
        f"{first_code + i:03d}"
        for i in range(spec.councils)
        if f"{first_code + i:03d}" not in existing
    ]
    counts["councils"] = _copy(
        "budgets_council",
        ["name", "la_code"],
        ((f"Synthetic council {code}", code) for code in codes),
    )
    councils = _ids("SELECT id, la_code FROM budgets_council WHERE la_code = ANY(%s)", [codes])
    _copy(
        "budgets_directorate",
        ["council_id", "code", "name"],
        ((cid, d, f"{d} directorate") for cid, _ in councils for d in DIRECTORATES),
    )
    directorates = _ids(
        "SELECT d.id, d.code, c.la_code FROM budgets_directorate d "
        "JOIN budgets_council c ON c.id = d.council_id WHERE c.la_code = ANY(%s)",
        [codes],
    )
    _copy(
        "budgets_service",
        ["directorate_id", "code", "name"],
        ((did, s, f"{s} service") for did, d, _ in directorates for s in DIRECTORATES[d]),
    )
    services = _ids(
        "SELECT s.id, s.code, c.la_code FROM budgets_service s "
        "JOIN budgets_directorate d ON d.id = s.directorate_id "
        "JOIN budgets_council c ON c.id = d.council_id WHERE c.la_code = ANY(%s)",
        [codes],
    )
    counts["budget_lines"] = _copy(
        "budgets_budgetline",
        ["code", "name", "service_id", "area_of_spend", "section_251_line"],
        (
            (f"{la}-{code}-{n:02d}", f"{code} cost centre {n}", sid, AREAS[n % len(AREAS)], "")
            for sid, code, la in services
            for n in range(LINES_PER_SERVICE)
        ),
    )
    lines = _ids(
        "SELECT l.id FROM budgets_budgetline l JOIN budgets_service s ON s.id = l.service_id "
        "JOIN budgets_directorate d ON d.id = s.directorate_id "
        "JOIN budgets_council c ON c.id = d.council_id WHERE c.la_code = ANY(%s) ORDER BY l.id",
        [codes],
    )
    author = _synthetic_author()
    line_budgets = {lid: Decimal(rng.randrange(50_000, 3_000_000)) for (lid,) in lines}
    year_ids = dict(FinancialYear.objects.values_list("start_year", "pk"))

    counts["budgets"] = _copy(
        "budgets_budget",
        ["line_id", "year_id", "original", "revised"],
        (
            (lid, year_ids[start], amount, amount)
            for start in periods
            for lid, amount in line_budgets.items()
        ),
    )
    # Forecast drift: each line trends towards an outturn a few percent over or under budget.
    drift = {lid: Decimal(rng.randrange(-40, 120)) / 1000 for lid in line_budgets}

    def forecasts():
        for period_ids in periods.values():
            for lid, budget in line_budgets.items():
                for number, pid in enumerate(period_ids, start=1):
                    outturn = (budget * (1 + drift[lid] * number / 12)).quantize(Decimal("0.01"))
                    yield (lid, pid, outturn, "", author, 1)

    def actuals():
        for period_ids in periods.values():
            for lid, budget in line_budgets.items():
                monthly = (budget * (1 + drift[lid]) / 12).quantize(Decimal("0.01"))
                for pid in period_ids:
                    yield (lid, pid, monthly)

    counts["forecasts"] = _copy_forecasts(forecasts())
    counts["actuals"] = _copy("budgets_actual", ["line_id", "period_id", "amount"], actuals())
    return counts


def _copy_forecasts(rows) -> int:
    # updated_at is set by the database default for COPY (auto_now applies only to .save()).
    with connection.cursor() as cursor:
        sql = (
            "COPY budgets_forecast (line_id, period_id, outturn, commentary, author_id, version,"
            " updated_at) FROM STDIN"
        )
        count = 0
        with cursor.cursor.copy(sql) as copy:
            from django.utils import timezone

            now = timezone.now()
            for row in rows:
                copy.write_row((*row, now))
                count += 1
    return count


def _synthetic_author() -> int:
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(username="synthetic-finance")
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=Role.FINANCE_OFFICER))
    return user.pk
