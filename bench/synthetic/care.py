"""Synthetic children looked after, their placement episodes, and social care staff."""

import datetime
import random
from collections.abc import Iterator
from decimal import Decimal

from django.db import connection

from bench.synthetic.base import copy_rows, pounds
from placements.importers import EPISODE_FIELDS

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
        "children": copy_rows(
            "placements_child",
            ["id", "council_id", "reference", "birth_year", "birth_month", "uasc"],
            child_rows(),
        )
    }
    counts["episodes"] = copy_rows(
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
        "teams": copy_rows(
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
    counts["posts"] = copy_rows(
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

    counts["fillings"] = copy_rows(
        "workforce_filling",
        ["post_id", "start", '"end"', "status", "fte", "annual_cost"],
        fillings(),
    )
    months = [
        datetime.date(spec.last_year - 1 + (m + 3) // 12, (m + 3) % 12 + 1, 1) for m in range(24)
    ]
    counts["caseloads"] = copy_rows(
        "workforce_teamcaseload",
        ["team_id", "month", "cases", "case_holding_fte"],
        (
            (first_team + t, month, rng.randrange(180, 300), Decimal(rng.randrange(10, 14)))
            for t in range(teams)
            for month in months
        ),
    )
    return counts
