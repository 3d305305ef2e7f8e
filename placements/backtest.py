"""Which forecast was right: for each closed year, the year's placement spend as forecast at each
period end by the officers, by the commitment method and by the demand model, against the final
outturn (the ledger's actuals for the year on the placement lines), and each method's mean
absolute error by period.

- Placement lines: the lines some cost category is charged to (placements.CategoryLine).
- A closed year: its period 12 is closed (as budgets.trends.final_outturn), up to the year asked.
- The officers' forecast at a period: the placement lines' forecasts at it, a line without a
  forecast counting at its revised budget (as everywhere); periods with no forecast on any
  placement line are left out.
- The commitment method: placements.selectors.commitment_forecast at that period.
- The demand model: actuals to the period + the projected cost to the year end, rates from the
  three years to the period end (placements.demand_comparison.demand_forecast).

Money is Decimal throughout. Queries: a fixed number per year plus a fixed number per period
(each period runs both methods once); the page caches the whole per data version.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from budgets.models import Actual, Budget, FinancialYear, Forecast, Period, month_of
from placements import demand_comparison, demand_inputs
from placements.models import CategoryLine
from placements.selectors import commitment_forecast

ZERO = Decimal("0")
PENNY = Decimal("0.01")
METHODS = ("officer", "commitment", "demand")
METHOD_LABELS = {
    "officer": "Officers' forecast",
    "commitment": "Commitment forecast",
    "demand": "Demand model",
}


@dataclass
class BacktestPoint:
    """One year's forecasts made at one period end, against that year's final outturn."""

    year: str
    number: int
    month: datetime.date
    outturn: Decimal
    forecasts: dict[str, Decimal | None]  # by method; None when the method had no figure

    def error(self, method: str) -> Decimal | None:
        """Forecast − outturn: negative means the forecast was too low."""
        value = self.forecasts.get(method)
        return None if value is None else value - self.outturn

    @property
    def label(self) -> str:
        return f"{self.year} P{self.number} {self.month:%b %Y}"


@dataclass
class PeriodError:
    """Each method's mean absolute error of the forecasts made at period `number`, over the
    closed years with a forecast at it (None where the method had none)."""

    number: int
    errors: dict[str, Decimal | None]
    years: int

    @property
    def label(self) -> str:
        return f"P{self.number}"


@dataclass
class Backtest:
    points: list[BacktestPoint] = field(default_factory=list)
    by_period: list[PeriodError] = field(default_factory=list)
    overall: dict[str, Decimal | None] = field(default_factory=dict)

    @property
    def best(self) -> str | None:
        """The method with the smallest mean absolute error over every point (None if none)."""
        known = {m: e for m, e in self.overall.items() if e is not None}
        return min(known, key=lambda m: (known[m], METHODS.index(m))) if known else None


def mean_absolute_error(errors: list[Decimal | None]) -> Decimal | None:
    """The mean of the errors' sizes, to the penny (None when none is known)."""
    known = [abs(e) for e in errors if e is not None]
    if not known:
        return None
    return (sum(known, ZERO) / len(known)).quantize(PENNY, rounding=ROUND_HALF_UP)


def summarise(points: list[BacktestPoint]) -> Backtest:
    """Mean absolute errors by period number and over every point. No queries."""
    numbers = sorted({p.number for p in points})
    by_period = []
    for number in numbers:
        at = [p for p in points if p.number == number]
        by_period.append(
            PeriodError(
                number,
                {m: mean_absolute_error([p.error(m) for p in at]) for m in METHODS},
                len(at),
            )
        )
    overall = {m: mean_absolute_error([p.error(m) for p in points]) for m in METHODS}
    return Backtest(points=points, by_period=by_period, overall=overall)


def placement_lines(services) -> list[int]:
    """The ids of `services`' lines some cost category is charged to. One query."""
    return list(
        CategoryLine.objects.filter(line__service__in=services)
        .order_by("line_id")
        .values_list("line_id", flat=True)
        .distinct()
    )


def closed_years(up_to: FinancialYear) -> list[FinancialYear]:
    """The years to `up_to` (inclusive) whose period 12 is closed. One query."""
    closed = Period.objects.filter(number=12, status=Period.Status.CLOSED).values("year_id")
    return list(FinancialYear.objects.filter(pk__in=closed, start_year__lte=up_to.start_year))


def officer_forecasts(lines: list[int], year: FinancialYear) -> dict[int, Decimal]:
    """The placement lines' forecast total at each period of `year` at which any of them had a
    forecast; lines without one count at their revised budget. Two queries."""
    budgets = dict(
        Budget.objects.filter(line_id__in=lines, year=year).values_list("line_id", "revised")
    )
    by_period: dict[int, dict[int, Decimal]] = {}
    for number, line_id, outturn in Forecast.objects.filter(
        line_id__in=lines, period__year=year
    ).values_list("period__number", "line_id", "outturn"):
        by_period.setdefault(number, {})[line_id] = outturn
    return {
        number: sum((forecasts.get(i, budgets.get(i, ZERO)) for i in lines), ZERO)
        for number, forecasts in sorted(by_period.items())
    }


def year_points(lines: list[int], year: FinancialYear, *, arrays) -> list[BacktestPoint]:
    """The year's points: one per period with an officers' forecast. None when the year has no
    actuals on the lines."""
    outturn = Actual.objects.filter(line_id__in=lines, period__year=year).aggregate(
        total=Sum("amount")
    )["total"]
    if outturn is None:
        return []
    officer = officer_forecasts(lines, year)
    periods = {
        p.number: p
        for p in Period.objects.select_related("year").filter(year=year, number__in=officer)
    }
    points = []
    for number, forecast in officer.items():
        period = periods[number]
        commitment = commitment_forecast(period, lines)
        model = demand_comparison.demand_forecast(period, lines, arrays=arrays)
        points.append(
            BacktestPoint(
                year=year.label,
                number=number,
                month=month_of(year.start_year, number),
                outturn=outturn,
                forecasts={
                    "officer": forecast,
                    "commitment": sum(commitment.values(), ZERO) if commitment else None,
                    "demand": sum(model.values(), ZERO) if model else None,
                },
            )
        )
    return points


def backtest(period: Period, services) -> Backtest | None:
    """The backtest of `services`' placement lines over the closed years to `period`'s year;
    None when the scope has no placement lines."""
    lines = placement_lines(services)
    if not lines:
        return None
    years = closed_years(period.year)
    if not years:
        return Backtest()
    arrays = demand_inputs.episode_arrays()
    points = [p for year in years for p in year_points(lines, year, arrays=arrays)]
    return summarise(points)
