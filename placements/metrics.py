"""The placement numbers: pure functions over querysets, tested without HTTP.

SSDA903 guidance: a child is looked after on a date when an episode has started on or before it
and has not ended before or on it; an episode ending on a date does not count on that date.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Count, Q, QuerySet

from budgets.metrics import month_ends_sql
from budgets.reference import ENGLAND, Basis, BenchmarkYear, benchmark_year
from placements.categories import CostCategory
from placements.models import CategoryLine, Episode, LacRate, Population, RateCard

WEEKS_PER_YEAR = Decimal("52")  # the report's annual costs are weekly cost × 52
ZERO = Decimal("0")
ONE_DAY = datetime.timedelta(days=1)


def open_on(day: datetime.date, episodes: QuerySet | None = None) -> QuerySet:
    """Episodes open on `day`: by default the current council's."""
    episodes = Episode.objects.current() if episodes is None else episodes
    return episodes.filter(Q(end__isnull=True) | Q(end__gt=day), start__lte=day)


def lac_on(day: datetime.date, *, episodes: QuerySet | None = None) -> int:
    """Children looked after on `day`."""
    return open_on(day, episodes).values("child").distinct().count()


def has_episodes() -> bool:
    """Whether the current council has loaded any care episodes. One query."""
    return Episode.objects.current().exists()


def end_of_august_dates(day: datetime.date, *, years: int = 6) -> list[datetime.date]:
    """The last `years` 31 Augusts on or before `day`, latest first: the dates of the end of
    August counts (the end of the school year, when a year's entrants have settled)."""
    latest = day.year if day >= datetime.date(day.year, 8, 31) else day.year - 1
    return [datetime.date(year, 8, 31) for year in range(latest, latest - years, -1)]


def suggested_dates(*, years: int = 3) -> list[tuple[datetime.date, str]]:
    """Dates worth looking at, from the data: the latest day with episode data, and the
    SSDA903 census date (31 March) of the last `years` years on or before it. Two queries."""
    latest = latest_day()
    census = latest.year if latest >= datetime.date(latest.year, 3, 31) else latest.year - 1
    result = [(latest, "the latest date with episode data")]
    for year in range(census, census - years, -1):
        day = datetime.date(year, 3, 31)
        if day != latest:
            label = "the last census date" if year == census else "census date"
            result.append((day, label))
    return result


def lac_by_category_on(day: datetime.date, *, episodes: QuerySet | None = None) -> dict:
    rows = open_on(day, episodes).values("category").annotate(n=Count("child", distinct=True))
    return {row["category"]: row["n"] for row in rows.order_by()}


def monthly_lac_series(*, first: datetime.date, months: int) -> list[tuple]:
    """(month end, category, children) for each month from `first`'s month, for the current
    council: one query, the counting done by PostgreSQL over a generated series of month ends.
    Only episodes overlapping the months are joined (the council-and-dates index finds them)."""
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
        return cursor.fetchall()


