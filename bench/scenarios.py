"""The data sets and pages the benchmark measures."""

import csv
import datetime
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from bench.measure import PeakMemory, copy_rates
from bench.synthetic import (
    CARE_DIRECTORATE,
    CARE_SERVICE,
    SyntheticSpec,
    children_in_care,
    generate,
    generate_care,
    pounds,
)
from budgets.access import Role
from budgets.models import Council
from budgets.progress import NO_PROGRESS, Progress

CARE = f"{CARE_DIRECTORATE}/{CARE_SERVICE}"  # the synthetic councils' children's social care


@dataclass
class Scale:
    name: str
    councils: int
    years: int

    def prepare(self) -> None:
        """Generate the data set once; a later run reuses it (the councils already exist).
        Councils made by an earlier version without children or staff get them now."""
        from placements.models import Episode

        synthetic = Council.objects.filter(name__startswith="Synthetic council")
        have = synthetic.count()
        if have < self.councils:
            generate(SyntheticSpec(councils=self.councils - have, years=self.years, seed=have + 1))
        bare = list(
            synthetic.exclude(pk__in=Episode.objects.values("council")).values_list(
                "la_code", flat=True
            )
        )
        if bare:
            with transaction.atomic():
                generate_care(SyntheticSpec(councils=0, years=self.years, seed=1), bare)

    def describe(self) -> str:
        """What the database holds, for the report. The tables are analysed by the owner's role
        where the database has one (the site's role may not: PostgreSQL skips the tables it
        does not own with a warning), as autovacuum would soon after a load: the planner then
        knows the sizes of the tables the benchmarks read and write."""
        from django.conf import settings
        from django.db import connections

        from csc_dashboard.database import OWNER_ALIAS

        alias = OWNER_ALIAS if OWNER_ALIAS in settings.DATABASES else "default"
        with connections[alias].cursor() as cursor:
            counts = []
            for table in [
                "budgets_budgetline",
                "budgets_forecast",
                "budgets_actual",
                "placements_episode",
                "workforce_filling",
            ]:
                # An estimate from the planner's statistics: counting 5 million rows exactly
                # each run would cost more than it tells.
                cursor.execute("ANALYZE " + table)
                cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
                counts.append(f"{table.split('_', 1)[1]}s {cursor.fetchone()[0]:,}")
        return f"{self.name}: " + ", ".join(counts)

    def reader(self):
        user, _ = get_user_model().objects.get_or_create(username="bench-director")
        user.groups.add(Group.objects.get(name=Role.DIRECTOR))
        return user

    def pages(self) -> list[tuple[str, str]]:
        return [
            ("overview", "/?year=2025/26&period=6"),
            ("service budget", f"/budgets/{CARE}/?year=2025/26&period=6"),
            ("forecast entry", f"/budgets/{CARE}/forecast/?year=2025/26&period=6"),
            ("LAC trend", "/placements/?date=2025-09-30"),
            ("agency", "/workforce/?date=2025-09-30"),
            ("demand model, 36 months", "/dashboard/demand/?months=36"),
            ("committee pack export", f"/committee/pack.xlsx?year=2025/26&period=6&service={CARE}"),
        ]


# One large county first, then every council in England (about 150) on top of it.
NATIONAL = int(os.environ.get("BENCH_NATIONAL_COUNCILS", "150"))
SCALES = [Scale("one council", 1, 10), Scale(f"national ({NATIONAL} councils)", NATIONAL, 10)]


# BENCH_PROGRESS=1: each import's steps and their times, as the import commands show them.
PROGRESS = Progress(sys.stderr) if os.environ.get("BENCH_PROGRESS") else NO_PROGRESS
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "1000000"))
IMPORT_COUNCIL = "999"  # SSDA903 files are loaded for a council of their own, emptied each run


