"""A council's Section 251 weekly unit costs and looked-after spend per child against its
statistical neighbours and England, from the DfE's LAIT extract (`DfeFigure`), for the financial
year of the page's date (`budgets.reference.benchmark_year`).

The arithmetic (`compare`, `spend_per_child`) is pure; `finance_benchmarks` reads three queries.
A neighbour whose figure is suppressed is left out of the average and the median, never counted
as zero; `reporting` says how many of the neighbours have a figure.
"""

import datetime
import statistics
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from budgets.models import DfeFigure
from budgets.neighbours import neighbours_average
from budgets.reference import ENGLAND, Basis, BenchmarkYear, benchmark_year, neighbours_of

PENNY = Decimal("0.01")
POUND = Decimal("1")

# LAIT measures: Section 251 outturn, £ per child per week (DfE definitions).
UNIT_COSTS = (
    ("FosteringFinance", "Foster care"),
    ("RescareFinance", "Residential care"),
    ("AdoptionFinance", "Adoption"),
    ("LACFinance", "All looked-after services"),
)
SPEND = "TotalLACFinance"  # gross spend on children looked after in the financial year, £
CHILDREN = "LACnum"  # children looked after on 31 March
FINANCE_MEASURES = [m for m, _ in UNIT_COSTS] + [SPEND]
SPEND_LABEL = "Looked-after spend per child a year"


@dataclass(frozen=True)
class Comparison:
    key: str
    label: str
    council: Decimal | None
    neighbours_average: Decimal | None
    neighbours_median: Decimal | None
    england: Decimal | None
    reporting: int  # neighbours with a figure


@dataclass(frozen=True)
class FinanceBenchmarks:
    year: BenchmarkYear
    unit_costs: list[Comparison]
    spend_per_child: Comparison
    neighbours: int  # the council's statistical neighbours (ten when the model has it)

    @property
    def rows(self) -> list[Comparison]:
        return [*self.unit_costs, self.spend_per_child]


def compare(
    *,
    key: str,
    label: str,
    council: Decimal | None,
    neighbours: list[Decimal | None],
    england: Decimal | None,
    places: Decimal = PENNY,
) -> Comparison:
    """The council's figure beside its neighbours' average and median (missing ones left out)
    and England's, rounded half up to `places`."""
    known = [v for v in neighbours if v is not None]
    average = neighbours_average(known, places=None)
    median = Decimal(statistics.median(known)) if known else None

    def rounded(value):
        return value.quantize(places, rounding=ROUND_HALF_UP) if value is not None else None

    return Comparison(
        key=key,
        label=label,
        council=rounded(council),
        neighbours_average=rounded(average),
        neighbours_median=rounded(median),
        england=rounded(england),
        reporting=len(known),
    )


def spend_per_child(spend: Decimal | None, children: Decimal | None) -> Decimal | None:
    """Gross looked-after spend in a financial year over the children looked after at its end
    (31 March), in pounds: the DfE publishes both, not a spend per child."""
    if spend is None or not children:
        return None
    return spend / children


def finance_years(la_code: str) -> list[int]:
    """The financial years with a published Section 251 figure for the council (England's
    when the council has none, e.g. a new authority). One query."""
    rows = (
        DfeFigure.objects.filter(
            area_code__in=[la_code, ENGLAND], measure__in=FINANCE_MEASURES, value__isnull=False
        )
        .values_list("area_code", "year")
        .distinct()
    )
    years: dict[str, set[int]] = {}
    for code, year in rows:
        years.setdefault(code, set()).add(year)
    return sorted(years.get(la_code) or years.get(ENGLAND) or [])


def finance_benchmarks(la_code: str, day: datetime.date) -> FinanceBenchmarks:
    """Weekly unit costs and spend per child of the council, its statistical neighbours
    (average and median) and England, for the financial year of `day` or the latest published
    before it. Three queries whatever the council."""
    neighbours = [a.la_code for a in neighbours_of(la_code)]
    rule = benchmark_year(day, finance_years(la_code), basis=Basis.FINANCIAL)
    values: dict[tuple[str, str], Decimal | None] = {}
    if rule.year is not None:
        areas = [la_code, ENGLAND, *neighbours]
        rows = DfeFigure.objects.filter(
            Q(measure__in=FINANCE_MEASURES, year=rule.year)
            # The children at the end of the financial year: 31 March of the year after.
            | Q(measure=CHILDREN, year=rule.year + 1),
            area_code__in=areas,
            level__in=["Local authority", "National"],
        ).values_list("area_code", "measure", "value")
        values = {(code, measure): value for code, measure, value in rows}

    def figure(code, measure):
        if measure == "per_child":
            return spend_per_child(values.get((code, SPEND)), values.get((code, CHILDREN)))
        return values.get((code, measure))

    def comparison(measure, label, places=PENNY):
        return compare(
            key=measure,
            label=label,
            council=figure(la_code, measure),
            neighbours=[figure(code, measure) for code in neighbours],
            england=figure(ENGLAND, measure),
            places=places,
        )

    return FinanceBenchmarks(
        year=rule,
        unit_costs=[comparison(m, label) for m, label in UNIT_COSTS],
        spend_per_child=comparison("per_child", SPEND_LABEL, places=POUND),
        neighbours=len(neighbours),
    )