def rate_per_10k(*, children: int, population: int) -> Decimal:
    return (Decimal(children) * 10000 / Decimal(population)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def population_of(area_code: str, year: int) -> int | None:
    """The latest ONS 0–17 estimate at or before `year`."""
    row = Population.objects.filter(area_code=area_code, year__lte=year).order_by("-year").first()
    return row.children if row else None


def current_rates() -> dict[str, list[RateCard]]:
    """The current council's rate cards per category, in date order. One query."""
    cards: dict[str, list[RateCard]] = {}
    for card in RateCard.objects.current().order_by("effective_from"):
        cards.setdefault(card.category, []).append(card)
    return cards


def card_on(cards: list[RateCard], day: datetime.date) -> RateCard | None:
    """The card in force on `day`: the latest effective on or before it."""
    in_force = [c for c in cards if c.effective_from <= day]
    return in_force[-1] if in_force else None


def weekly_cost(episode: Episode, rates: dict, day: datetime.date) -> Decimal | None:
    """The episode's own cost, or its category's rate card in force on `day` (a card costs
    every placement open from its date, whenever the placement started)."""
    if episode.weekly_cost is not None:
        return episode.weekly_cost
    card = card_on(rates.get(episode.category, []), day)
    return card.weekly_cost if card else None


def cost_between(
    episode: Episode, rates: dict, first: datetime.date, last: datetime.date
) -> Decimal | None:
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


def placement_costs(day: datetime.date) -> list[CategoryCost]:
    """Placement mix, average weekly unit cost and annual cost per category on `day`
    (the committee report's placement mix table)."""
    rates = current_rates()
    groups: dict[str, list] = {}
    for episode in open_on(day):
        groups.setdefault(episode.category, []).append(weekly_cost(episode, rates, day))
    total = sum(len(v) for v in groups.values())
    labels = dict(CostCategory.choices)
    rows = []
    for category in CostCategory.values:
        costs = groups.get(category, [])
        known = [c for c in costs if c is not None]
        unit = (sum(known, ZERO) / len(known)).quantize(Decimal("0.01")) if known else None
        rows.append(
            CategoryCost(
                category=category,
                label=labels[category],
                children=len(costs),
                share=(Decimal(len(costs)) * 100 / total).quantize(Decimal("0.1"))
                if total
                else ZERO,
                unit_cost=unit,
                annual_cost=sum(known, ZERO) * WEEKS_PER_YEAR,
            )
        )
    return rows


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
    statistical neighbours' average (neighbours with a suppressed rate are left out, not
    counted as 0). No year: no figures."""
    by_area = {}
    if year is not None:
        rates = LacRate.objects.filter(area_code__in=[la_code, ENGLAND, *neighbours], year=year)
        by_area = {r.area_code: r.rate_per_10k for r in rates}
    sn = [by_area[c] for c in neighbours if by_area.get(c) is not None]
    return {
        "year": year,
        "council": by_area.get(la_code),
        "england": by_area.get(ENGLAND),
        "neighbours": (sum(sn, ZERO) / len(sn)).quantize(Decimal("0.1")) if sn else None,
    }


def lac_rate_benchmark(la_code: str, neighbours: list[str], day: datetime.date) -> dict:
    """comparator_rates for the year the rule gives for `day`, with the rule ("rule": which
    31 March and why). Two queries."""
    rule = lac_rate_year(la_code, day)
    return {**comparator_rates(la_code, neighbours, rule.year), "rule": rule}


def rate_population(la_code: str, rate_year: int) -> int | None:
    """The population a 31 March rate is per 10,000 of: the DfE divides the children looked
    after on 31 March by the ONS mid-year estimate of the year before (the rates file's own
    population column for 31 March 2025 is the mid-2024 estimate)."""
    return population_of(la_code, rate_year - 1)


def spend_between(start: datetime.date, end: datetime.date) -> dict[str, Decimal]:
    """Placement cost incurred per category from `start` to `end` inclusive (days × weekly/7)."""
    rates = current_rates()
    totals: dict[str, Decimal] = {}
    episodes = Episode.objects.current().filter(
        Q(end__isnull=True) | Q(end__gt=start), start__lte=end
    )
    for episode in episodes:
        first = max(start, episode.start)
        last = min(end, episode.end - ONE_DAY) if episode.end else end  # the end day is not one
        cost = cost_between(episode, rates, first, last)
        if cost is not None:
            totals[episode.category] = totals.get(episode.category, ZERO) + cost
    return {k: v.quantize(Decimal("0.01")) for k, v in totals.items()}


def commitment_forecast(period, lines) -> dict[int, Decimal]:
    """Projected outturn of each placement budget line at `period`:
    actual spend to date + open placements run to their planned end or the year end + an
    allowance for new entrants at the last twelve months' rate of starts.

    New entrants: starts per month over the last twelve months, times the months left, each
    costing the category's average weekly cost for half the weeks left (arrivals spread evenly).
    """
    from budgets.metrics import actuals_to_date
    from budgets.models import month_of

    mapping = {m.line_id: m.category for m in CategoryLine.objects.filter(line__in=lines)}
    if not mapping:
        return {}
    month = month_of(period.year.start_year, period.number)
    period_end = (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    year_end = period.year.ends_on
    weeks_left = Decimal((year_end - period_end).days) / 7
    rates = current_rates()
    open_costs: dict[str, Decimal] = {}
    unit: dict[str, list] = {}
    for episode in open_on(period_end):
        # Every placement open at the period end, however long ago it started, is run forward
        # at the card in force on each day (a card from 1 April costs a March placement too).
        stop = min(episode.planned_end or year_end, year_end)
        cost = cost_between(episode, rates, period_end + ONE_DAY, stop)
        if cost is not None:
            open_costs[episode.category] = open_costs.get(episode.category, ZERO) + cost
        now = weekly_cost(episode, rates, period_end)
        if now is not None:
            unit.setdefault(episode.category, []).append(now)
    starts = (
        Episode.objects.current()
        .filter(start__gt=period_end - datetime.timedelta(days=365), start__lte=period_end)
        .values("category")
        .annotate(n=Count("id"))
        .order_by()
    )
    months_left = 12 - period.number
    spent = actuals_to_date(list(mapping), period)
    result = {}
    for line_id, category in mapping.items():
        costs = unit.get(category, [])
        average = sum(costs, ZERO) / len(costs) if costs else ZERO
        per_month = Decimal(next((s["n"] for s in starts if s["category"] == category), 0)) / 12
        allowance = per_month * months_left * average * weeks_left / 2
        total = spent.get(line_id, ZERO) + open_costs.get(category, ZERO) + allowance
        result[line_id] = total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return result


commitment_forecast.label = "Commitment forecast"


def total_weekly_cost(day: datetime.date) -> Decimal:
    rates = current_rates()
    return sum((weekly_cost(e, rates, day) or ZERO for e in open_on(day)), ZERO)


def latest_day() -> datetime.date:
    """Today, or the last day any episode changed if the data stops earlier (demo data)."""
    from django.db.models import Max

    latest = Episode.objects.current().aggregate(s=Max("start"), e=Max("end"))
    days = [d for d in latest.values() if d]
    today = datetime.date.today()
    return min(today, max(days)) if days else today


def rate_series(la_code: str, neighbours: list[str], up_to: int | None = None) -> list[tuple]:
    """(year, council rate, statistical neighbours' average, England) per 10,000 children on
    31 March, for every year the DfE published up to `up_to` (a page never shows a figure from
    after its date); suppressed rates are left out. One query."""
    rows = LacRate.objects.filter(area_code__in=[la_code, ENGLAND, *neighbours])
    if up_to is not None:
        rows = rows.filter(year__lte=up_to)
    rows = rows.values_list("year", "area_code", "rate_per_10k")
    years: dict[int, dict] = {}
    for year, code, rate in rows:
        years.setdefault(year, {})[code] = rate
    result = []
    for year in sorted(years):
        by_area = years[year]
        sn = [by_area[c] for c in neighbours if by_area.get(c) is not None]
        average = (sum(sn, ZERO) / len(sn)).quantize(Decimal("0.1")) if sn else None
        result.append((year, by_area.get(la_code), average, by_area.get("E92000001")))
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
    old_open = open_on(day, episodes).filter(start__lt=years_before(day, OLD_OPEN_YEARS)).count()
    return LacCheck(
        council=council.name,
        day=day,
        children=children,
        population=population,
        rate=rate_per_10k(children=children, population=population) if population else None,
        dfe_year=published.year if published else None,
        dfe_rate=published.rate_per_10k if published else None,
        old_open=old_open,
    )