def ledger_file(path: Path, rows: int) -> int:
    """A ledger extract of `rows` rows over the synthetic councils' lines, in the open periods
    of the last three years (so the import accepts it)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.code, y.start_year, p.number FROM budgets_budgetline l"
            " CROSS JOIN budgets_period p JOIN budgets_financialyear y ON y.id = p.year_id"
            " WHERE l.code ~ '^[0-9]{3}-' AND p.status = 'open' AND y.start_year >= 2023"
            " ORDER BY y.start_year, p.number, l.code LIMIT %s",
            [rows],
        )
        written = 0
        with path.open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["Cost Centre", "Financial Year", "Period", "Amount"])
            for code, start, number in cursor:
                pence = hash((code, number)) % 10_000_000
                writer.writerow([code, f"{start}/{(start + 1) % 100:02d}", number, pounds(pence)])
                written += 1
    return written


def ledger_transactions_file(path: Path, rows: int) -> int:
    """A month's transaction-level extract of the large county, as Oracle or Unit4 export it:
    `rows` postings over its cost centres in its latest open period, summed by the import into
    one figure per cost centre (the usual shape of a monthly file; the other ledger benchmark
    writes a million cost-centre periods)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT y.start_year, p.number FROM budgets_period p"
            " JOIN budgets_financialyear y ON y.id = p.year_id WHERE p.status = 'open'"
            " ORDER BY y.start_year DESC, p.number DESC LIMIT 1"
        )
        start, number = cursor.fetchone()
        cursor.execute(
            "SELECT l.code FROM budgets_budgetline l WHERE l.code LIKE %s ORDER BY l.code",
            [f"{os.environ.get('CSC_COUNCIL_LA_CODE', '001')}-%"],
        )
        codes = [code for (code,) in cursor.fetchall()]
    rng = random.Random(rows)  # noqa: S311 (test data)
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["Cost Centre", "Financial Year", "Period", "Amount"])
        label = f"{start}/{(start + 1) % 100:02d}"
        for n in range(rows):
            writer.writerow([codes[n % len(codes)], label, number, pounds(rng.randrange(10**6))])
    return rows


SSDA903_HEADER = [
    "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
    "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
]  # fmt: skip


