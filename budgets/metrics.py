"""The budget arithmetic: variance, RAG, positions of groups of lines, the forecast grid's rows
and totals, savings totals. Pure functions and dataclasses: no queries, no HTTP, no templates;
budgets/selectors.py reads the figures and hands them here.

Finance rule: a line with no forecast at a period is taken to be on budget (forecast = revised
budget), which is how councils' monitoring returns treat an unreported line. Its one home is
`outturn_or_budget`; the query form is selectors.forecast_or_budget, checked to agree by
tests/budgets/test_on_budget_rule.py.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:  # types only: metrics read no models
    from budgets.models import BudgetLine, Forecast


ZERO = Decimal("0.00")


def outturn_or_budget(*, forecast: Decimal | None, budget: Decimal) -> Decimal:
    """A line's forecast outturn, or its revised budget when it has no forecast: an unreported
    line counts as on budget."""
    return budget if forecast is None else forecast


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


def directorate_positions_of(lines: Iterable) -> list[Position]:
    """Each directorate's budget and forecast, with its services as children, in the order the
    lines come (selectors.LinePosition rows, ordered by directorate then service)."""
    directorates: dict[str, Position] = {}
    services: dict[tuple[str, str], Position] = {}
    for line in lines:
        parent = directorates.get(line.directorate_code)
        if parent is None:
            parent = directorates[line.directorate_code] = Position(
                line.directorate_code, line.directorate_name, level="directorate"
            )
        key = (line.directorate_code, line.service_code)
        child = services.get(key)
        if child is None:
            child = services[key] = Position(line.service_code, line.service_name)
            parent.children.append(child)
        child.add(budget=line.budget, forecast=line.forecast)
        parent.add(budget=line.budget, forecast=line.forecast)
    return list(directorates.values())


def area_positions_of(lines: Iterable) -> list[Position]:
    """The lines' budget and forecast by area of spend, in the order areas first appear."""
    areas: dict[str, Position] = {}
    for line in lines:
        area = areas.get(line.area_code)
        if area is None:
            area = areas[line.area_code] = Position(line.area_code, line.area_name)
        area.add(budget=line.budget, forecast=line.forecast)
    return list(areas.values())


def total(positions: list[Position], *, name: str = "Total") -> Position:
    result = Position("total", name)
    for position in positions:
        result.add(budget=position.budget, forecast=position.forecast)
    return result


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

    line: "BudgetLine"
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
        return outturn_or_budget(
            forecast=self.forecast.outturn if self.forecast else None, budget=self.budget
        )

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
        self.previous += outturn_or_budget(forecast=row.previous, budget=row.budget)
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


def grid_groups(
    rows: Iterable[GridRow], *, area_name: Callable[[GridRow], str], name: str
) -> tuple[list[tuple[GridTotal, list[GridRow]]], GridTotal]:
    """The forecast grid's rows (already in area order) grouped by area of spend, each group with
    its subtotal, and the service total."""
    groups: list[tuple[GridTotal, list[GridRow]]] = []
    service_total = GridTotal(name, level="service")
    for row in rows:
        area = area_name(row)
        if not groups or groups[-1][0].name != area:
            groups.append((GridTotal(area, level="service"), []))
        groups[-1][0].add(row)
        groups[-1][1].append(row)
        service_total.add(row)
    return groups, service_total


@dataclass
class SavingsTotals:
    """The savings of a service (or a council) in a year, added up."""

    target: Decimal = ZERO
    delivery: Decimal = ZERO
    shortfall: Decimal = ZERO


def savings_totals(savings: Iterable) -> SavingsTotals:
    """Target, forecast delivery and shortfall summed over `savings` (Saving rows); the shortfall
    is each saving's own (Saving.shortfall: never negative), so one saving's over-delivery does
    not hide another's shortfall."""
    totals = SavingsTotals()
    for saving in savings:
        totals.target += saving.target
        totals.delivery += saving.forecast_delivery
        totals.shortfall += saving.shortfall
    return totals


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


@dataclass(frozen=True)
class LedgerAmount:
    """One ledger entry: an account's spend in a period (selectors.actuals_by_account)."""

    account: str
    description: str
    period_number: int
    amount: Decimal


def account_table(
    entries: Iterable[LedgerAmount], actuals: dict[int, Decimal], to_period: int
) -> AccountTable:
    """A cost centre's ledger detail from period 1 to `to_period`, one row per account in the
    entries' order. Where a period's actual is more than its accounts hold (loaded from an
    extract without accounts, or before the detail was kept), the difference is a last row,
    "not analysed by account", so every column adds up to the actual."""
    numbers = list(range(1, to_period + 1))
    rows: dict[str, AccountRow] = {}
    analysed = [ZERO] * len(numbers)
    for entry in entries:
        row = rows.get(entry.account)
        if row is None:
            row = rows[entry.account] = AccountRow(entry.account, "", [ZERO] * len(numbers))
        row.description = entry.description or row.description  # the latest period's name
        row.amounts[entry.period_number - 1] += entry.amount
        analysed[entry.period_number - 1] += entry.amount
    rest = [actuals.get(number, ZERO) - analysed[number - 1] for number in numbers]
    table = AccountTable(numbers, list(rows.values()))
    if any(rest):
        table.rows.append(AccountRow("", NOT_ANALYSED, rest))
    return table
