"""Factories (factory_boy) for a council of the test's own, so a test states the data it needs
instead of leaning on the demo's identifiers.

Reference and structure rows (councils, directorates, services, budget lines, years, periods,
budgets) are created through their models, as the set-up commands would leave them. Rows with a
write path are created through it: a forecast through `budgets.services.forecasts_save`, so it
has its version and audit row and is refused where the page would refuse it. Users get their
role (a Django group) and their services or directorates as the users file would give them.

    council = CouncilFactory(la_code="210")
    scf = ServiceFactory(directorate__council=council, code="SCF")
    officer = FinanceOfficerFactory(services=[scf])
    budget = BudgetFactory(line__service=scf, line__area="placements", original=Decimal("900"))
    ForecastFactory(line=budget.line, period=period_of(2024, 3), outturn=Decimal("950"))

LA codes default to 000-099, which the DfE does not use, so no benchmark of a real authority is
picked up by accident; pass a real code (and serve it with `serving(council)`) where the test
is about one.
"""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import override_settings
from factory.django import DjangoModelFactory

from budgets.access import Role
from budgets.models import (
    AreaOfSpend,
    Budget,
    BudgetLine,
    Council,
    Directorate,
    FinancialYear,
    Forecast,
    Period,
    Service,
)
from budgets.services import ForecastChange, forecasts_save

PASSWORD = "unused-pw-123456"


def serving(council: Council):
    """The deployment serves `council` (settings.CSC_COUNCIL_LA_CODE), as a context manager or
    decorator."""
    return override_settings(CSC_COUNCIL_LA_CODE=council.la_code)


# --- people -----------------------------------------------------------------------------------


class UserFactory(DjangoModelFactory):
    """A signed-in account with no role; the role factories below add one."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User {n}")
    password = PASSWORD
    role = None

    @classmethod
    def _create(cls, model_class, *args, role=None, **kwargs):
        user = model_class.objects.create_user(*args, **kwargs)
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user


class FinanceOfficerFactory(UserFactory):
    """A finance officer, assigned to `services=[...]`."""

    role = Role.FINANCE_OFFICER

    @factory.post_generation
    def services(self, create, extracted, **kwargs):
        for service in extracted or ():
            service.finance_officers.add(self)


class DirectorFactory(UserFactory):
    """A director, of `directorates=[...]`."""

    role = Role.DIRECTOR

    @factory.post_generation
    def directorates(self, create, extracted, **kwargs):
        for directorate in extracted or ():
            directorate.directors.add(self)


class ScrutinyMemberFactory(UserFactory):
    role = Role.SCRUTINY_MEMBER


class AdministratorFactory(UserFactory):
    role = Role.ADMINISTRATOR


# --- the council's structure ------------------------------------------------------------------


class CouncilFactory(DjangoModelFactory):
    class Meta:
        model = Council

    name = factory.Sequence(lambda n: f"Test council {n}")
    la_code = factory.Sequence(lambda n: f"{n % 100:03d}")


class DirectorateFactory(DjangoModelFactory):
    class Meta:
        model = Directorate

    council = factory.SubFactory(CouncilFactory)
    code = factory.Sequence(lambda n: f"D{n}")
    name = factory.LazyAttribute(lambda o: f"Directorate {o.code}")


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = Service

    directorate = factory.SubFactory(DirectorateFactory)
    code = factory.Sequence(lambda n: f"S{n}")
    name = factory.LazyAttribute(lambda o: f"Service {o.code}")


class BudgetLineFactory(DjangoModelFactory):
    """A cost centre; `area` is the code of its area of spend (one of the six every deployment
    has, or one made with AreaOfSpendFactory)."""

    class Meta:
        model = BudgetLine

    class Params:
        area = "staffing"

    code = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.LazyAttribute(lambda o: f"Line {o.code}")
    service = factory.SubFactory(ServiceFactory)
    area_of_spend = factory.LazyAttribute(lambda o: AreaOfSpend.objects.get(code=o.area))


class AreaOfSpendFactory(DjangoModelFactory):
    class Meta:
        model = AreaOfSpend
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"area-{n}")
    name = factory.LazyAttribute(lambda o: o.code.replace("-", " ").capitalize())
    position = 100


# --- years and budgets ------------------------------------------------------------------------


class FinancialYearFactory(DjangoModelFactory):
    """A financial year with its twelve periods (years are shared by every council in the
    database, so an existing one is reused)."""

    class Meta:
        model = FinancialYear
        django_get_or_create = ("start_year",)
        skip_postgeneration_save = True

    start_year = 2024

    @factory.post_generation
    def periods(self, create, extracted, **kwargs):
        have = set(self.periods.values_list("number", flat=True))
        Period.objects.bulk_create(
            Period(year=self, number=n) for n in range(1, 13) if n not in have
        )


def period_of(start_year: int, number: int) -> Period:
    """Period `number` of the year starting in April `start_year`, creating the year if need be."""
    year = FinancialYearFactory(start_year=start_year)
    return Period.objects.select_related("year").get(year=year, number=number)


class BudgetFactory(DjangoModelFactory):
    """A line's budget for a year; `revised` defaults to `original` (no virements)."""

    class Meta:
        model = Budget

    line = factory.SubFactory(BudgetLineFactory)
    year = factory.SubFactory(FinancialYearFactory)
    original = Decimal("1000.00")
    revised = factory.LazyAttribute(lambda o: o.original)


# --- forecasts, through their write path ------------------------------------------------------


def _officer_of(service: Service):
    officer = service.finance_officers.order_by("pk").first()
    return officer or FinanceOfficerFactory(services=[service])


class ForecastFactory(factory.Factory):
    """A forecast saved by `author` (by default the line's service's first finance officer, made
    if it has none) through budgets.services.forecasts_save, on top of whatever is saved
    already: raises what the page would (a closed period, a locked forecast, a move that needs
    commentary without one)."""

    class Meta:
        model = Forecast

    line = factory.SubFactory(BudgetLineFactory)
    period = factory.LazyFunction(lambda: period_of(2024, 1))
    outturn = Decimal("1000.00")
    commentary = ""
    author = factory.LazyAttribute(lambda o: _officer_of(o.line.service))

    @classmethod
    def _create(cls, model_class, *, line, period, outturn, commentary, author):
        current = model_class.objects.filter(line=line, period=period).first()
        change = ForecastChange(line, outturn, commentary, current.version if current else 0)
        return forecasts_save(user=author, period=period, changes=[change])[0]
