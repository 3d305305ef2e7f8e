"""The factories build what the tests say they build: a council of the test's own, users with
their role and assignments, and forecasts through the write path (versioned, audited, refused
where a page would refuse them)."""

from decimal import Decimal

import pytest

from budgets import selectors
from budgets.access import Role, can_edit_service, can_sign_off_service, roles_of
from budgets.models import AuditEntry, Council, Period
from budgets.services import PeriodClosed
from tests.factories import (
    BudgetFactory,
    CouncilFactory,
    DirectorFactory,
    FinanceOfficerFactory,
    FinancialYearFactory,
    ForecastFactory,
    ServiceFactory,
    period_of,
    serving,
)

pytestmark = pytest.mark.django_db


def test_a_year_comes_with_its_twelve_periods_and_is_reused():
    year = FinancialYearFactory(start_year=2031)
    assert sorted(year.periods.values_list("number", flat=True)) == list(range(1, 13))
    assert FinancialYearFactory(start_year=2031) == year
    assert Period.objects.filter(year=year).count() == 12


def test_users_get_their_role_and_assignments():
    service = ServiceFactory()
    officer = FinanceOfficerFactory(services=[service])
    director = DirectorFactory(directorates=[service.directorate])
    assert roles_of(officer) == {Role.FINANCE_OFFICER}
    assert can_edit_service(officer, service) and not can_edit_service(director, service)
    assert can_sign_off_service(director, service)


def test_a_forecast_goes_through_the_write_path():
    budget = BudgetFactory(original=Decimal("1000"), year=FinancialYearFactory(start_year=2031))
    period = period_of(2031, 2)
    first = ForecastFactory(line=budget.line, period=period, outturn=Decimal("1200"))
    assert (first.version, first.author.assigned_services.get()) == (1, budget.line.service)
    again = ForecastFactory(line=budget.line, period=period, outturn=Decimal("1300"))
    assert (again.pk, again.version, again.outturn) == (first.pk, 2, Decimal("1300"))
    trail = AuditEntry.objects.filter(object_type="budgets.Forecast", object_id=str(first.pk))
    assert sorted(trail.values_list("action", "new_value")) == [
        ("create", "1200"),
        ("update", "1300"),
    ]
    [line] = selectors.lines_with_position(
        period, type(budget.line).objects.filter(pk=budget.line.pk)
    )
    assert line.variance == Decimal("300")


def test_a_forecast_in_a_closed_period_is_refused_as_on_the_page():
    period = period_of(2031, 1)
    period.status = Period.Status.CLOSED
    period.save()
    with pytest.raises(PeriodClosed):
        ForecastFactory(line=BudgetFactory().line, period=period)


def test_a_factory_council_is_served_and_is_not_a_real_authority():
    council = CouncilFactory()
    assert int(council.la_code) < 100  # the DfE's codes start at 201
    with serving(council):
        assert Council.objects.current().get() == council
