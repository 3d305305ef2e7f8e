"""The placement reads: queries that return values, querysets and dataclasses; the arithmetic
on them is in placements.metrics. Each says how many queries it runs.

SSDA903 guidance: a child is looked after on a date when an episode has started on or before it
and has not ended before or on it; an episode ending on a date does not count on that date.
The same rule is written twice, in the ORM (open_on) and in SQL over month ends
(monthly_lac_series); tests/placements/test_lac_on_a_date.py checks that they agree.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, Max, Q, QuerySet

from budgets.calendar import period_end
from budgets.neighbours import neighbours_average
from budgets.reference import ENGLAND, Basis, BenchmarkYear, benchmark_year
from budgets.selectors import actuals_to_date, month_ends_sql
from placements import metrics
from placements.metrics import CategoryCost, CommitmentInputs, LacCheck
from placements.models import CategoryLine, Episode, LacRate, Population, RateCard

ZERO = Decimal("0")


def open_on(day: datetime.date, episodes: QuerySet | None = None) -> QuerySet:
    """Episodes open on `day`: by default the current council's."""
    episodes = Episode.objects.current() if episodes is None else episodes
    return episodes.filter(Q(end__isnull=True) | Q(end__gt=day), start__lte=day)


def lac_on(day: datetime.date, *, episodes: QuerySet | None = None) -> int:
    """Children looked after on `day`. One query."""
    return open_on(day, episodes).values("child").distinct().count()


def has_episodes() -> bool:
    """Whether the current council has loaded any care episodes. One query."""
    return Episode.objects.current().exists()


def latest_day() -> datetime.date:
    """Today, or the last day any episode changed if the data stops earlier (demo data).
    One query."""
    latest = Episode.objects.current().aggregate(s=Max("start"), e=Max("end"))
    days = [d for d in latest.values() if d]
    today = datetime.date.today()
    return min(today, max(days)) if days else today


def suggested_dates(*, years: int = 3) -> list[tuple[datetime.date, str]]:
    """The latest day with episode data and the census dates before it. One query."""
    return metrics.census_dates(latest_day(), years=years)


def lac_by_category_on(day: datetime.date, *, episodes: QuerySet | None = None) -> dict:
    rows = open_on(day, episodes).values("category").annotate(n=Count("child", distinct=True))
    return {row["category"]: row["n"] for row in rows.order_by()}


class LacMonth(NamedTuple):
    month_end: datetime.date
    category: str
    children: int


def monthly_lac_series(*, first: datetime.date, months: int) -> list[LacMonth]:
    """Children per category at each month end from `first`'s month, for the current council:
    one query, the counting done by PostgreSQL over a generated series of month ends. Only
    episodes overlapping the months are joined (the council-and-dates index finds them)."""
    months_sql, params, council_sql, council_params = month_ends_sql(first, months)
    sql = f"""{months_sql}, episodes AS (
            SELECT child_id, category, start, "end" FROM placements_episode
            WHERE council_id IN ({council_sql})
              AND start <= (SELECT max(month_end) FROM months)
              AND ("end" IS NULL OR "end" > (SELECT min(month_end) FROM months))
        )
        SELECT m.month_end, e.category, count(DISTINCT e.child_id)
        FROM months m JOIN episodes e
          ON e.start <= m.month_end AND (e."end" IS NULL OR e."end" > m.month_end)
        GROUP BY 1, 2 ORDER BY 1, 2
    """  # noqa: S608 (months_sql is fixed text and the ORM's own SQL; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *council_params])
        return [LacMonth(*row) for row in cursor.fetchall()]


def population_of(area_code: str, year: int) -> int | None:
    """The latest ONS 0–17 estimate at or before `year`. One query."""
    row = Population.objects.filter(area_code=area_code, year__lte=year).order_by("-year").first()
    return row.children if row else None


def rate_population(la_code: str, rate_year: int) -> int | None:
    """The population a 31 March rate is per 10,000 of: the DfE divides the children looked
    after on 31 March by the ONS mid-year estimate of the year before (the rates file's own
    population column for 31 March 2025 is the mid-2024 estimate)."""
    return population_of(la_code, rate_year - 1)


