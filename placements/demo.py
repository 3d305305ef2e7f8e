"""Child-level placement episodes whose totals are the committee report's own figures.

Section 10.1: children looked after at the end of August 2013–2018 (506, 516, 489, 440, 467,
494). Section 10.4, as at September 2017: 168 in-house foster placements, 198 IFA, 77 residential
including 42 semi-independent (so 35 residential), with average weekly costs £426, £911 and
£3,741. The children and dates are invented, deterministically; every count and average the
report gives comes out exactly. Nothing real is stored: the identifiers are made up and hashed.
"""

import datetime
from decimal import Decimal

from django.db import transaction

from budgets.models import BudgetLine
from placements.categories import CostCategory
from placements.episodes_write import EPISODE_FIELDS
from placements.importers import pseudonymise
from placements.models import CategoryLine, Child, Episode, UnitCostBenchmark

MIX_DATE = datetime.date(2017, 9, 30)
# (category, PLACE, PLACE_PROVIDER, average weekly £, spread step £) in the 10.4 order.
PROFILE = [
    (CostCategory.IN_HOUSE_FOSTERING, "U4", "PR1", "in_house_fostering", 2),
    (CostCategory.IFA, "U4", "PR4", "ifa", 2),
    (CostCategory.RESIDENTIAL, "K2", "PR4", "residential", 40),
    (CostCategory.SEMI_INDEPENDENT, "H5", "PR4", None, 10),
    (CostCategory.PLACED_WITH_PARENTS, "P1", "PR1", None, 0),
    (CostCategory.ADOPTION, "A5", "PR1", None, 0),
    (CostCategory.OTHER, "R3", "PR4", None, 0),
]
# Illustrative costs for the categories the report does not price.
OTHER_COSTS = {
    CostCategory.SEMI_INDEPENDENT: Decimal("1200"),
    CostCategory.PLACED_WITH_PARENTS: Decimal("150"),
    CostCategory.ADOPTION: Decimal("0"),
    CostCategory.OTHER: Decimal("800"),
}
LINES = {
    CostCategory.IN_HOUSE_FOSTERING: "CSC-PLC-INH",
    CostCategory.IFA: "CSC-PLC-IFA",
    CostCategory.RESIDENTIAL: "CSC-PLC-RES",
    CostCategory.SEMI_INDEPENDENT: "CSC-PLC-SEM",
    CostCategory.SECURE: "CSC-PLC-SEC",
    CostCategory.PLACED_WITH_PARENTS: "CSC-PLC-SEC",
    CostCategory.ADOPTION: "CSC-PLC-SEC",
    CostCategory.OTHER: "CSC-PLC-SEC",
}


