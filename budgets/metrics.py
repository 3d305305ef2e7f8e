"""The budget numbers: variance, and budget against forecast by directorate and service.

Pure functions over querysets: no HTTP, no templates. Each summary runs a fixed number of
queries, whatever the number of lines.

Finance rule: a line with no forecast at a period is taken to be on budget (forecast = revised
budget), which is how councils' monitoring returns treat an unreported line.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from budgets.models import (
    MONEY,
    Actual,
    Budget,
    BudgetLine,
    Council,
    FinancialYear,
    Forecast,
    LedgerEntry,
    Period,
    Service,
    SignOff,
    area_sort_key,
    areas_by_code,
    parse_year_label,
)

ZERO = Decimal("0.00")


def variance(*, forecast: Decimal, budget: Decimal) -> Decimal:
    """Forecast outturn − revised budget: positive is an overspend, negative an underspend."""
    return forecast - budget


def ytd_budget(profile, period_number: int) -> Decimal | None:
    """The budget to date at a period: the monthly profile's P1..Pn summed. None when the line
    has no profile (never an even twelfth made up in its place)."""
    if not profile:
        return None
    return sum(profile[:period_number], ZERO)


def ytd_variance(*, actuals: Decimal, budget_to_date: Decimal | None) -> Decimal | None:
    """Actuals to date − budget to date: positive is spending ahead of the profile."""
    return None if budget_to_date is None else actuals - budget_to_date


def movement(*, forecast: Decimal, previous: Decimal | None) -> Decimal | None:
    """This period's forecast − last period's; None when there is no earlier forecast."""
    if previous is None:
        return None
    return forecast - previous


@dataclass
class Position:
    """Budget and forecast outturn of a group of lines (an area, a service, a directorate)."""

    key: str
    name: str
    budget: Decimal = ZERO
    forecast: Decimal = ZERO
    children: list["Position"] = field(default_factory=list)
    level: str = "service"  # which of settings.CSC_RAG_THRESHOLDS' levels judges it

    @property
    def variance(self) -> Decimal:
        return variance(forecast=self.forecast, budget=self.budget)

    @property
    def rag(self) -> str:
        return rag(variance_amount=self.variance, budget=self.budget, level=self.level)

    def add(self, *, budget: Decimal, forecast: Decimal) -> None:
        self.budget += budget
        self.forecast += forecast


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


def lines_with_position(period: Period, lines=None):
    """Budget lines annotated with `budget` (revised, for the period's year) and `forecast`
    (outturn at the period, or the budget when none was entered). One query."""
    lines = BudgetLine.objects.all() if lines is None else lines
    budget = Budget.objects.filter(line=OuterRef("pk"), year_id=period.year_id).values("revised")
    forecast = Forecast.objects.filter(line=OuterRef("pk"), period=period).values("outturn")
    return lines.annotate(
        budget=Coalesce(Subquery(budget), Value(ZERO)),
        forecast=Coalesce(Subquery(forecast), Subquery(budget), Value(ZERO)),
    ).annotate(variance=F("forecast") - F("budget"))


def directorate_positions(period: Period, services=None) -> list[Position]:
    """Each directorate's budget and forecast, with its services as children, in code order."""
    lines = BudgetLine.objects.select_related("service__directorate")
    if services is not None:
        lines = lines.filter(service__in=services)
    directorates: dict[int, Position] = {}
    service_positions: dict[int, Position] = {}
    for line in lines_with_position(period, lines).order_by(
        "service__directorate__code", "service__code"
    ):
        service = line.service
        directorate = service.directorate
        parent = directorates.get(directorate.pk)
        if parent is None:
            parent = directorates[directorate.pk] = Position(
                directorate.code, directorate.name, level="directorate"
            )
        child = service_positions.get(service.pk)
        if child is None:
            child = service_positions[service.pk] = Position(service.code, service.name)
            parent.children.append(child)
        child.add(budget=line.budget, forecast=line.forecast)
        parent.add(budget=line.budget, forecast=line.forecast)
    return list(directorates.values())


def area_positions(period: Period, service) -> list[Position]:
    """A service's budget and forecast by area of spend, in the areas' reporting order
    (AreaOfSpend.position)."""
    totals = (
        lines_with_position(period, BudgetLine.objects.filter(service=service))
        .values("area_of_spend")
        .order_by()
        .annotate(total_budget=Sum("budget"), total_forecast=Sum("forecast"))
    )
    areas = areas_by_code()
    positions = [
        Position(
            row["area_of_spend"],
            areas[row["area_of_spend"]].name,
            budget=row["total_budget"],
            forecast=row["total_forecast"],
        )
        for row in totals
    ]
    return sorted(positions, key=lambda p: area_sort_key(areas, p.key))


def total(positions: list[Position], *, name: str = "Total") -> Position:
    result = Position("total", name)
    for position in positions:
        result.add(budget=position.budget, forecast=position.forecast)
    return result


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


def forecasts_at(lines, period: Period) -> dict[int, "Forecast"]:
    """Each line's forecast at `period`, keyed by line id. One query."""
    return {
        f.line_id: f
        for f in Forecast.objects.filter(line__in=lines, period=period).select_related("author")
    }


def previous_period(period: Period) -> Period | None:
    """The period before, within the same financial year (a year's forecasts start afresh)."""
    if period.number == 1:
        return None
    return Period.objects.filter(year_id=period.year_id, number=period.number - 1).first()


def rag(*, variance_amount: Decimal, budget: Decimal, level: str) -> str:
    """Red, amber or green for a variance, with the thresholds of settings.CSC_RAG_THRESHOLDS.

    Red: an overspend at or above the red percentage of budget, or the red absolute amount.
    Amber: an overspend at or above the amber percentage. Green: anything less, including every
    underspend (an underspend is not a risk to the council's budget)."""
    thresholds = settings.CSC_RAG_THRESHOLDS[level]
    if variance_amount <= 0:
        return "green"
    pct = (variance_amount / budget * 100) if budget else Decimal("100")
    if pct >= thresholds["red_pct"] or variance_amount >= thresholds["red_abs"]:
        return "red"
    if pct >= thresholds["amber_pct"]:
        return "amber"
    return "green"


def rag_thresholds() -> dict[str, dict[str, str]]:
    """settings.CSC_RAG_THRESHOLDS as decimal strings, for the forecast page's script, which
    applies the same rule as `rag` to the figures as they are typed."""
    return {
        level: {name: str(value) for name, value in limits.items()}
        for level, limits in settings.CSC_RAG_THRESHOLDS.items()
    }


@dataclass
class GridRow:
    """One budget line on the forecast page."""

    line: BudgetLine
    budget: Decimal
    actuals: Decimal
    previous: Decimal | None
    forecast: "Forecast | None"
    comparisons: list[Decimal | None] = field(default_factory=list)
    entered: dict | None = None  # what the officer typed, when the page is shown again
    ytd_budget: Decimal | None = None  # the profile to this period; None without a profile

    @property
    def ytd_variance(self) -> Decimal | None:
        return ytd_variance(actuals=self.actuals, budget_to_date=self.ytd_budget)

    @property
    def outturn(self) -> Decimal:
        return self.forecast.outturn if self.forecast else self.budget

    @property
    def comparison_pairs(self) -> list[tuple]:
        """Each comparison figure with its difference from the officer's forecast, and whether
        that gap is wider than the commentary threshold (the officer should say why)."""
        threshold = settings.CSC_COMMENTARY_THRESHOLD
        return [
            (None, None, False)
            if value is None
            else (value, value - self.outturn, abs(value - self.outturn) > threshold)
            for value in self.comparisons
        ]

    @property
    def version(self) -> int:
        return self.forecast.version if self.forecast else 0

    @property
    def variance(self) -> Decimal:
        return variance(forecast=self.outturn, budget=self.budget)

    @property
    def movement(self) -> Decimal | None:
        return movement(forecast=self.outturn, previous=self.previous)

    @property
    def rag(self) -> str:
        return rag(variance_amount=self.variance, budget=self.budget, level="line")


@dataclass
class GridTotal:
    name: str
    budget: Decimal = ZERO
    actuals: Decimal = ZERO
    previous: Decimal = ZERO
    outturn: Decimal = ZERO
    level: str = "service"
    # The budget to date of its lines; None as soon as one line has no profile (a partial sum
    # beside all the lines' actuals would be a made-up figure).
    ytd_budget: Decimal | None = ZERO

    def add(self, row: GridRow) -> None:
        self.budget += row.budget
        self.actuals += row.actuals
        self.previous += row.previous if row.previous is not None else row.budget
        self.outturn += row.outturn
        if row.ytd_budget is None or self.ytd_budget is None:
            self.ytd_budget = None
        else:
            self.ytd_budget += row.ytd_budget

    @property
    def ytd_variance(self) -> Decimal | None:
        return ytd_variance(actuals=self.actuals, budget_to_date=self.ytd_budget)

    @property
    def variance(self) -> Decimal:
        return variance(forecast=self.outturn, budget=self.budget)

    @property
    def movement(self) -> Decimal:
        return self.outturn - self.previous

    @property
    def rag(self) -> str:
        return rag(variance_amount=self.variance, budget=self.budget, level=self.level)


def forecast_grid(service, period: Period, comparisons=()) -> tuple[list, GridTotal]:
    """The forecast page's rows, grouped by area of spend with a subtotal each, and the
    service total; with the budget to date from each line's monthly profile. `comparisons` are
    callables (period, lines) → {line id: amount}. A fixed number of queries, whatever the
    number of lines."""
    profile = Budget.objects.filter(line=OuterRef("pk"), year_id=period.year_id).values("profile")
    lines = list(
        lines_with_position(period, BudgetLine.objects.filter(service=service))
        .annotate(profile=Subquery(profile, output_field=ArrayField(DecimalField(**MONEY))))
        .order_by("code")
    )
    areas = areas_by_code()
    lines.sort(key=lambda line: (area_sort_key(areas, line.area_of_spend_id), line.code))
    actuals = actuals_to_date(lines, period)
    current = forecasts_at(lines, period)
    before = previous_period(period)
    previous = {k: f.outturn for k, f in forecasts_at(lines, before).items()} if before else {}
    extra = [comparison(period, lines) for comparison in comparisons]
    groups, total = [], GridTotal(service.name, level="service")
    for line in lines:
        row = GridRow(
            line=line,
            budget=line.budget,
            actuals=actuals.get(line.pk, ZERO),
            previous=previous.get(line.pk),
            forecast=current.get(line.pk),
            comparisons=[values.get(line.pk) for values in extra],
            ytd_budget=ytd_budget(line.profile, period.number),
        )
        area_name = areas[line.area_of_spend_id].name
        if not groups or groups[-1][0].name != area_name:
            groups.append((GridTotal(area_name, level="service"), []))
        groups[-1][0].add(row)
        groups[-1][1].append(row)
        total.add(row)
    return groups, total


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


# A service's stage in the month's forecast, for pages' status tags.
NO_FORECASTS = "no_forecasts"
IN_PROGRESS = "in_progress"
STAGE_LABELS = {
    NO_FORECASTS: "No forecasts yet",
    IN_PROGRESS: "In progress",
    SignOff.Status.SUBMITTED: "Submitted",
    SignOff.Status.RETURNED: "Returned for changes",
    SignOff.Status.SIGNED_OFF: "Signed off",
}


def stage_label(sign_off_status: str | None) -> str:
    """The stage of a service whose sign-off row has this status (None: not yet submitted)."""
    return STAGE_LABELS[sign_off_status or IN_PROGRESS]


@dataclass
class MonthEndRow:
    """One service at month end: how far its forecast has got, and who is involved."""

    service: Service
    lines: int  # lines with a budget in the year (budgeted_lines)
    forecast: int  # of those, lines with a forecast at the period
    sign_off: SignOff | None
    finance_officers: list
    directors: list

    @property
    def stage(self) -> str:
        if self.sign_off is not None:
            return self.sign_off.status
        return IN_PROGRESS if self.forecast else NO_FORECASTS

    @property
    def stage_label(self) -> str:
        return STAGE_LABELS[self.stage]


def _count_per_service(lines) -> Subquery:
    counts = lines.filter(service=OuterRef("pk")).order_by().values("service")
    return Coalesce(Subquery(counts.annotate(n=Count("pk")).values("n")), Value(0))


def month_end(period: Period, services) -> list[MonthEndRow]:
    """Every one of `services` with its stage at the period, lines forecast of lines budgeted,
    its finance officers and its directorate's directors. Four queries, however many services:
    the services with both counts, the officers, the directors, the period's sign-offs."""
    lines = budgeted_lines(period)
    rows = (
        services.select_related("directorate")
        .annotate(
            lines_budgeted=_count_per_service(lines),
            lines_forecast=_count_per_service(lines.filter(forecasts__period=period)),
        )
        .prefetch_related(
            Prefetch("finance_officers", to_attr="officers"),
            Prefetch("directorate__directors", to_attr="director_list"),
        )
        .order_by("directorate__code", "code")
    )
    sign_offs = {
        s.service_id: s
        for s in SignOff.objects.filter(period=period, service__in=services).select_related(
            "submitted_by", "signed_off_by", "returned_by"
        )
    }
    return [
        MonthEndRow(
            service=service,
            lines=service.lines_budgeted,
            forecast=service.lines_forecast,
            sign_off=sign_offs.get(service.pk),
            finance_officers=sorted(service.officers, key=_by_name),
            directors=sorted(service.directorate.director_list, key=_by_name),
        )
        for service in rows
    ]


def _by_name(user) -> tuple:
    return (user.last_name, user.first_name, user.username)


NOT_ANALYSED = "Not analysed by account"


@dataclass
class AccountRow:
    """One ledger account of a cost centre: its spend in each period, P1 first."""

    account: str
    description: str
    amounts: list[Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.amounts, ZERO)


@dataclass
class AccountTable:
    """A cost centre's actuals by account (rows) and period (columns) for a year, to a period."""

    periods: list[int]
    rows: list[AccountRow]

    @property
    def totals(self) -> list[Decimal]:
        """Each period's total over the accounts: the cost centre's actuals for the period."""
        return [sum((row.amounts[i] for row in self.rows), ZERO) for i in range(len(self.periods))]

    @property
    def total(self) -> Decimal:
        return sum(self.totals, ZERO)


def actuals_by_account(line: BudgetLine, period: Period) -> AccountTable:
    """The line's ledger detail from period 1 to `period` of its year, one row per account in
    code order. Where a period's actual is more than its accounts hold (loaded from an extract
    without accounts, or before the detail was kept), the difference is a last row, "not
    analysed by account", so every column adds up to the actual. Two queries."""
    numbers = list(range(1, period.number + 1))
    in_year = {
        "line": line,
        "period__year_id": period.year_id,
        "period__number__lte": period.number,
    }
    entries = (
        LedgerEntry.objects.filter(**in_year)
        .order_by("account", "period__number")
        .values_list("account", "description", "period__number", "amount")
    )
    actuals = dict(Actual.objects.filter(**in_year).values_list("period__number", "amount"))
    rows: dict[str, AccountRow] = {}
    analysed = [ZERO] * len(numbers)
    for account, description, number, amount in entries:
        row = rows.get(account)
        if row is None:
            row = rows[account] = AccountRow(account, description, [ZERO] * len(numbers))
        row.description = description or row.description  # the latest period's name
        row.amounts[number - 1] += amount
        analysed[number - 1] += amount
    rest = [actuals.get(number, ZERO) - analysed[number - 1] for number in numbers]
    table = AccountTable(numbers, list(rows.values()))
    if any(rest):
        table.rows.append(AccountRow("", NOT_ANALYSED, rest))
    return table


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
