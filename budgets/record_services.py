"""Write functions for the rows the admin edits one at a time: budgets, actuals and the rest of
the structure (directorates, services, budget lines, savings, users). Each owns its transaction
and audit rows; `actual_*` and `budget_*` also check that the writer may load the line's service
(this deployment's council; an administrator or the service's finance officer) and that the
period or year is still open, under a row lock, as the forecast write path does.

The admin calls these and nothing else; imports write budgets and actuals in bulk through
their own service functions (budgets/importers.py), with one audit row per import.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from budgets.access import may_load_service
from budgets.audit_trail import audit, audit_changes
from budgets.forecast_services import PeriodClosed
from budgets.models import Actual, AuditEntry, Budget, BudgetLine, FinancialYear, Period

Source = AuditEntry.Source


class YearClosed(Exception):
    def __init__(self, year: FinancialYear):
        super().__init__(f"{year} is closed: its budgets cannot be changed.")
        self.year = year


def record_save(*, user, obj, source=Source.ADMIN, reason=""):
    """Save `obj` (new or changed) and audit it: one "create" row, or one "update" row per
    changed field with its old and new value. Many-to-many changes are audited by the caller
    once the relation is saved (audit_trail.audit_assignments)."""
    with transaction.atomic():
        model = type(obj)
        old = model.objects.select_for_update().filter(pk=obj.pk).first() if obj.pk else None
        obj.save()
        if old is None:
            audit(user=user, source=source, action="create", obj=obj, reason=reason)
        else:
            audit_changes(user=user, source=source, old=old, new=obj, reason=reason)
        return obj


def record_delete(*, user, obj, source=Source.ADMIN, reason="") -> None:
    with transaction.atomic():
        audit(user=user, source=source, action="delete", obj=obj, reason=reason)
        obj.delete()


def _check_may_write(user, line: BudgetLine) -> None:
    if not may_load_service(user, line.service):
        raise PermissionDenied(f"You may not change {line.service.name}'s figures.")


def _lock_open_period(period_id: int) -> None:
    period = Period.objects.select_for_update().select_related("year").get(pk=period_id)
    if period.is_closed:
        raise PeriodClosed(period)


def _lock_open_year(year_id: int) -> None:
    """A year is closed when its period 12 is (migration 0008): lock that row, as period_reopen
    does, so the year cannot close while its budget changes."""
    last = Period.objects.select_for_update().filter(year_id=year_id, number=12).first()
    if last is not None and last.is_closed:
        raise YearClosed(FinancialYear.objects.get(pk=year_id))


def actual_save(*, user, actual: Actual, source=Source.ADMIN, reason="") -> Actual:
    """Raises PermissionDenied or PeriodClosed (the period saved to, or saved from)."""
    with transaction.atomic():
        _check_may_write(user, actual.line)
        _lock_open_period(actual.period_id)
        if actual.pk:
            stored = Actual.objects.filter(pk=actual.pk).values_list("period_id", flat=True)
            for period_id in stored:
                _lock_open_period(period_id)
        return record_save(user=user, obj=actual, source=source, reason=reason)


def actual_delete(*, user, actual: Actual, source=Source.ADMIN, reason="") -> None:
    with transaction.atomic():
        _check_may_write(user, actual.line)
        _lock_open_period(actual.period_id)
        record_delete(user=user, obj=actual, source=source, reason=reason)


def budget_save(*, user, budget: Budget, source=Source.ADMIN, reason="") -> Budget:
    """Raises PermissionDenied or YearClosed (the year saved to, or saved from)."""
    with transaction.atomic():
        _check_may_write(user, budget.line)
        _lock_open_year(budget.year_id)
        if budget.pk:
            for year_id in Budget.objects.filter(pk=budget.pk).values_list("year_id", flat=True):
                _lock_open_year(year_id)
        return record_save(user=user, obj=budget, source=source, reason=reason)


def budget_delete(*, user, budget: Budget, source=Source.ADMIN, reason="") -> None:
    with transaction.atomic():
        _check_may_write(user, budget.line)
        _lock_open_year(budget.year_id)
        record_delete(user=user, obj=budget, source=source, reason=reason)