def current_rates() -> dict[str, list[RateCard]]:
    """The current council's rate cards per category, in date order. One query."""
    cards: dict[str, list[RateCard]] = {}
    for card in RateCard.objects.current().order_by("effective_from"):
        cards.setdefault(card.category, []).append(card)
    return cards


def open_weekly_costs(day: datetime.date) -> dict[str, list[Decimal | None]]:
    """The weekly cost of every placement open on `day`, by category (None: not known).
    Two queries."""
    rates = current_rates()
    weekly: dict[str, list[Decimal | None]] = {}
    for episode in open_on(day):
        weekly.setdefault(episode.category, []).append(metrics.weekly_cost(episode, rates, day))
    return weekly


def placement_costs(day: datetime.date) -> list[CategoryCost]:
    """Placement mix, unit cost and annual cost per category on `day`. Two queries."""
    return metrics.category_costs(open_weekly_costs(day))


def total_weekly_cost(day: datetime.date) -> Decimal:
    """What every placement open on `day` costs a week (unknown costs left out). Two queries."""
    return sum((c or ZERO for costs in open_weekly_costs(day).values() for c in costs), ZERO)


def lac_rate_year(la_code: str, day: datetime.date) -> BenchmarkYear:
    """The 31 March whose DfE LAC rate goes with `day`: the last on or before it that has a
    published rate for the council (England's years for a council the DfE does not list).
    One query."""
    rows = (
        LacRate.objects.filter(area_code__in=[la_code, ENGLAND], rate_per_10k__isnull=False)
        .values_list("area_code", "year")
        .distinct()
    )
    years: dict[str, set[int]] = {}
    for code, year in rows:
        years.setdefault(code, set()).add(year)
    return benchmark_year(day, years.get(la_code) or years.get(ENGLAND) or [], basis=Basis.MARCH)


def comparator_rates(la_code: str, neighbours: list[str], year: int | None) -> dict:
    """The council's LAC rate per 10,000 on 31 March `year` beside England's and its
    statistical neighbours' average. No year: no figures. One query."""
    by_area = {}
    if year is not None:
        rates = LacRate.objects.filter(area_code__in=[la_code, ENGLAND, *neighbours], year=year)
        by_area = {r.area_code: r.rate_per_10k for r in rates}
    return {
        "year": year,
        "council": by_area.get(la_code),
        "england": by_area.get(ENGLAND),
        "neighbours": neighbours_average(by_area.get(c) for c in neighbours),
    }


def lac_rate_benchmark(la_code: str, neighbours: list[str], day: datetime.date) -> dict:
    """comparator_rates for the year the rule gives for `day`, with the rule ("rule": which
    31 March and why). Two queries."""
    rule = lac_rate_year(la_code, day)
    return {**comparator_rates(la_code, neighbours, rule.year), "rule": rule}


class RateYear(NamedTuple):
    year: int
    council: Decimal | None
    neighbours: Decimal | None  # the statistical neighbours' average
    england: Decimal | None


def rate_series(la_code: str, neighbours: list[str], up_to: int | None = None) -> list[RateYear]:
    """The LAC rates per 10,000 children on 31 March of every year the DfE published up to
    `up_to` (a page never shows a figure from after its date). One query."""
    rows = LacRate.objects.filter(area_code__in=[la_code, ENGLAND, *neighbours])
    if up_to is not None:
        rows = rows.filter(year__lte=up_to)
    years: dict[int, dict] = {}
    for year, code, rate in rows.values_list("year", "area_code", "rate_per_10k"):
        years.setdefault(year, {})[code] = rate
    return [
        RateYear(
            year,
            years[year].get(la_code),
            neighbours_average(years[year].get(c) for c in neighbours),
            years[year].get(ENGLAND),
        )
        for year in sorted(years)
    ]


def commitment_forecast(period, lines) -> dict[int, Decimal]:
    """Projected outturn of each placement budget line at `period` (a forecast method of
    settings.CSC_FORECAST_METHODS): commitment_inputs read, metrics.commitment_outturn."""
    inputs = commitment_inputs(period, lines)
    return metrics.commitment_outturn(inputs) if inputs is not None else {}


commitment_forecast.label = "Commitment forecast"


