"""How the position moved: the year-end forecast at each period, how close each month's
forecast came to the final outturn, and the overview's headline sentences.

Kept apart from metrics.py (the position at one period) so each stays short. Pure functions over
querysets, no HTTP; each runs a fixed number of queries, whatever the number of lines or periods.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from budgets.formatting import pounds_millions, to_millions
from budgets.metrics import ZERO, Position, variance
from budgets.models import (
    Actual,
    Budget,
    BudgetLine,
    Council,
    Forecast,
    Period,
    areas_by_code,
    month_of,
)
from budgets.selectors import directorate_positions, lines_with_position


class PeriodPoint:
    """A point of a chart along the year's periods (`number`, `month`), and its labels."""

    number: int
    month: datetime.date

    @property
    def label(self) -> str:
        return f"P{self.number} {self.month:%b %Y}"

    @property
    def tick(self) -> str:
        """The label on two short lines, so twelve periods fit along an axis unrotated."""
        return f"P{self.number}<br>{self.month:%b %y}"


@dataclass
class PathPoint(PeriodPoint):
    """A scope's budget and year-end forecast outturn as they stood at one period."""

    number: int
    month: datetime.date
    budget: Decimal
    forecast: Decimal

    @property
    def variance(self) -> Decimal:
        return variance(forecast=self.forecast, budget=self.budget)


def forecast_path(period: Period, services) -> list[PathPoint]:
    """The year-end forecast of `services` at each period of `period`'s year up to `period`,
    for the periods at which any of their lines had a forecast. As everywhere, a line with no
    forecast at a period counts as on budget. Two queries."""
    lines = BudgetLine.objects.filter(service__in=services)
    year_id = period.year_id
    budget = (
        Budget.objects.filter(line__in=lines, year_id=year_id).aggregate(total=Sum("revised"))[
            "total"
        ]
        or ZERO
    )
    line_budget = Budget.objects.filter(line=OuterRef("line_id"), year_id=year_id).values("revised")
    # Forecast total = budget + the forecast lines' departures from their own budgets.
    departures = (
        Forecast.objects.filter(
            line__in=lines, period__year_id=year_id, period__number__lte=period.number
        )
        .annotate(line_budget=Coalesce(Subquery(line_budget), Value(ZERO)))
        .values("period__number")
        .order_by("period__number")
        .annotate(departure=Sum(F("outturn") - F("line_budget")))
    )
    start_year = period.year.start_year
    return [
        PathPoint(
            number=row["period__number"],
            month=month_of(start_year, row["period__number"]),
            budget=budget,
            forecast=budget + row["departure"],
        )
        for row in departures
    ]


def final_outturn(period: Period, services) -> Decimal | None:
    """What `services` actually spent in `period`'s year, once the year is closed (its period 12
    closed): the ledger's actuals, the figure each month's forecast was trying to predict.
    None while the year is open or when no actuals were loaded. Two queries."""
    closed = Period.objects.filter(
        year_id=period.year_id, number=12, status=Period.Status.CLOSED
    ).exists()
    if not closed:
        return None
    return Actual.objects.filter(
        line__service__in=services, period__year_id=period.year_id
    ).aggregate(total=Sum("amount"))["total"]


@dataclass
class AccuracyPoint(PeriodPoint):
    number: int
    month: datetime.date
    forecast: Decimal
    error: Decimal  # forecast − final outturn: negative means the month forecast too little


def forecast_accuracy(path: list[PathPoint], outturn: Decimal) -> list[AccuracyPoint]:
    """How far each month's year-end forecast was from the final outturn."""
    return [AccuracyPoint(p.number, p.month, p.forecast, error=p.forecast - outturn) for p in path]


