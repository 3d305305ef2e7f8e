"""The demand model for the current council: its options (one parser for the page, the command
and the forecast page's comparison), the projection from its own episodes, costed with its own
unit costs, and the history beside it.

Arithmetic is in placements.projection (float arrays); money leaves here as Decimal pounds.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from budgets import calendar
from budgets.numbers import parse_day, parse_decimal, parse_whole
from placements import demand_inputs, projection
from placements.demand_inputs import COST, GROUPINGS

MAX_MONTHS = 60
REFERENCE_YEARS = 3


@dataclass(frozen=True)
class DemandOptions:
    reference_start: datetime.date
    reference_end: datetime.date
    start: datetime.date
    months: int = 12
    grouping: str = COST
    inflation: Decimal = Decimal("0")  # percent a year
    entry_change: Decimal = Decimal("0")  # a what-if: entries into care up or down, percent

    def adjustments(self, n_states: int) -> list[projection.Adjustment]:
        """The what-if as rate adjustments: every entry rate scaled by the change."""
        if not self.entry_change:
            return []
        factor = 1 + float(self.entry_change) / 100
        return [projection.Adjustment(s, None, multiply=factor) for s in range(n_states)]

    def as_query(self) -> dict[str, str]:
        return {
            "reference_start": self.reference_start.isoformat(),
            "reference_end": self.reference_end.isoformat(),
            "start": self.start.isoformat(),
            "months": str(self.months),
            "grouping": self.grouping,
            "inflation": str(self.inflation),
            "entry_change": str(self.entry_change),
        }


def default_options(latest: datetime.date, **changes) -> DemandOptions:
    """From the last day of data: the projection starts there, and the reference period is the
    three years up to it."""
    start = changes.pop("start", latest)
    end = changes.pop("reference_end", start)
    first = changes.pop("reference_start", None) or _years_before(end, REFERENCE_YEARS)
    return DemandOptions(reference_start=first, reference_end=end, start=start, **changes)


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        back = day.replace(year=day.year - years)
    except ValueError:  # 29 February
        back = day.replace(year=day.year - years, day=28)
    return back + datetime.timedelta(days=1)


FIELDS = {
    "reference_start": "Start of the reference period",
    "reference_end": "End of the reference period",
    "start": "Start of the projection",
    "months": "Months to project",
    "grouping": "Placement groups",
    "inflation": "Yearly inflation",
    "entry_change": "Change in children entering care",
}


def parse_options(
    data: Mapping[str, str], *, latest: datetime.date
) -> tuple[DemandOptions, list[tuple[str, str]]]:
    """The options in `data` (a query string or the command's arguments), each checked: dates
    as yyyy-mm-dd, months 1–60, a known grouping, inflation −20 to 50 %. Returns the options
    (defaults where a field is missing or wrong) and the errors as (field, message)."""
    errors: list[tuple[str, str]] = []
    values: dict = {}

    def read(name, parse):
        text = (data.get(name) or "").strip()
        if not text:
            return
        try:
            values[name] = parse(text)
        except ValueError as exc:
            errors.append((name, f"{FIELDS[name]}: {exc}"))

    read("reference_start", parse_day)
    read("reference_end", parse_day)
    read("start", parse_day)
    read("months", lambda t: parse_whole(t, minimum=1, maximum=MAX_MONTHS, what="the months"))
    read(
        "inflation",
        lambda t: parse_decimal(t, minimum=-20, maximum=50, places=2, what="the inflation rate"),
    )
    read(
        "entry_change",
        lambda t: parse_decimal(t, minimum=-100, maximum=300, places=1, what="the change"),
    )
    grouping = (data.get("grouping") or COST).strip()
    if grouping not in GROUPINGS:
        errors.append(("grouping", f"{FIELDS['grouping']}: choose {' or '.join(GROUPINGS)}."))
        grouping = COST
    options = default_options(latest, grouping=grouping, **values)
    if options.reference_end < options.reference_start:
        errors.append(("reference_end", "The reference period must end after it starts."))
    elif options.reference_end > options.start:
        errors.append(("reference_end", "The reference period must end by the projection's start."))
    if errors:
        options = default_options(latest, grouping=grouping)
    return options, errors


@dataclass
class HistoryMonth:
    date: datetime.date
    by_group: dict[str, int]
    starts: int  # children starting a period of care in the month

    @property
    def total(self) -> int:
        return sum(self.by_group.values())


@dataclass
class DemandResult:
    options: DemandOptions
    groups: list[str]
    labels: dict[str, str]
    states: list[str]
    stock: np.ndarray  # children in each state on the start date
    rates: projection.Rates
    months: list[projection.Month]
    history: list[HistoryMonth]
    costs: demand_inputs.UnitCosts
    episodes: int  # cleaned episodes the rates come from
    base_months: list[projection.Month] = field(default_factory=list)  # before adjustments

    @property
    def state_names(self) -> list[str]:
        """'<age> <group label>' for each state, for pages."""
        return [f"{age} {self.labels[g]}" for age in projection.AGE_LABELS for g in self.groups]

    @property
    def stock_total(self) -> int:
        return int(self.stock.sum())

    @property
    def stock_by_state(self) -> dict[str, int]:
        return {label: int(n) for label, n in zip(self.states, self.stock, strict=True)}

    @property
    def quarters(self) -> list[tuple[str, Decimal]]:
        return projection.by_quarter(self.months)

    @property
    def total_cost(self) -> Decimal:
        return sum((m.cost for m in self.months), Decimal("0"))

    def as_json(self) -> dict:
        """The command's --json output (numbers of children rounded to 0.1)."""
        return {
            "start": self.options.start.isoformat(),
            "reference_start": self.options.reference_start.isoformat(),
            "reference_end": self.options.reference_end.isoformat(),
            "grouping": self.options.grouping,
            "stock": self.stock_by_state,
            "stock_total": self.stock_total,
            "unit_costs": {g: str(c) for g, c in self.costs.weekly.items()},
            "fallback_unit_costs": self.costs.fallback,
            "months": [
                {
                    "date": m.date.isoformat(),
                    "total": round(m.total, 1),
                    "lower": round(m.lower, 1),
                    "upper": round(m.upper, 1),
                    "by_group": {g: round(v, 1) for g, v in m.by_group.items()},
                    "cost": str(m.cost),
                }
                for m in self.months
            ],
            "quarters": [{"quarter": q, "cost": str(c)} for q, c in self.quarters],
        }


def _segments_stock_rates(options: DemandOptions, arrays, groups: list[str]):
    """The episodes, cleaned and cut by age bracket and group (segments); the stock on
    options.start, and the rates estimated over the reference period."""
    n_states = len(projection.AGE_LABELS) * len(groups)
    episodes = projection.clean_episodes(**arrays.as_kwargs(options.grouping))
    segments = projection.split_by_age(episodes, len(groups))
    rates = projection.estimate_rates(
        segments,
        n_states,
        first=projection.day_number(options.reference_start),
        last=projection.day_number(options.reference_end),
    )
    stock = projection.stock_on(segments, projection.day_number(options.start), n_states)
    return episodes, segments, stock, rates


def run(
    options: DemandOptions,
    *,
    arrays: demand_inputs.EpisodeArrays | None = None,
    costs: demand_inputs.UnitCosts | None = None,
    adjustments: list[projection.Adjustment] = (),
) -> DemandResult:
    """The projection for `options` from the current council's episodes (or `arrays`); with
    adjustments (given, or the options' what-if), `months` is the adjusted projection and
    `base_months` the one without."""
    groups = demand_inputs.group_names(options.grouping)
    arrays = demand_inputs.episode_arrays() if arrays is None else arrays
    costs = costs or demand_inputs.unit_costs(options.grouping, options.start)
    n_states = len(projection.AGE_LABELS) * len(groups)
    adjustments = [*adjustments, *options.adjustments(n_states)]
    episodes, segments, stock, rates = _segments_stock_rates(options, arrays, groups)
    base = _months(options, stock, rates, costs.array(groups), groups)
    months = base
    if adjustments:
        months = _months(
            options, stock, projection.adjust(rates, list(adjustments)), costs.array(groups), groups
        )
    return DemandResult(
        options=options,
        groups=groups,
        labels=demand_inputs.group_labels(options.grouping),
        states=projection.state_labels(groups),
        stock=stock,
        rates=rates,
        months=months,
        history=history(segments, options, groups),
        costs=costs,
        episodes=len(episodes),
        base_months=base if adjustments else [],
    )


def _months(options, stock, rates, weekly, groups) -> list[projection.Month]:
    ends = calendar.month_ends(options.start, options.months)
    stocks, variance = projection.project(stock, rates, (ends[-1] - options.start).days)
    costs = projection.daily_cost(stocks, weekly, inflation=float(options.inflation) / 100)
    return projection.monthly_summary(
        start=options.start,
        stocks=stocks,
        variance=variance,
        costs=costs,
        groups=groups,
        months=options.months,
    )


def history(segments, options: DemandOptions, groups: list[str]) -> list[HistoryMonth]:
    """Children looked after at each month end of the reference period up to the start, by
    group, and the children starting a period of care in each of those months."""
    n_states = len(projection.AGE_LABELS) * len(groups)
    first = calendar.month_end(options.reference_start)
    ends = [first] + calendar.month_ends(first, 12 * 50)
    ends = [d for d in ends if d <= options.start]
    entry_days = segments.start[segments.new_period]
    result = []
    previous = projection.day_number(first.replace(day=1)) - 1
    for end in ends:
        day = projection.day_number(end)
        stock = projection.stock_on(segments, day, n_states).reshape(-1, len(groups)).sum(axis=0)
        starts = int(((entry_days > previous) & (entry_days <= day)).sum())
        result.append(HistoryMonth(end, {g: int(stock[i]) for i, g in enumerate(groups)}, starts))
        previous = day
    return result


def projected_cost_by_group(
    options: DemandOptions,
    *,
    arrays: demand_inputs.EpisodeArrays,
    costs: demand_inputs.UnitCosts,
    last: datetime.date,
) -> dict[str, Decimal]:
    """Projected cost per group from the day after options.start to `last` inclusive."""
    groups = demand_inputs.group_names(options.grouping)
    _, _, stock, rates = _segments_stock_rates(options, arrays, groups)
    days = (last - options.start).days
    if days <= 0:
        return {g: Decimal("0") for g in groups}
    stocks, _ = projection.project(stock, rates, days)
    weekly = costs.array(groups)
    uplift = (1 + float(options.inflation) / 100) ** (np.arange(days + 1) / 365)
    per_state = (stocks[1:] * uplift[1:, None]).sum(axis=0) * weekly / 7
    per_group = per_state.reshape(len(projection.AGE_LABELS), len(groups)).sum(axis=0)
    return {g: projection.money(per_group[i]) for i, g in enumerate(groups)}


@dataclass
class RateRow:
    source: str
    target: str
    per_day: float
    per_year: float  # the daily rate × 365: roughly the share (or, for entries, the number) a year


def entry_rows(result: DemandResult) -> list[RateRow]:
    """The entry rate into each state that children entered in the reference period."""
    return [
        RateRow("Not in care", label, float(rate), float(rate) * 365)
        for label, rate in zip(result.state_names, result.rates.entries, strict=True)
        if rate > 0
    ]


def move_rows(result: DemandResult) -> list[RateRow]:
    """Every non-zero daily rate between states (and out of care), largest first per state."""
    targets = [*result.state_names, "Not in care"]
    rows = []
    for s, label in enumerate(result.state_names):
        for r in np.argsort(-result.rates.moves[s], kind="stable"):
            rate = float(result.rates.moves[s, r])
            if rate > 0:
                rows.append(RateRow(label, targets[r], rate, rate * 365))
    return rows


@dataclass
class PageTables:
    """The demand page's tables as rows of plain values, in the groups' order."""

    columns: list[str]  # the groups' labels
    projected: list[tuple]  # (month end, [children per group], total, lower, upper, cost)
    history: list[tuple]  # (month end, [children per group], total)
    what_if: list[tuple]  # (month end, children without, with, cost without, with)
    unit_costs: list[tuple[str, Decimal]]
    fallback: list[str]  # labels of the groups costed at the fallback


def page_tables(result: DemandResult) -> PageTables:
    groups, labels = result.groups, result.labels
    return PageTables(
        columns=[labels[g] for g in groups],
        projected=[
            (m.date, [m.by_group[g] for g in groups], m.total, m.lower, m.upper, m.cost)
            for m in result.months
        ],
        history=[(h.date, [h.by_group[g] for g in groups], h.total) for h in result.history],
        what_if=[
            (m.date, base.total, m.total, base.cost, m.cost)
            for base, m in zip(result.base_months, result.months, strict=False)
        ],
        unit_costs=[(labels[g], result.costs.weekly[g]) for g in groups],
        fallback=[labels[g] for g in result.costs.fallback],
    )
