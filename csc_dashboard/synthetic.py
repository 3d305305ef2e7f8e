"""Synthetic councils for benchmarks: realistic structure and money, written with COPY.

Everything is derived from a seeded random generator, so `--seed` reproduces a data set exactly.
Rows go to PostgreSQL through COPY (psycopg's copy protocol), never one INSERT at a time, and are
streamed: memory stays flat however many councils are asked for.
"""

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import connection, transaction

from budgets.access import Role
from budgets.models import DEFAULT_AREAS, INCOME_AREA, FinancialYear, Period
from placements.importers import EPISODE_FIELDS

# A council's shape: directorates and their services (about 300 cost centres in all). The codes
# are the generator's own, so a synthetic council is never mistaken for the demo or a real one.
CARE_DIRECTORATE, CARE_SERVICE = "CHL", "SOCC"  # the children's social care service
DIRECTORATES = {
    CARE_DIRECTORATE: [CARE_SERVICE, "SENS", "SCHL", "YNG", "EARLY"],
    "ADL": ["ADULT", "MH", "LD", "COMM"],
    "ENV": ["WASTE", "HWY", "PARK", "PLAN"],
    "CORP": ["FIN", "HR", "ICT", "LEGAL", "PROP"],
    "HOME": ["TEMP", "ADV", "REGEN"],
    "PH": ["PH"],
}
LINES_PER_SERVICE = 14
AREAS = [code for code, _ in DEFAULT_AREAS if code != INCOME_AREA]


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
def generate(spec: SyntheticSpec) -> dict[str, int]:
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
        ["name", "la_code", "headline_periods_back", "committee_labels"],
        ((f"Synthetic council {code}", code, 1, "{}") for code in codes),
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
    for table, count in generate_care(spec, codes).items():
        counts[table] = counts.get(table, 0) + count
    return counts


def generate_care(spec: SyntheticSpec, codes: list[str]) -> dict[str, int]:
    """Children in care, placement episodes and staffing histories for each council, charged to
    its children's social care lines (placements and staffing)."""
    rows = _ids(
        "SELECT c.id, c.la_code, s.id, l.id, l.area_of_spend FROM budgets_council c"
        " JOIN budgets_directorate d ON d.council_id = c.id"
        " JOIN budgets_service s ON s.directorate_id = d.id AND s.code = %s"
        " JOIN budgets_budgetline l ON l.service_id = s.id"
        " WHERE c.la_code = ANY(%s) AND d.code = %s"
        " AND l.area_of_spend IN ('placements', 'staffing')"
        " ORDER BY c.la_code, l.code",
        [CARE_SERVICE, codes, CARE_DIRECTORATE],
    )
    councils: dict[str, dict] = {}
    for council_id, la_code, service_id, line_id, area in rows:
        found = councils.setdefault(
            la_code, {"id": council_id, "service": service_id, "placements": [], "staffing": []}
        )
        found[area].append(line_id)
    counts: dict[str, int] = {}
    category_lines = []
    for la_code, council in councils.items():
        # Seeded per council, so a council's data does not depend on how many came before.
        rng = random.Random(f"{spec.seed}-{la_code}")  # noqa: S311 (test data, not secrets)
        lac, staff = council_size(la_code, rng)
        made = generate_placements(council["id"], lac, spec, rng)
        made |= generate_staffing(
            la_code, staff, council["service"], council["staffing"][0], spec, rng
        )
        for table, count in made.items():
            counts[table] = counts.get(table, 0) + count
        lines = council["placements"]
        category_lines += [
            (council["id"], category, lines[n % len(lines)])
            for n, (category, *_rest) in enumerate(PLACEMENTS)
        ]
    _copy("placements_categoryline", ["council_id", "category", "line_id"], iter(category_lines))
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


# --- Children looked after and their placement episodes -------------------------------------

LARGE_COUNTY = "001"  # 2,000 children in care and 1,500 social care staff
LARGE_COUNTY_LAC, LARGE_COUNTY_STAFF = 2000, 1500
# Other councils: children in care drawn from this range (England: about 83,000 in all, so
# 150 councils hold about a million episodes over ten years); staff in proportion.
LAC_RANGE = (150, 750)
STAFF_PER_CHILD = 0.75

