"""Budgets and actuals edited one at a time (the admin) go through record_services: the writer's
permission, the open period or year, and an audit row per changed field. A second council, built
from its example files (the `southwark` fixture), so nothing leans on the demo."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from budgets.models import Actual, AuditEntry, Budget, BudgetLine, Period
from budgets.record_services import (
    YearClosed,
    actual_delete,
    actual_save,
    budget_save,
    record_save,
)
from budgets.services import PeriodClosed, period_close

pytestmark = pytest.mark.django_db


def user(username):
    return get_user_model().objects.get(username=username)


def a_line(southwark):
    return BudgetLine.objects.filter(service__directorate__council=southwark).order_by("code")[0]


def test_an_actual_saved_and_changed_writes_one_audit_row_each_time(southwark):
    line, p1 = a_line(southwark), Period.objects.get(year__start_year=2024, number=1)
    admin = user("m.clarke")
    actual = actual_save(user=admin, actual=Actual(line=line, period=p1, amount=Decimal("100")))
    actual.amount = Decimal("250.50")
    actual_save(user=admin, actual=actual)

    rows = AuditEntry.objects.filter(object_type="budgets.Actual", object_id=str(actual.pk))
    assert sorted(rows.values_list("action", "field", "old_value", "new_value")) == [
        ("create", "", "", ""),
        ("update", "amount", "100.00", "250.50"),
    ]
    assert set(rows.values_list("source", flat=True)) == {"admin"}


def test_an_actual_in_a_closed_period_is_refused_and_nothing_is_written(southwark):
    line, p1 = a_line(southwark), Period.objects.get(year__start_year=2024, number=1)
    admin = user("m.clarke")
    actual = actual_save(user=admin, actual=Actual(line=line, period=p1, amount=Decimal("1")))
    period_close(user=admin, period=p1)
    before = AuditEntry.objects.count()

    actual.amount = Decimal("2")
    with pytest.raises(PeriodClosed):
        actual_save(user=admin, actual=actual)
    with pytest.raises(PeriodClosed):
        actual_delete(user=admin, actual=actual)
    assert Actual.objects.get(pk=actual.pk).amount == Decimal("1.00")
    assert AuditEntry.objects.count() == before


def test_a_finance_officer_may_not_write_another_services_actuals(southwark):
    p1 = Period.objects.get(year__start_year=2024, number=1)
    officer = user("t.price")  # WST only
    line = BudgetLine.objects.filter(service__code="SCF").first()
    with pytest.raises(PermissionDenied):
        actual_save(user=officer, actual=Actual(line=line, period=p1, amount=Decimal("1")))
    assert not Actual.objects.filter(line=line).exists()


def test_a_budget_change_is_audited_and_a_closed_year_refuses_it(southwark):
    admin = user("m.clarke")
    budget = Budget.objects.filter(line__service__directorate__council=southwark).first()
    old = budget.revised
    budget.revised = old + 10
    budget_save(user=admin, budget=budget)
    entry = AuditEntry.objects.get(
        object_type="budgets.Budget", object_id=str(budget.pk), field="revised", source="admin"
    )
    assert (entry.old_value, entry.new_value) == (str(old), str(old + 10))

    period_close(user=admin, period=Period.objects.get(year=budget.year, number=12))
    budget.revised = old
    with pytest.raises(YearClosed):
        budget_save(user=admin, budget=budget)
    assert Budget.objects.get(pk=budget.pk).revised == old + 10


def test_a_password_change_is_recorded_without_its_value(southwark):
    officer = user("t.price")
    officer.set_password("another-long-password-1")
    record_save(user=user("m.clarke"), obj=officer)
    entry = AuditEntry.objects.get(
        object_type="auth.User", object_id=str(officer.pk), field="password"
    )
    assert (entry.old_value, entry.new_value) == ("", "(changed)")