def spread_dates(first: datetime.date, last: datetime.date, n: int) -> list[datetime.date]:
    """n dates spread evenly from `first` to `last` inclusive."""
    days = (last - first).days
    return [first + datetime.timedelta(days=(i * days) // max(n - 1, 1)) for i in range(n)]


def around(mean: Decimal, n: int, step: int) -> list[Decimal]:
    """n weekly costs spread around `mean` whose average is exactly `mean`."""
    return [mean + Decimal(2 * i - (n - 1)) * step / 2 for i in range(n)]


def episode_intervals(counts: dict[int, int], *, september_2017: int) -> list[list]:
    """[start, end] per child so that exactly counts[y] are looked after on 31 August y, and
    `september_2017` on 30 September 2017 (the date of table 10.4).

    Each year about a third of the children leave and others join, on dates spread across the
    year; in September 2017 children only join, so the mix date's count is exact too."""
    years = sorted(counts)
    first = years[0]
    intervals = [
        [d, None]
        for d in spread_dates(
            datetime.date(first - 3, 9, 1), datetime.date(first, 8, 31), counts[first]
        )
    ]
    for year in years[1:]:
        if year == 2018:
            joined = september_2017 - counts[2017]
            intervals += [[datetime.date(2017, 9, 15), None] for _ in range(joined)]
        window_start = datetime.date(year - 1, 10 if year == 2018 else 9, 1)
        window_end = datetime.date(year, 8, 31)
        open_now = sorted((i for i in intervals if i[1] is None), key=lambda i: i[0])
        leavers = max(round(len(open_now) * 0.3), len(open_now) - counts[year])
        joiners = counts[year] - (len(open_now) - leavers)
        for interval, end in zip(
            open_now[:leavers], spread_dates(window_start, window_end, leavers), strict=True
        ):
            interval[1] = max(end, interval[0] + datetime.timedelta(days=1))
        intervals += [[d, None] for d in spread_dates(window_start, window_end, joiners)]
    return intervals


@transaction.atomic
def load_placements_demo(figures: dict, council) -> int:
    spec = figures["placements"]
    counts = {int(year): n for year, n in spec["lac_august"].items()}
    intervals = episode_intervals(counts, september_2017=spec["lac_september_2017"])
    mix = spec["mix_september_2017"]
    wanted = {
        CostCategory.IN_HOUSE_FOSTERING: mix["in_house_fostering"],
        CostCategory.IFA: mix["ifa"],
        CostCategory.RESIDENTIAL: mix["residential"],
        CostCategory.SEMI_INDEPENDENT: mix["residential_incl_semi_independent"]
        - mix["residential"],
    }
    at_mix = [i for i in intervals if i[0] <= MIX_DATE and (i[1] is None or i[1] > MIX_DATE)]
    at_mix_total = spec["lac_september_2017"]
    rest = at_mix_total - sum(wanted.values())
    wanted |= {
        CostCategory.PLACED_WITH_PARENTS: rest * 14 // 24,
        CostCategory.ADOPTION: rest * 6 // 24,
    }
    wanted[CostCategory.OTHER] = at_mix_total - sum(wanted.values())
    order = [c for c, *_ in PROFILE]
    categories = [c for c in order for _ in range(wanted[c])]
    assert len(categories) == len(at_mix)  # noqa: S101 (the report's own totals must agree)
    cycle = [c for c in order for _ in range(max(wanted[c] // 10, 1))]
    at_mix_ids = {id(i) for i in at_mix}  # identity: two children can share dates
    others = [i for i in intervals if id(i) not in at_mix_ids]
    assignment = {id(i): c for i, c in zip(at_mix, categories, strict=True)}
    assignment |= {id(i): cycle[n % len(cycle)] for n, i in enumerate(others)}

    units = {c: Decimal(spec["unit_costs_weekly"][key][0]) for c, *_, key, _ in PROFILE if key}
    units |= OTHER_COSTS
    costs = {}
    for category, *_rest, step in PROFILE:
        members = [i for i in at_mix if assignment[id(i)] == category]
        costs |= {
            id(i): c
            for i, c in zip(members, around(units[category], len(members), step), strict=True)
        }
        outside = [i for i in others if assignment[id(i)] == category]
        costs |= {
            id(i): c
            for i, c in zip(outside, around(units[category], len(outside), step), strict=True)
        }

    places = {c: (place, provider) for c, place, provider, *_ in PROFILE}
    children = Child.objects.bulk_create(
        [
            Child(
                council=council,
                reference=pseudonymise(f"DEMO{n:05d}"),
                birth_year=2001 + n % 16,
                birth_month=1 + n % 12,
                uasc=n % 25 == 0,
            )
            for n in range(len(intervals))
        ],
        update_conflicts=True,
        unique_fields=["council", "reference"],
        update_fields=["birth_year", "birth_month", "uasc"],
    )
    episodes = []
    for child, interval in zip(children, intervals, strict=True):
        category = assignment[id(interval)]
        place, provider = places[category]
        start, end = interval
        episodes.append(
            Episode(
                child=child,
                council=council,
                start=start,
                end=end,
                rne="S",
                legal_status="C2",
                place=place,
                place_provider=provider,
                reason_ended="E4A" if end else "",
                category=category,
                weekly_cost=costs[id(interval)],
                planned_end=None if end else start + datetime.timedelta(days=3 * 365),
            )
        )
    Episode.objects.bulk_create(
        episodes,
        update_conflicts=True,
        unique_fields=["child", "start"],
        update_fields=[*EPISODE_FIELDS, "weekly_cost"],
    )
    for category, code in LINES.items():
        CategoryLine.objects.update_or_create(
            council=council,
            category=category,
            defaults={"line": BudgetLine.objects.get(code=code)},
        )
    for _category, *_, key, _step in PROFILE:
        if not key:
            continue
        lewisham, neighbours, national = spec["unit_costs_weekly"][key]
        for comparator, value in [("Statistical neighbours", neighbours), ("National", national)]:
            UnitCostBenchmark.objects.update_or_create(
                council=council,
                category=_category,
                comparator=comparator,
                defaults={"weekly_cost": Decimal(value)},
            )
    return len(episodes)
