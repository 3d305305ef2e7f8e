"""The demand model beside the officer's forecast: for each placement budget line, actual spend
to date plus the demand model's projected cost of its categories for the rest of the year.
Registered in settings.CSC_FORECAST_COMPARISONS, as the commitment forecast is."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from budgets import calendar
from budgets.cache import cached
from budgets.formatting import pounds, pounds_millions, to_millions
from budgets.models import Budget, Forecast, month_of
from budgets.selectors import actuals_to_date
from placements import demand, demand_inputs
from placements.models import CategoryLine

ZERO = Decimal("0")


def rest_of_year_by_category(period, *, arrays=None) -> dict[str, Decimal]:
    """Projected cost per cost category from the day after the period's last day to the year
    end, with the rates of the three years to the period end. Empty without episodes.
    `arrays`: the current council's episodes, when the caller has read them already."""
    period_end = calendar.month_end(month_of(period.year.start_year, period.number))
    arrays = demand_inputs.episode_arrays() if arrays is None else arrays
    if not len(arrays.child):
        return {}
    options = demand.default_options(period_end)
    costs = demand_inputs.unit_costs(demand_inputs.COST, period_end)
    return demand.projected_cost_by_group(
        options, arrays=arrays, costs=costs, last=period.year.ends_on
    )


def demand_forecast(period, lines, *, arrays=None) -> dict[int, Decimal]:
    """Actuals to date + the demand model's projected cost for the rest of the year, for each
    line some cost category is charged to (placements.CategoryLine)."""
    mapping: dict[int, list[str]] = {}
    for row in CategoryLine.objects.filter(line__in=lines).values_list("line_id", "category"):
        mapping.setdefault(row[0], []).append(row[1])
    if not mapping:
        return {}
    projected = cached(
        ("demand forecast", period.pk),
        lambda: rest_of_year_by_category(period, arrays=arrays),
        monthly=False,
    )
    if not projected:
        return {}
    spent = actuals_to_date(list(mapping), period)
    return {
        line_id: (
            spent.get(line_id, ZERO) + sum((projected.get(c, ZERO) for c in categories), ZERO)
        ).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        for line_id, categories in mapping.items()
    }


demand_forecast.label = "Demand model"


@dataclass
class DemandHeadline:
    """The overview's sentence when the demand model and the officers differ on placements."""

    gap: Decimal  # demand model − officers' forecast, over the placement lines

    @property
    def sentence(self) -> str:
        size = abs(self.gap)
        # £m as everywhere on the overview, unless that would read £0.0m.
        amount = pounds_millions(size) if to_millions(size) else pounds(size)
        side = "above" if self.gap > 0 else "below"
        return f"The demand model projects placements {amount} {side} the officers' forecast."


def demand_headline(period, services) -> DemandHeadline | None:
    """A headline when the demand model's forecast of `services`' placement lines differs from
    the officers' (lines without a forecast at their revised budget) by more than
    settings.CSC_COMMENTARY_THRESHOLD; None otherwise, and when the council has no episodes or
    the scope no placement lines. The model's projection is cached per period and data
    version (demand_forecast). A fixed number of queries."""
    lines = list(
        CategoryLine.objects.filter(line__service__in=services)
        .values_list("line_id", flat=True)
        .distinct()
    )
    if not lines:
        return None
    model = demand_forecast(period, lines)
    if not model:
        return None
    budgets = dict(
        Budget.objects.filter(line_id__in=model, year_id=period.year_id).values_list(
            "line_id", "revised"
        )
    )
    officer = {line_id: budgets.get(line_id, ZERO) for line_id in model}
    officer.update(
        Forecast.objects.filter(line_id__in=model, period=period).values_list("line_id", "outturn")
    )
    gap = sum(model.values(), ZERO) - sum(officer.values(), ZERO)
    if abs(gap) <= settings.CSC_COMMENTARY_THRESHOLD:
        return None
    return DemandHeadline(gap)