def commitment_inputs(period, lines) -> CommitmentInputs | None:
    """What the commitment forecast at `period` needs, for the placement lines among `lines`
    (None: none is a placement line). Every placement open at the period end, however long
    ago it started, is run forward at the card in force on each day (a card from 1 April
    costs a March placement too)."""
    mapping = {m.line_id: m.category for m in CategoryLine.objects.filter(line__in=lines)}
    if not mapping:
        return None
    end = period_end(period.year.start_year, period.number)
    year_end = period.year.ends_on
    inputs = CommitmentInputs(
        categories=mapping,
        months_left=12 - period.number,
        weeks_left=Decimal((year_end - end).days) / 7,
    )
    rates = current_rates()
    for episode in open_on(end):
        stop = min(episode.planned_end or year_end, year_end)
        cost = metrics.cost_between(episode, rates, end + metrics.ONE_DAY, stop)
        if cost is not None:
            inputs.open_costs[episode.category] = (
                inputs.open_costs.get(episode.category, ZERO) + cost
            )
        now = metrics.weekly_cost(episode, rates, end)
        if now is not None:
            inputs.weekly_now.setdefault(episode.category, []).append(now)
    starts = (
        Episode.objects.current()
        .filter(start__gt=end - datetime.timedelta(days=365), start__lte=end)
        .values("category")
        .annotate(n=Count("id"))
        .order_by()
    )
    inputs.starts = {s["category"]: s["n"] for s in starts}
    inputs.spent = actuals_to_date(list(mapping), period)
    return inputs


def lac_check(*, council, day: datetime.date) -> LacCheck:
    """The council's children looked after on `day` and its rate per 10,000 children (ONS
    population of that year or the latest before), beside its latest DfE rate. Four queries."""
    episodes = Episode.objects.filter(council=council)
    children = lac_on(day, episodes=episodes)
    population = population_of(council.la_code, day.year)
    published = (
        LacRate.objects.filter(area_code=council.la_code, rate_per_10k__isnull=False)
        .order_by("-year")
        .first()
    )
    old_open = (
        open_on(day, episodes)
        .filter(start__lt=metrics.years_before(day, metrics.OLD_OPEN_YEARS))
        .count()
    )
    return LacCheck(
        council=council.name,
        day=day,
        children=children,
        population=population,
        rate=metrics.rate_per_10k(children=children, population=population) if population else None,
        dfe_year=published.year if published else None,
        dfe_rate=published.rate_per_10k if published else None,
        old_open=old_open,
    )


class PlacementPosition:
    """The placements on a day, as the placement scenarios read them: each figure is read
    once, when first asked for (a page of scenarios of one kind reads only what it needs)."""

    def __init__(self, day: datetime.date, la_code: str, neighbours: list[str]):
        self.day, self.la_code, self.neighbours = day, la_code, neighbours

    @cached_property
    def costs(self) -> dict[str, CategoryCost]:
        return {c.category: c for c in placement_costs(self.day)}

    @cached_property
    def lac_rates(self) -> dict:
        return lac_rate_benchmark(self.la_code, self.neighbours, self.day)

    @cached_property
    def rate_population(self) -> int | None:
        year = self.lac_rates["year"]
        return rate_population(self.la_code, year) if year else None

    @cached_property
    def lac(self) -> int:
        return lac_on(self.day)

    @cached_property
    def weekly_cost(self) -> Decimal:
        return total_weekly_cost(self.day)


@dataclass
class LacHeadline:
    """Children looked after on a day and the rate per 10,000 children (ONS population of
    that year or the latest before; None when no estimate is loaded)."""

    day: datetime.date
    children: int
    population: int | None
    rate: Decimal | None


def lac_headline(day: datetime.date, la_code: str) -> LacHeadline:
    """Two queries."""
    children = lac_on(day)
    population = population_of(la_code, day.year)
    rate = metrics.rate_per_10k(children=children, population=population) if population else None
    return LacHeadline(day=day, children=children, population=population, rate=rate)


def lac_at_end_of_august(day: datetime.date) -> list[tuple[datetime.date, int]]:
    """(31 August, children looked after) for the six years to `day`. Six queries."""
    return [(d, lac_on(d)) for d in metrics.end_of_august_dates(day)]
