"""The budget reads: each function runs a fixed number of queries, whatever the number of lines,
and returns model rows or dataclasses; the arithmetic on them is budgets/metrics.py's.

The finance rule "a line with no forecast at a period counts as on budget" has one Python
home, metrics.outturn_or_budget; where a query must apply it (a sum over many lines), it is
`forecast_or_budget` here, and tests/budgets/test_on_budget_rule.py checks that both agree.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.db.models import (
    DecimalField,
    Exists,
    F,
    OuterRef,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from budgets import metrics
from budgets.metrics import ZERO
from budgets.models import (
    MONEY,
    Actual,
    AuditEntry,
    Budget,
    BudgetLine,
    Council,
    FinancialYear,
    Forecast,
    LedgerEntry,
    Period,
    Saving,
    area_sort_key,
    areas_by_code,
    parse_year_label,
)


def latest_forecast_period() -> Period | None:
    """The period a page opens at when none is named: the most recent period for which the
    current council has entered a forecast; before its first forecast, the latest with ledger
    actuals; before any actuals (a council just set up), the first open period of the latest
    year. None only when no year exists."""
    council = Council.objects.current().values("pk")
    periods = Period.objects.select_related("year").order_by("-year__start_year", "-number")
    found = (
        periods.filter(forecasts__line__service__directorate__council__in=council).first()
        or periods.filter(actuals__line__service__directorate__council__in=council).first()
    )
    if found is not None:
        return found
    latest = FinancialYear.objects.order_by("-start_year").first()
    if latest is None:
        return None
    return (
        Period.objects.select_related("year")
        .filter(year=latest)
        .exclude(status=Period.Status.CLOSED)
        .order_by("number")
        .first()
        or periods.filter(year=latest).first()
    )


def resolve_period(year_label: str | None, number: str | None) -> Period | None:
    """The period named by a page's filters, or the latest forecast period when none is named.

    Returns None when the filters name a period that does not exist."""
    if not year_label and not number:
        return latest_forecast_period()
    try:
        start_year = parse_year_label(year_label or "")
        period_number = int(number or "")
    except ValueError:
        return None
    return (
        Period.objects.select_related("year")
        .filter(year__start_year=start_year, number=period_number)
        .first()
    )


def years_with_periods() -> list[FinancialYear]:
    return list(FinancialYear.objects.filter(periods__isnull=False).distinct())


def previous_period(period: Period) -> Period | None:
    """The period before, within the same financial year (a year's forecasts start afresh)."""
    if period.number == 1:
        return None
    return Period.objects.filter(year_id=period.year_id, number=period.number - 1).first()


def forecast_or_budget(forecast, budget):
    """The on-budget rule as a query expression: the forecast outturn, or the line's revised
    budget when it has none, or zero when it has neither (metrics.outturn_or_budget in SQL)."""
    return Coalesce(forecast, budget, Value(ZERO))


def lines_with_position(period: Period, lines=None):
    """Budget lines annotated with `budget` (revised, for the period's year) and `forecast`
    (outturn at the period, by the on-budget rule). One query."""
    lines = BudgetLine.objects.all() if lines is None else lines
    budget = Budget.objects.filter(line=OuterRef("pk"), year_id=period.year_id).values("revised")
    forecast = Forecast.objects.filter(line=OuterRef("pk"), period=period).values("outturn")
    return lines.annotate(
        budget=Coalesce(Subquery(budget), Value(ZERO)),
        forecast=forecast_or_budget(Subquery(forecast), Subquery(budget)),
    ).annotate(variance=F("forecast") - F("budget"))


@dataclass(frozen=True)
class LinePosition:
    """A budget line's budget and forecast outturn at a period, with the names it is grouped by."""

    directorate_code: str
    directorate_name: str
    service_code: str
    service_name: str
    area_code: str
    area_name: str
    budget: Decimal
    forecast: Decimal


def line_positions(period: Period, services=None) -> list[LinePosition]:
    """Every line of `services` (all when None) at the period, in directorate and service code
    order. Two queries (the lines, the areas of spend)."""
    lines = BudgetLine.objects.all()
    if services is not None:
        lines = lines.filter(service__in=services)
    rows = (
        lines_with_position(period, lines)
        .order_by("service__directorate__code", "service__code", "code")
        .values_list(
            "service__directorate__code",
            "service__directorate__name",
            "service__code",
            "service__name",
            "area_of_spend",
            "budget",
            "forecast",
        )
    )
    areas = areas_by_code()
    return [
        LinePosition(d_code, d_name, s_code, s_name, area, areas[area].name, budget, forecast)
        for d_code, d_name, s_code, s_name, area, budget, forecast in rows
    ]


def directorate_positions(period: Period, services=None) -> list[metrics.Position]:
    """Each directorate's budget and forecast, with its services as children, in code order."""
    return metrics.directorate_positions_of(line_positions(period, services))


def area_positions(period: Period, service) -> list[metrics.Position]:
    """A service's budget and forecast by area of spend, in the areas' reporting order
    (AreaOfSpend.position)."""
    areas = areas_by_code()
    positions = metrics.area_positions_of(line_positions(period, [service]))
    return sorted(positions, key=lambda p: area_sort_key(areas, p.key))


def actuals_to_date(lines, period: Period) -> dict[int, Decimal]:
    """Spend posted to each line from period 1 to `period` of its year. One query."""
    totals = (
        Actual.objects.filter(
            line__in=lines, period__year_id=period.year_id, period__number__lte=period.number
        )
        .values("line_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {row["line_id"]: row["total"] for row in totals}


def forecasts_at(lines, period: Period) -> dict[int, Forecast]:
    """Each line's forecast at `period`, keyed by line id. One query."""
    return {
        f.line_id: f
        for f in Forecast.objects.filter(line__in=lines, period=period).select_related("author")
    }


def forecast_grid(service, period: Period, comparisons=()) -> tuple[list, metrics.GridTotal]:
    """The forecast page's rows, grouped by area of spend with a subtotal each, and the
    service total; with the budget to date from each line's monthly profile. `comparisons` are
    callables (period, lines) → {line id: amount}. A fixed number of queries, whatever the
    number of lines."""
    profile = Budget.objects.filter(line=OuterRef("pk"), year_id=period.year_id).values("profile")
    budget = Budget.objects.filter(line=OuterRef("pk"), year_id=period.year_id).values("revised")
    lines = list(
        BudgetLine.objects.filter(service=service)
        .annotate(
            budget=Coalesce(Subquery(budget), Value(ZERO)),
            profile=Subquery(profile, output_field=ArrayField(DecimalField(**MONEY))),
        )
        .order_by("code")
    )
    areas = areas_by_code()
    lines.sort(key=lambda line: (area_sort_key(areas, line.area_of_spend_id), line.code))
    actuals = actuals_to_date(lines, period)
    current = forecasts_at(lines, period)
    before = previous_period(period)
    previous = {k: f.outturn for k, f in forecasts_at(lines, before).items()} if before else {}
    extra = [comparison(period, lines) for comparison in comparisons]
    rows = [
        metrics.GridRow(
            line=line,
            budget=line.budget,
            actuals=actuals.get(line.pk, ZERO),
            previous=previous.get(line.pk),
            forecast=current.get(line.pk),
            comparisons=[values.get(line.pk) for values in extra],
            ytd_budget=metrics.ytd_budget(line.profile, period.number),
        )
        for line in lines
    ]
    return metrics.grid_groups(
        rows, area_name=lambda row: areas[row.line.area_of_spend_id].name, name=service.name
    )


def budgeted_lines(period: Period, lines=None):
    """The lines a month's forecast must cover: those with a budget in the period's year.

    A line with no budget row for the year is not in that year's budget book (a cost centre
    closed, or opened later), so its forecast is not asked for; a line budgeted at zero is
    asked for, since spend can still land on it."""
    lines = BudgetLine.objects.all() if lines is None else lines
    return lines.filter(budgets__year_id=period.year_id)


def lines_to_forecast(service, period: Period) -> list[BudgetLine]:
    """The service's budgeted lines in code order, each with `has_forecast` at the period.
    One query."""
    forecast = Forecast.objects.filter(line=OuterRef("pk"), period=period)
    lines = budgeted_lines(period, BudgetLine.objects.filter(service=service))
    return list(lines.annotate(has_forecast=Exists(forecast)).order_by("code"))


def actuals_by_account(line: BudgetLine, period: Period) -> metrics.AccountTable:
    """The line's ledger detail from period 1 to `period` of its year (metrics.account_table).
    Two queries."""
    in_year = {
        "line": line,
        "period__year_id": period.year_id,
        "period__number__lte": period.number,
    }
    entries = [
        metrics.LedgerAmount(*row)
        for row in LedgerEntry.objects.filter(**in_year)
        .order_by("account", "period__number")
        .values_list("account", "description", "period__number", "amount")
    ]
    actuals = dict(Actual.objects.filter(**in_year).values_list("period__number", "amount"))
    return metrics.account_table(entries, actuals, period.number)


def month_ends_sql(first: datetime.date, months: int) -> tuple[str, list, str, list]:
    """SQL for the month ends of `months` months from `first`'s month, as a `months(month_end)`
    relation to start a WITH clause, and the current council's id as a subquery to use inline
    (inline, the planner starts from the council's own rows), each with its parameters: the
    parts every monthly series over dated records (episodes, fillings) starts from."""
    council_sql, council_params = Council.objects.current().values("pk").query.sql_with_params()
    sql = """
        WITH months AS (
            SELECT (m + interval '1 month - 1 day')::date AS month_end
            FROM generate_series(date_trunc('month', %s::date),
                                 date_trunc('month', %s::date) + (%s - 1) * interval '1 month',
                                 interval '1 month') AS m
        )"""
    return sql, [first, first, months], council_sql, list(council_params)


def savings_of(service, period: Period | None) -> list[Saving]:
    """A service's savings in the period's year (every year when None), by reference. One query."""
    rows = Saving.objects.filter(service=service)
    if period is not None:
        rows = rows.filter(year_id=period.year_id)
    return list(rows.select_related("year"))


def line_history(
    line: BudgetLine, period: Period | None
) -> tuple[list[Forecast], list[AuditEntry]]:
    """The line's forecasts in the period's year, by period, and the audit rows of their changes,
    oldest first, each with the `period` it was for. Two queries."""
    forecasts = Forecast.objects.filter(
        line=line, period__year_id=period.year_id if period else None
    ).select_related("period__year", "author")
    forecasts = sorted(forecasts, key=lambda f: f.period.number)
    periods = {str(f.pk): f.period for f in forecasts}
    entries = list(
        AuditEntry.objects.filter(object_type=Forecast._meta.label, object_id__in=list(periods))
        .select_related("user")
        .order_by("at", "pk")
    )
    for entry in entries:
        entry.period = periods.get(entry.object_id)
    return forecasts, entries