def ssda903_file(path: Path, rows: int) -> int:
    """An SSDA903 episodes file of `rows` episodes, as a council's case system exports it
    (dates dd/mm/yyyy, postcodes and URN present: the import reads none of them), drawn from
    the synthetic generator's model of children in care."""
    rng = random.Random(rows)  # noqa: S311 (test data)
    first = datetime.date(2016, 4, 1).toordinal()
    last = datetime.date(2026, 3, 31).toordinal()
    day = datetime.date.fromordinal
    written = 0
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(SSDA903_HEADER)
        children = children_in_care(rng, lac=rows // 12, first=first, last=last)
        for number, (_, episodes) in enumerate(children, start=1):
            for start, end, _planned, (_category, place, provider, _cost) in episodes:
                writer.writerow(
                    [
                        f"B{number:07d}",
                        f"{day(start):%d/%m/%Y}",
                        "S" if start == episodes[0][0] else "P",
                        "C2",
                        "N1",
                        place,
                        provider,
                        f"{day(end):%d/%m/%Y}" if end else "",
                        "E4A" if end else "",
                        "",
                        "SE6 4RU",
                        "BR1 1AA",
                        "SC123456",
                    ]
                )
                written += 1
                if written == rows:
                    return written
    return written


def _import_council():
    from django.db import connection

    from budgets.models import Council

    council, _ = Council.objects.get_or_create(
        la_code=IMPORT_COUNCIL, defaults={"name": "Benchmark import council"}
    )
    with connection.cursor() as cursor:  # start empty, so every run imports new episodes
        cursor.execute("DELETE FROM placements_episode WHERE council_id = %s", [council.pk])
        cursor.execute("DELETE FROM placements_child WHERE council_id = %s", [council.pk])
    return council


def _timed_import(name, rows, limits, run) -> tuple:
    """The import's row of the table: its rate against a raw COPY into a plain table (the
    ratio) and, beside it, into a temporary one."""
    limit, temporary_limit = limits
    with PeakMemory() as memory:
        started = time.perf_counter()
        report = run()
        seconds = time.perf_counter() - started
    if not report.ok:
        raise RuntimeError(report.summary() + " " + "; ".join(map(str, report.errors[:5])))
    rate = rows / seconds
    return (
        name,
        f"{rows:,}",
        f"{seconds:.1f}",
        f"{rate:,.0f}",
        f"{limit:,.0f}",
        f"{temporary_limit:,.0f}",
        f"{rate / limit:.3f}",
        f"{memory.megabytes:.0f}",
    )


def import_benchmarks() -> list[tuple]:
    from django.test import override_settings

    from budgets.importers import actuals_import
    from placements.importers import episodes_import

    results = []
    if IMPORT_ROWS <= 0:
        return results
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.csv"
        rows = ledger_file(path, IMPORT_ROWS)
        limit = copy_rates(path, 4)

        def ledger():
            with path.open("rb") as source:
                return actuals_import(
                    source, file_name="bench-ledger.csv", max_bytes=2 * 1024**3, progress=PROGRESS
                )

        results.append(_timed_import("ledger actuals (CSV)", rows, limit, ledger))
        path.unlink()

        path = Path(folder) / "ledger.csv"
        rows = ledger_transactions_file(path, IMPORT_ROWS)
        limit = copy_rates(path, 4)
        results.append(_timed_import("ledger, one month of postings (CSV)", rows, limit, ledger))
        path.unlink()

        path = Path(folder) / "episodes.csv"
        rows = ssda903_file(path, IMPORT_ROWS)
        limit = copy_rates(path, len(SSDA903_HEADER))
        _import_council()

        def episodes():
            with override_settings(CSC_COUNCIL_LA_CODE=IMPORT_COUNCIL), path.open("rb") as source:
                return episodes_import(
                    source, file_name="bench-903.csv", max_bytes=2 * 1024**3, progress=PROGRESS
                )

        results.append(_timed_import("SSDA903 episodes (CSV)", rows, limit, episodes))
    return results


def _demand_run(la_code: str, months: int) -> tuple[int, float]:
    """One council's demand model as the Demand page runs it (episodes read, unit costs, the
    projection of `months` months daily from rates of the three years to the last day of
    data): (episodes, seconds)."""
    from django.test import override_settings

    from placements import demand, demand_inputs

    with override_settings(CSC_COUNCIL_LA_CODE=la_code):
        started = time.perf_counter()
        arrays = demand_inputs.episode_arrays()
        if arrays.latest_day is None:
            return 0, 0.0
        demand.run(demand.default_options(arrays.latest_day, months=months), arrays=arrays)
        return len(arrays), time.perf_counter() - started


def demand_benchmarks() -> list[tuple]:
    """The demand model's targets: the large county (synthetic council 001, about 2,000
    children) projected three years daily in under a second, and every council with episodes
    (the national set) in under a minute in all on this machine."""
    from placements.models import Episode

    councils = list(
        Council.objects.filter(pk__in=Episode.objects.values("council"))
        .order_by("la_code")
        .values_list("la_code", flat=True)
    )
    if not councils:
        return []
    rows = []
    episodes, seconds = _demand_run(councils[0], 36)
    rows.append((f"large county ({councils[0]}), 36 months", f"{episodes:,}", f"{seconds:.2f}"))
    total_episodes, total_seconds = 0, 0.0
    for code in councils:
        episodes, seconds = _demand_run(code, 12)
        total_episodes += episodes
        total_seconds += seconds
    rows.append(
        (
            f"every council ({len(councils)}), 12 months each",
            f"{total_episodes:,}",
            f"{total_seconds:.1f}",
        )
    )
    return rows
