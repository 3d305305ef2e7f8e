"""The financial core's tables, one module per concern; every model and helper is re-exported
here, so `from budgets.models import X` works wherever X lives. Invariants live in the database
as unique and check constraints.

- years: FinancialYear and Period (the calendar the ledger is posted in)
- structure: Council, Directorate, Service, AreaOfSpend, BudgetLine
- ledger: Budget, Actual, LedgerEntry, Forecast, Saving (money: numeric(14,2), held as Decimal)
- reference: LocalAuthority, StatisticalNeighbour, DfeFigure (benchmarking reference data)
- audit: ImportRecord, AuditEntry (who did what)
- sign_off: SignOff (a service's month's forecast, submitted and signed off)
"""

from budgets.calendar import month_end, month_of
from budgets.models.audit import AuditEntry, ImportRecord
from budgets.models.ledger import MONEY, Actual, Budget, Forecast, LedgerEntry, Saving
from budgets.models.reference import DfeFigure, LocalAuthority, StatisticalNeighbour
from budgets.models.sign_off import (
    IN_PROGRESS,
    NO_FORECASTS,
    STAGE_LABELS,
    SignOff,
    stage_label,
)
from budgets.models.structure import (
    DEFAULT_AREAS,
    INCOME_AREA,
    AreaOfSpend,
    BudgetLine,
    Council,
    CouncilOwnedQuerySet,
    CouncilQuerySet,
    Directorate,
    Service,
    area_sort_key,
    areas_by_code,
)
from budgets.models.years import FinancialYear, Period, label_for, parse_year_label

__all__ = [
    "DEFAULT_AREAS",
    "INCOME_AREA",
    "IN_PROGRESS",
    "NO_FORECASTS",
    "STAGE_LABELS",
    "MONEY",
    "Actual",
    "AreaOfSpend",
    "AuditEntry",
    "Budget",
    "BudgetLine",
    "Council",
    "CouncilOwnedQuerySet",
    "CouncilQuerySet",
    "Directorate",
    "DfeFigure",
    "FinancialYear",
    "Forecast",
    "ImportRecord",
    "LedgerEntry",
    "LocalAuthority",
    "Period",
    "Saving",
    "Service",
    "SignOff",
    "StatisticalNeighbour",
    "area_sort_key",
    "areas_by_code",
    "label_for",
    "month_end",
    "month_of",
    "parse_year_label",
    "stage_label",
]
