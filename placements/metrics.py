"""The placement numbers: pure arithmetic on what placements.selectors read. No queries here
(an import-linter contract forbids models): values and dataclasses in, values out, tested with
small hand-checked examples.

SSDA903 guidance: a child is looked after on a date when an episode has started on or before it
and has not ended before or on it; an episode ending on a date does not count on that date.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from budgets.calendar import is_month_end, month_before
from placements.categories import CostCategory

WEEKS_PER_YEAR = Decimal("52")  # the report's annual costs are weekly cost × 52
ZERO = Decimal("0")
ONE_DAY = datetime.timedelta(days=1)


def end_of_august_dates(day: datetime.date, *, years: int = 6) -> list[datetime.date]:
    """The last `years` 31 Augusts on or before `day`, latest first: the dates of the end of
    August counts (the end of the school year, when a year's entrants have settled)."""
    latest = day.year if day >= datetime.date(day.year, 8, 31) else day.year - 1
    return [datetime.date(year, 8, 31) for year in range(latest, latest - years, -1)]


def census_dates(latest: datetime.date, *, years: int = 3) -> list[tuple[datetime.date, str]]:
    """Dates worth looking at: `latest` (the latest day with episode data) and the SSDA903
    census date (31 March) of the last `years` years on or before it."""
    census = latest.year if latest >= datetime.date(latest.year, 3, 31) else latest.year - 1
    result = [(latest, "the latest date with episode data")]
    for year in range(census, census - years, -1):
        day = datetime.date(year, 3, 31)
        if day != latest:
            label = "the last census date" if year == census else "census date"
            result.append((day, label))
    return result


def rate_per_10k(*, children: int, population: int) -> Decimal:
    return (Decimal(children) * 10000 / Decimal(population)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def card_on(cards: list, day: datetime.date):
    """The rate card in force on `day`: the latest effective on or before it."""
    in_force = [c for c in cards if c.effective_from <= day]
    return in_force[-1] if in_force else None


def weekly_cost(episode, rates: dict, day: datetime.date) -> Decimal | None:
    """The episode's own cost, or its category's rate card in force on `day` (a card costs
    every placement open from its date, whenever the placement started)."""
    if episode.weekly_cost is not None:
        return episode.weekly_cost
    card = card_on(rates.get(episode.category, []), day)
    return card.weekly_cost if card else None


def cost_between(episode, rates: dict, first: datetime.date, last: datetime.date) -> Decimal | None:
    """The cost of `episode` for the days `first` to `last` inclusive (the caller keeps them
    within the episode): its own weekly cost for every day, or else each rate card for the
    days it was in force; None when no cost is known for any of the days."""
    days = (last - first).days + 1
    if days <= 0:
        return ZERO
    if episode.weekly_cost is not None:
        return episode.weekly_cost * days / 7
    cards = rates.get(episode.category, [])
    total = None
    for card, following in zip(cards, [*cards[1:], None], strict=True):
        start = max(first, card.effective_from)
        stop = last if following is None else min(last, following.effective_from - ONE_DAY)
        if stop >= start:
            total = (total or ZERO) + card.weekly_cost * ((stop - start).days + 1) / 7
    return total


@dataclass
class CategoryCost:
    category: str
    label: str
    children: int
    share: Decimal  # percent of all children looked after
    unit_cost: Decimal | None  # average weekly cost
    annual_cost: Decimal  # children × unit cost × 52


def category_costs(weekly: dict[str, list[Decimal | None]]) -> list[CategoryCost]:
    """Placement mix, average weekly unit cost and annual cost per category (the committee
    report's placement mix table), from each open placement's weekly cost by category (None:
    not known; the child counts, the cost does not)."""
    total = sum(len(v) for v in weekly.values())
    labels = dict(CostCategory.choices)
    rows = []
    for category in CostCategory.values:
        costs = weekly.get(category, [])
        known = [c for c in costs if c is not None]
        unit = (sum(known, ZERO) / len(known)).quantize(Decimal("0.01")) if known else None
        share = (Decimal(len(costs)) * 100 / total).quantize(Decimal("0.1")) if total else ZERO
        rows.append(
            CategoryCost(
                category=category,
                label=labels[category],
                children=len(costs),
                share=share,
                unit_cost=unit,
                annual_cost=sum(known, ZERO) * WEEKS_PER_YEAR,
            )
        )
    return rows


def annual_total(costs: list[CategoryCost]) -> Decimal:
    """The annual cost of every placement open on the day."""
    return sum((c.annual_cost for c in costs), ZERO)


@dataclass
class CommitmentInputs:
    """What the commitment forecast of a period is worked out from (placements.selectors
    reads it): per category, the cost of open placements run forward, the weekly costs of the
    open placements now, and the starts of the last twelve months; per line, the spend to date."""

    categories: dict[int, str]  # budget line id → category
    months_left: int
    weeks_left: Decimal
    open_costs: dict[str, Decimal] = field(default_factory=dict)
    weekly_now: dict[str, list[Decimal]] = field(default_factory=dict)
    starts: dict[str, int] = field(default_factory=dict)
    spent: dict[int, Decimal] = field(default_factory=dict)


def commitment_outturn(inputs: CommitmentInputs) -> dict[int, Decimal]:
    """Projected outturn of each placement budget line: actual spend to date + open placements
    run to their planned end or the year end + an allowance for new entrants.

    New entrants: starts per month over the last twelve months, times the months left, each
    costing the category's average weekly cost for half the weeks left (arrivals spread evenly).
    """
    result = {}
    for line_id, category in inputs.categories.items():
        costs = inputs.weekly_now.get(category, [])
        average = sum(costs, ZERO) / len(costs) if costs else ZERO
        per_month = Decimal(inputs.starts.get(category, 0)) / 12
        allowance = per_month * inputs.months_left * average * inputs.weeks_left / 2
        total = inputs.spent.get(line_id, ZERO) + inputs.open_costs.get(category, ZERO) + allowance
        result[line_id] = total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return result


# A rate this far from the DfE's published one (more than half of it either way) is not a
# change of a year or two: episodes left open, or another council's children, are likelier.
PLAUSIBLE_SHARE = Decimal("0.5")
OLD_OPEN_YEARS = 10


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass
class LacCheck:
    """Children looked after by one council on a date after an import, against the DfE."""

    council: str
    day: datetime.date
    children: int
    population: int | None
    rate: Decimal | None
    dfe_year: int | None
    dfe_rate: Decimal | None
    old_open: int  # episodes open on `day` that started more than OLD_OPEN_YEARS before it

    @property
    def implausible(self) -> bool:
        if self.rate is None or not self.dfe_rate:
            return False
        return abs(self.rate - self.dfe_rate) > self.dfe_rate * PLAUSIBLE_SHARE

    @property
    def warnings(self) -> list[str]:
        found = []
        if self.implausible:
            found.append(
                f"{self.council}: {self.children:,} children looked after on "
                f"{self.day:%d/%m/%Y}, {self.rate} per 10,000 children, against the DfE's "
                f"{self.dfe_rate} on 31 March {self.dfe_year}: check that episodes that ended "
                "have their DEC and that every row is this council's."
            )
        if self.old_open:
            found.append(
                f"{self.council}: {self.old_open:,} episodes still open on {self.day:%d/%m/%Y} "
                f"started more than {OLD_OPEN_YEARS} years before: an episode not closed when "
                "the child left care counts the child as looked after."
            )
        return found


def trend_months(day: datetime.date, years: int) -> tuple[datetime.date, int]:
    """(the first month, how many months): the month ends of `years` years up to `day` (its
    own month when `day` is that month's end, else the month before)."""
    last = day.replace(day=1) if is_month_end(day) else month_before(day)
    months = 12 * years
    first = last
    for _ in range(months - 1):
        first = month_before(first)
    return first, months


class TrendRow(NamedTuple):
    month: datetime.date
    cells: list[int]  # children per category, in the columns' order
    total: int


def trend_rows(months: list[datetime.date], counts: dict[str, list[int]]) -> list[TrendRow]:
    """The LAC trend's table: each month end's count per category and in all."""
    rows = []
    for i, month in enumerate(months):
        cells = [values[i] for values in counts.values()]
        rows.append(TrendRow(month, cells, sum(cells)))
    return rows