@dataclass
class Headline:
    """One service's position at a period, in the words a committee report would use."""

    name: str
    variance: Decimal
    change: Decimal | None = None  # variance now − variance at `since`
    since: Period | None = None
    periods_back: int = 0  # how many periods before the headline's own `since` is
    main_area: str = ""
    main_area_variance: Decimal = ZERO

    @property
    def sentence(self) -> str:
        amount = to_millions(self.variance)
        if amount > 0:
            text = f"{self.name} forecasts an overspend of {pounds_millions(self.variance)}"
        elif amount < 0:
            text = f"{self.name} forecasts an underspend of {pounds_millions(-self.variance)}"
        else:
            text = f"{self.name} forecasts to spend its budget"
        if self.since is not None and self.change is not None:
            when = f"{self.since.month_name} (period {self.since.number}"
            if self.periods_back:
                months = "month" if self.periods_back == 1 else "months"
                when += f", {self.periods_back} {months} before"
            when += ")"
            if to_millions(self.change) == 0:
                text += f", unchanged since {when}"
            else:
                direction = "up" if self.change > 0 else "down"
                text += f", {direction} {pounds_millions(abs(self.change))} since {when}"
        if self.main_area and amount > 0:
            text += f", mainly {_lower_first(self.main_area)}"
            text += f" ({pounds_millions(self.main_area_variance)})"
        return text + "."


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def headline_periods_back() -> int:
    """How many periods back the current council's headlines look (Council.headline_periods_back:
    1 compares with last month; a committee that meets every other month sets 2, so "since"
    reads as "since the last report"). 1 when no council is set up. One query."""
    back = Council.objects.current().values_list("headline_periods_back", flat=True).first()
    return back or 1


def headline_period(period: Period, *, back: int | None = None) -> Period | None:
    """The period a headline compares with: `back` periods earlier in the same year (by
    default the current council's headline_periods_back). None when the year has no such
    period: a year's forecasts start afresh. One or two queries."""
    back = headline_periods_back() if back is None else back
    if period.number <= back:
        return None
    return (
        Period.objects.select_related("year")
        .filter(year_id=period.year_id, number=period.number - back)
        .first()
    )


def largest_overspending_areas(period: Period, services) -> dict[tuple[str, str], tuple]:
    """Each service's area of spend with the largest overspend: {(directorate code, service
    code): (area label, variance)}; services with no overspending area are left out. One query."""
    rows = (
        lines_with_position(period, BudgetLine.objects.filter(service__in=services))
        .values("service__directorate__code", "service__code", "area_of_spend")
        .order_by()
        .annotate(total=Sum("variance"))
    )
    areas = areas_by_code()
    result: dict[tuple[str, str], tuple] = {}
    for row in rows:
        key = (row["service__directorate__code"], row["service__code"])
        if row["total"] > 0 and (key not in result or row["total"] > result[key][1]):
            result[key] = (areas[row["area_of_spend"]].name, row["total"])
    return result


def headlines(
    directorates: list[Position],
    *,
    areas: dict,
    since: Period | None = None,
    earlier: list[Position] | None = None,
    periods_back: int = 0,
) -> list[Headline]:
    """A headline for each service in `directorates` (metrics.directorate_positions), largest
    overspend first. `earlier` is the same at period `since`, `periods_back` periods before;
    `areas` is
    largest_overspending_areas(...). No queries."""
    before = {(d.key, s.key): s.variance for d in (earlier or []) for s in d.children}
    result = []
    for directorate in directorates:
        for service in directorate.children:
            key = (directorate.key, service.key)
            area, area_variance = areas.get(key, ("", ZERO))
            compared = since is not None and key in before
            result.append(
                Headline(
                    name=service.name,
                    variance=service.variance,
                    change=service.variance - before[key] if compared else None,
                    since=since if compared else None,
                    periods_back=periods_back if compared else 0,
                    main_area=area,
                    main_area_variance=area_variance,
                )
            )
    return sorted(result, key=lambda h: h.variance, reverse=True)


def overview_headlines(period: Period, services, directorates: list[Position]) -> list[Headline]:
    """The overview's headlines for `services`, whose positions at `period` are `directorates`,
    compared with the current council's headline_periods_back periods before. Four queries."""
    back = headline_periods_back()
    since = headline_period(period, back=back)
    earlier = directorate_positions(since, services) if since is not None else None
    return headlines(
        directorates,
        areas=largest_overspending_areas(period, services),
        since=since,
        earlier=earlier,
        periods_back=back,
    )
