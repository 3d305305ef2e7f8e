"""The data sets and pages the benchmark measures."""

import csv
import os
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from budgets.access import Role
from budgets.models import Council
from csc_dashboard.synthetic import SyntheticSpec, generate_budgets


@dataclass
class Scale:
    name: str
    councils: int
    years: int

    def prepare(self) -> None:
        """Generate the data set once; a later run reuses it (the councils already exist)."""
        have = Council.objects.filter(name__startswith="Synthetic council").count()
        if have < self.councils:
            generate_budgets(
                SyntheticSpec(councils=self.councils - have, years=self.years, seed=have + 1)
            )

    def reader(self):
        user, _ = get_user_model().objects.get_or_create(username="bench-director")
        user.groups.add(Group.objects.get(name=Role.DIRECTOR))
        return user

    def pages(self) -> list[tuple[str, str]]:
        return [
            ("overview", "/?year=2025/26&period=6"),
            ("service budget", "/budgets/CYP/CSC/?year=2025/26&period=6"),
            ("forecast entry", "/budgets/CYP/CSC/forecast/?year=2025/26&period=6"),
            ("LAC trend", "/dashboard/lac/?year=2025/26&period=6"),
            ("agency", "/dashboard/agency/?year=2025/26&period=6"),
            ("committee pack export", "/committee/pack.xlsx?year=2025/26&period=6&service=CSC"),
        ]


# One large county first, then every council in England (about 150) on top of it.
NATIONAL = int(os.environ.get("BENCH_NATIONAL_COUNCILS", "150"))
SCALES = [Scale("one council", 1, 10), Scale(f"national ({NATIONAL} councils)", NATIONAL, 10)]


IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "1000000"))


def ledger_file(path: Path, rows: int) -> int:
    """A ledger extract of `rows` rows over the synthetic councils' lines, periods 1-12 of the
    last two years (open periods, so the import accepts it)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.code, y.start_year, p.number FROM budgets_budgetline l"
            " CROSS JOIN budgets_period p JOIN budgets_financialyear y ON y.id = p.year_id"
            " WHERE l.code LIKE '0%%' AND p.status = 'open' AND y.start_year >= 2024"
            " ORDER BY y.start_year, p.number, l.code LIMIT %s",
            [rows],
        )
        written = 0
        with path.open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["Cost Centre", "Financial Year", "Period", "Amount"])
            for code, start, number in cursor:
                pence = (hash((code, number)) % 10_000_000) / 100
                writer.writerow([code, f"{start}/{(start + 1) % 100:02d}", number, f"{pence:.2f}"])
                written += 1
    return written


def raw_copy_rate(path: Path) -> float:
    """Rows per second of COPY of the same file into a bare table: the physical limit."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bare_copy (code text, year text, period int, amount text)"
            " ON COMMIT DROP"
        )
        started = time.perf_counter()
        with (
            path.open("rb") as source,
            cursor.cursor.copy("COPY bare_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            for chunk in iter(lambda: source.read(1 << 20), b""):
                copy.write(chunk)
        cursor.execute("SELECT count(*) FROM bare_copy")
        rows = cursor.fetchone()[0]
        return rows / (time.perf_counter() - started)


def import_benchmarks() -> list[tuple]:
    from budgets.importers import actuals_import

    results = []
    if IMPORT_ROWS <= 0:
        return results
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.csv"
        rows = ledger_file(path, IMPORT_ROWS)
        limit = raw_copy_rate(path)
        tracemalloc.start()
        started = time.perf_counter()
        with path.open("rb") as source:
            report = actuals_import(source, file_name="bench-ledger.csv", max_bytes=2 * 1024**3)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        if not report.ok:
            raise RuntimeError(report.summary() + " " + "; ".join(map(str, report.errors[:5])))
        rate = rows / seconds
        results.append(
            (
                "ledger actuals",
                f"{rows:,}",
                f"{rate:,.0f}",
                f"{limit:,.0f}",
                f"{rate / limit:.2f}",
                f"{peak / 1e6:.0f}",
            )
        )
    return results
