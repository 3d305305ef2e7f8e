"""The benchmark suite (`make bench`): page times and query counts at one-council and national
scale, and import throughput beside raw COPY. Prints a table; asserts nothing.

The imports' yardstick is a raw COPY of the same file into a bare table of text columns: a plain
(logged) table, committed, as the issue words it, which gives the ratio column. The same COPY
into a temporary table (no WAL; the yardstick of earlier runs) is printed beside it, so the two
can be told apart.

It runs against its own embedded PostgreSQL in .pgdata-bench/ (or BENCH_DATABASE_URL), never the
demo database. Times are server time: the request handled in-process by Django's test client,
with the database on the same machine.
"""

import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csc_dashboard.settings")
os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
# The pages show the large county (synthetic council 001), whatever else the database holds.
os.environ.setdefault("CSC_COUNCIL_LA_CODE", "001")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("CSC_CHILD_ID_SALT", secrets.token_urlsafe(32))
if os.environ.get("BENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
else:
    os.environ.pop("DATABASE_URL", None)
    os.environ["CSC_PGDATA"] = os.environ.get("BENCH_PGDATA") or str(ROOT / ".pgdata-bench")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import scenarios  # noqa: E402

REPEATS = int(os.environ.get("BENCH_REPEATS", "20"))
# BENCH_ONLY=imports: the data sets are prepared (the ledger file is drawn from their lines) but
# only the import table is measured and printed.
ONLY = os.environ.get("BENCH_ONLY", "")


def measure_page(client: Client, url: str, *, cold: bool) -> tuple[float, float, int]:
    """Median and p95 milliseconds, and SQL queries per request. Cold: the chart-data cache is
    emptied before every request, so each one computes its figures from the database (as the
    first request after an import does); warm: figures come from the cache."""
    client.get(url)  # warm connections (and the cache, for warm runs)
    times, queries = [], 0
    for _ in range(REPEATS):
        if cold:
            cache.clear()
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        queries = len(ctx)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, queries


def main() -> None:
    call_command("migrate", verbosity=0)
    rows, sizes = [], []
    for scale in scenarios.SCALES:
        started = time.perf_counter()
        scale.prepare()
        sizes.append(f"{scale.describe()} (ready in {time.perf_counter() - started:.0f} s)")
        client = Client()
        client.force_login(scale.reader())
        for name, url in [] if ONLY == "imports" else scale.pages():
            cold = measure_page(client, url, cold=True)
            warm = measure_page(client, url, cold=False)
            rows.append(
                (
                    scale.name,
                    name,
                    f"{cold[0]:.1f}",
                    f"{cold[1]:.1f}",
                    str(cold[2]),
                    f"{warm[0]:.1f}",
                    f"{warm[1]:.1f}",
                    str(warm[2]),
                )
            )
    print("\n".join(sizes))
    print()
    if ONLY != "imports":
        print_pages(rows)
        demand_rows = scenarios.demand_benchmarks()
        if demand_rows:
            print()
            print_table(["demand model", "episodes", "seconds"], demand_rows)
    import_rows = scenarios.import_benchmarks()
    if import_rows:
        print()
        print_table(
            [
                "import",
                "rows",
                "seconds",
                "rows/s",
                "raw COPY rows/s (plain table)",
                "raw COPY rows/s (temporary table)",
                "ratio (to plain)",
                "peak MB",
            ],
            import_rows,
        )


def print_pages(rows: list[tuple]) -> None:
    print_table(
        [
            "data set",
            "page",
            "cold median ms",
            "cold p95 ms",
            "cold queries",
            "cached median ms",
            "cached p95 ms",
            "cached queries",
        ],
        rows,
    )


def print_table(header: list[str], rows: list[tuple]) -> None:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=False)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