MEAN_STAY_DAYS = 900  # a child's time in care
MEAN_PLACEMENT_DAYS = 350  # one episode: children move placement every year or so
STAY_BEFORE_18 = 0.86  # the share of the mean stay left once stays end at 18
RUN_IN_YEARS = 8  # years of arrivals before the data starts, so it starts at its steady level
# (category, PLACE, PLACE_PROVIDER, share of placements, weekly cost range in pounds)
PLACEMENTS = [
    ("in_house_fostering", "U4", "PR1", 30, (350, 550)),
    ("ifa", "U4", "PR4", 30, (800, 1_050)),
    ("residential", "K2", "PR4", 10, (3_500, 6_500)),
    ("semi_independent", "H5", "PR4", 8, (900, 2_000)),
    ("placed_with_parents", "P1", "PR1", 7, (0, 200)),
    ("adoption", "A5", "PR1", 5, (0, 0)),
    ("secure", "K1", "PR1", 1, (6_000, 9_000)),
    ("other", "R3", "PR4", 9, (500, 1_200)),
]


def council_size(la_code: str, rng: random.Random) -> tuple[int, int]:
    """(children in care, social care staff) of a synthetic council."""
    if la_code == LARGE_COUNTY:
        return LARGE_COUNTY_LAC, LARGE_COUNTY_STAFF
    children = rng.randrange(*LAC_RANGE)
    return children, round(children * STAFF_PER_CHILD)


def pounds(pence: int) -> str:
    """Exact money text for COPY, from whole pence (never through a float)."""
    return f"{pence // 100}.{pence % 100:02d}"


def _placement(rng: random.Random, age: int) -> tuple:
    category, place, provider, _, (low, high) = rng.choices(
        PLACEMENTS, weights=[p[3] for p in PLACEMENTS]
    )[0]
    if category == "adoption" and age >= 5:  # adoption is for young children
        category, place, provider, _, (low, high) = PLACEMENTS[0]
    if category == "semi_independent" and age < 16:  # and semi-independent for 16 and over
        category, place, provider, _, (low, high) = PLACEMENTS[1]
    return category, place, provider, pounds(rng.randrange(low * 100, high * 100 + 1))


