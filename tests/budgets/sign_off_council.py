"""The council the sign-off tests run in, built with tests/factories.py: a small slice of the
example council (LA 210, directorates CFS with SCF and EDU, ENL with WST, the users file's
names), with the edge cases the sign-off rules need: a line with no budget this year and one
budgeted at zero. The full path through the set-up commands is tested in
test_second_council_end_to_end.py."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from unittest.mock import patch

from django.test import override_settings

from budgets import selectors
from budgets.models import BudgetLine, Council, Period, Service, SignOff
from budgets.services import ForecastChange, forecast_submit, forecasts_save
from tests.factories import (
    AdministratorFactory,
    BudgetFactory,
    BudgetLineFactory,
    CouncilFactory,
    DirectorateFactory,
    DirectorFactory,
    FinanceOfficerFactory,
    ScrutinyMemberFactory,
    ServiceFactory,
    period_of,
)

LA_CODE = "210"
SERVED = override_settings(CSC_COUNCIL_LA_CODE=LA_CODE)
YEAR, PERIOD = "2024/25", 3
FORM = {"year": YEAR, "period": str(PERIOD)}
SCF = "/budgets/CFS/SCF/forecast/"


@dataclass
class SecondCouncil:
    council: Council
    period: Period
    scf: Service
    edu: Service
    wst: Service
    officer: object  # a.okafor: SCF and EDU
    waste_officer: object  # t.price: WST
    director: object  # r.shah: CFS
    other_director: object  # h.jones: ENL
    scrutiny: object
    administrator: object


def line(service: Service, code: str, area: str, budget: str | None, year) -> BudgetLine:
    """A cost centre of `service`, budgeted at `budget` in `year` (None: no budget that year)."""
    if budget is None:
        return BudgetLineFactory(service=service, code=code, area=area)
    return BudgetFactory(
        line__service=service, line__code=code, line__area=area, year=year, original=Decimal(budget)
    ).line


def build_second_council() -> SecondCouncil:
    council = CouncilFactory(name="Southwark", la_code=LA_CODE)
    period = period_of(2024, PERIOD)
    year = period.year
    cfs = DirectorateFactory(council=council, code="CFS", name="Children's and Families' Services")
    enl = DirectorateFactory(council=council, code="ENL", name="Environment and Leisure")
    scf = ServiceFactory(directorate=cfs, code="SCF", name="Social Care and Family Support")
    edu = ServiceFactory(directorate=cfs, code="EDU", name="Education and Inclusion")
    wst = ServiceFactory(directorate=enl, code="WST", name="Waste and Cleansing")
    line(scf, "K31001", "placements", "4000000", year)
    line(scf, "K31002", "placements", "900000", year)
    line(scf, "K31010", "staffing", "2500000", year)
    line(scf, "K31099", "other_costs", None, year)  # no budget this year: not asked for
    line(edu, "K32001", "staffing", "800000", year)
    line(edu, "K32002", "other_costs", "0", year)  # budgeted at zero: still asked for
    line(wst, "K51001", "other_costs", "6000000", year)
    return SecondCouncil(
        council=council,
        period=period,
        scf=scf,
        edu=edu,
        wst=wst,
        officer=FinanceOfficerFactory(
            username="a.okafor", first_name="Amina", last_name="Okafor", services=[scf, edu]
        ),
        waste_officer=FinanceOfficerFactory(
            username="t.price", first_name="Tom", last_name="Price", services=[wst]
        ),
        director=DirectorFactory(
            username="r.shah", first_name="Ravi", last_name="Shah", directorates=[cfs]
        ),
        other_director=DirectorFactory(
            username="h.jones", first_name="Helen", last_name="Jones", directorates=[enl]
        ),
        scrutiny=ScrutinyMemberFactory(username="c.member"),
        administrator=AdministratorFactory(username="s.admin"),
    )


def forecast(sc: SecondCouncil, service: Service, *codes: str, user=None) -> None:
    """The officer forecasts the given lines (all of the service's budgeted lines if none)."""
    lines = BudgetLine.objects.filter(service=service)
    lines = lines.filter(code__in=codes) if codes else selectors.budgeted_lines(sc.period, lines)
    changes = [ForecastChange(line, Decimal("1000"), "", 0) for line in lines]
    forecasts_save(user=user or sc.officer, period=sc.period, changes=changes)


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)


def submitted(sc: SecondCouncil, when: str = "2024-06-05T13:02") -> SignOff:
    forecast(sc, sc.scf)
    with patch("django.utils.timezone.now", return_value=at(when)):
        return forecast_submit(user=sc.officer, service=sc.scf, period=sc.period)