def children_in_care(rng: random.Random, *, lac: int, first: int, last: int) -> Iterator[tuple]:
    """(birth ordinal, [(start, end or None, planned end or None, placement)…]) per child, days
    as ordinals. Arrivals are a Poisson process sized so about `lac` children are in care on any
    day; arrivals run in for years before `first` so the first day is already at that level,
    and only children still in care on or after `first` are kept."""
    # Stays are cut short at 18, so arrivals run a little faster than lac / mean stay.
    rate = lac / (MEAN_STAY_DAYS * STAY_BEFORE_18)
    day = first - RUN_IN_YEARS * 365
    while True:
        day += rng.expovariate(rate)
        entry = int(day)
        if entry > last:
            return
        age = rng.choices(
            range(18), weights=[8, 5, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 7, 8, 10, 10, 6, 3]
        )[0]
        born = entry - age * 365 - rng.randrange(365)
        leaves = min(entry + 1 + int(rng.expovariate(1 / MEAN_STAY_DAYS)), born + 18 * 365)
        if leaves <= first:
            continue
        episodes, start = [], entry
        while start < leaves:
            end = min(start + 1 + int(rng.expovariate(1 / MEAN_PLACEMENT_DAYS)), leaves)
            placement = _placement(rng, (start - born) // 365)
            if end > last:  # still open at the end of the data: a planned end instead
                episodes.append((start, None, end, placement))
                break
            episodes.append((start, end, None, placement))
            start = end
        yield born, episodes


def _reserve_ids(table: str, count: int) -> int:
    """The first of `count` new ids of `table`, taken from its sequence, so rows can be written
    with COPY and referred to at once without reading them back."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        ids = [row[0] for row in cursor.fetchall()]
    if ids != list(range(ids[0], ids[0] + count)):  # another writer took some: start again
        return _reserve_ids(table, count)
    return ids[0]


def generate_placements(council_id: int, lac: int, spec, rng) -> dict[str, int]:
    """A council's children in care and their SSDA903 episodes over the spec's years, written
    with COPY; only the year and month of birth are kept, as for real children."""
    first_year = spec.last_year - spec.years + 1
    first = datetime.date(first_year, 4, 1).toordinal()
    last = datetime.date(spec.last_year + 1, 3, 31).toordinal()
    children = list(children_in_care(rng, lac=lac, first=first, last=last))
    if not children:
        return {"children": 0, "episodes": 0}
    first_id = _reserve_ids("placements_child", len(children))
    day = datetime.date.fromordinal

    def child_rows():
        for n, (born, _) in enumerate(children):
            birth = day(born)
            yield (
                first_id + n,
                council_id,
                f"{rng.getrandbits(256):064x}",
                birth.year,
                birth.month,
                rng.random() < 0.06,
            )

    def episode_rows():
        for n, (_, episodes) in enumerate(children):
            for start, end, planned, (category, place, provider, cost) in episodes:
                yield (
                    first_id + n,
                    council_id,
                    day(start),
                    day(end) if end else None,
                    day(planned) if planned else None,
                    "S" if start == episodes[0][0] else "P",
                    "C2",
                    place,
                    provider,
                    "E4A" if end and end == episodes[-1][1] else ("X1" if end else ""),
                    category,
                    cost,
                )

    counts = {
        "children": _copy(
            "placements_child",
            ["id", "council_id", "reference", "birth_year", "birth_month", "uasc"],
            child_rows(),
        )
    }
    counts["episodes"] = _copy(
        "placements_episode",
        ["child_id", "council_id", "start", *(f'"{f}"' for f in EPISODE_FIELDS), "weekly_cost"],
        episode_rows(),
    )
    return counts


# --- Social care staff: teams, posts and how each post was filled -----------------------------

TEAM_SIZE = 15
MEAN_FILLING_DAYS = 540
TITLES = ["Social worker", "Senior social worker", "Team manager", "Family support worker"]


def generate_staffing(la_code: str, staff: int, service_id: int, line_id, spec, rng):
    """Teams of about fifteen posts in the council's children's social care service, each post
    filled permanent, agency or vacant in turn over the years (agency use drifting up, as it
    has nationally), and the teams' monthly caseloads for the last two years."""
    first = datetime.date(spec.last_year - spec.years + 1, 4, 1).toordinal()
    last = datetime.date(spec.last_year + 1, 3, 31).toordinal()
    teams = max(1, round(staff / TEAM_SIZE))
    first_team = _reserve_ids("workforce_team", teams)
    first_post = _reserve_ids("workforce_post", staff)
    agency_base = rng.uniform(0.05, 0.25)
    counts = {
        "teams": _copy(
            "workforce_team",
            ["id", "service_id", "name", "caseload_target", "line_id"],
            (
                (first_team + t, service_id, f"Team {t + 1:03d}", Decimal(18), line_id)
                for t in range(teams)
            ),
        )
    }
    posts = []
    for n in range(staff):
        social = rng.random() < 0.85
        fte = Decimal("0.5") if rng.random() < 0.08 else Decimal(1)
        posts.append(
            (
                first_post + n,
                f"S{la_code}-{n + 1:05d}",
                first_team + n % teams,
                TITLES[0 if social and n % 8 else (2 if social else 3)],
                "",
                fte,
                Decimal(rng.randrange(42_000, 60_000)) * fte,
                social,
            )
        )
    counts["posts"] = _copy(
        "workforce_post",
        ["id", "reference", "team_id", "title", "grade", "fte", "budgeted_cost", "social_work"],
        iter(posts),
    )

    def fillings():
        day = datetime.date.fromordinal
        for post_id, _, _, _, _, fte, budgeted, social in posts:
            start = first - rng.randrange(MEAN_FILLING_DAYS)
            while start <= last:
                end = start + 1 + int(rng.expovariate(1 / MEAN_FILLING_DAYS))
                drift = 0.10 * (start - first) / (last - first)
                roll = rng.random()
                if roll < 0.08:
                    status, cost = "vacant", Decimal(0)
                elif social and roll < 0.08 + agency_base + drift:
                    status, cost = "agency", (budgeted * Decimal("1.6")).quantize(Decimal(1))
                else:
                    status, cost = "permanent", budgeted
                yield (
                    post_id,
                    day(start),
                    day(end) if end <= last else None,
                    status,
                    fte,
                    cost,
                )
                start = end

    counts["fillings"] = _copy(
        "workforce_filling",
        ["post_id", "start", '"end"', "status", "fte", "annual_cost"],
        fillings(),
    )
    months = [
        datetime.date(spec.last_year - 1 + (m + 3) // 12, (m + 3) % 12 + 1, 1) for m in range(24)
    ]
    counts["caseloads"] = _copy(
        "workforce_teamcaseload",
        ["team_id", "month", "cases", "case_holding_fte"],
        (
            (first_team + t, month, rng.randrange(180, 300), Decimal(rng.randrange(10, 14)))
            for t in range(teams)
            for month in months
        ),
    )
    return counts
