"""The staffing reads: queries that return values and small records; the arithmetic on them
is in workforce.metrics. Each says how many queries it runs.

A filling counts on a date when it started on or before it and has not ended on or before it
(the same rule as SSDA903 episodes): a worker who leaves on the 30th is not counted on the 30th.
The rule is written in the ORM (filled_on) and in SQL over month ends (agency_ratio_series);
tests/workforce/test_staff_on_a_date.py checks that they agree.
"""

import datetime
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from django.db import connection
from django.db.models import Max, Q, QuerySet, Sum

from budgets.calendar import month_end, period_end
from budgets.neighbours import neighbours_average
from budgets.reference import ENGLAND, Basis, BenchmarkYear, benchmark_year
from budgets.selectors import actuals_to_date, month_ends_sql
from workforce import metrics
from workforce.models import Filling, Indicator, Team, TeamCaseload

ZERO = Decimal("0")


def filled_on(day: datetime.date, fillings: QuerySet | None = None) -> QuerySet:
    """Fillings in force on `day`: by default the current council's."""
    fillings = Filling.objects.current() if fillings is None else fillings
    return fillings.filter(Q(end__isnull=True) | Q(end__gt=day), start__lte=day)


def fte_by_status(day: datetime.date, *, fillings: QuerySet | None = None) -> dict[str, Decimal]:
    """FTE on `day` per filling status (0 for a status with none). One query."""
    rows = filled_on(day, fillings).values("status").annotate(fte=Sum("fte")).order_by()
    result = {status: ZERO for status in Filling.Status.values}
    result |= {row["status"]: row["fte"] for row in rows}
    return result


def has_fillings() -> bool:
    """Whether the current council has loaded its establishment. One query."""
    return Filling.objects.current().exists()


def latest_month_end() -> datetime.date:
    """The end of the month of the latest filling start (today's month at the latest): the
    workforce pages' default date. One query."""
    latest = Filling.objects.current().aggregate(d=Max("start"))["d"] or datetime.date.today()
    return month_end(min(latest, datetime.date.today()))


class TeamRatio(NamedTuple):
    team: str
    ratio: Decimal | None


def agency_ratio_by_team(day: datetime.date) -> list[TeamRatio]:
    """Each team's agency ratio on `day`, by team name. One query."""
    rows = filled_on(day).values("post__team__name", "status").annotate(fte=Sum("fte")).order_by()
    teams: dict[str, dict] = {}
    for row in rows:
        teams.setdefault(row["post__team__name"], {s: ZERO for s in Filling.Status.values})
        teams[row["post__team__name"]][row["status"]] = row["fte"]
    return [TeamRatio(name, metrics.agency_ratio(fte)) for name, fte in sorted(teams.items())]


class AgencyMonth(NamedTuple):
    month_end: datetime.date
    agency: Decimal
    permanent: Decimal


def agency_ratio_series(*, first: datetime.date, months: int) -> list[AgencyMonth]:
    """Agency and permanent FTE at each month end, for the current council: one query over
    month ends, joining only the council's fillings that overlap the months."""
    months_sql, params, council_sql, council_params = month_ends_sql(first, months)
    sql = f"""{months_sql}, fillings AS (
            SELECT f.status, f.fte, f.start, f."end" FROM workforce_filling f
            JOIN workforce_post p ON p.id = f.post_id
            JOIN workforce_team t ON t.id = p.team_id
            JOIN budgets_service s ON s.id = t.service_id
            JOIN budgets_directorate d ON d.id = s.directorate_id
            WHERE d.council_id IN ({council_sql})
              AND f.start <= (SELECT max(month_end) FROM months)
              AND (f."end" IS NULL OR f."end" > (SELECT min(month_end) FROM months))
        )
        SELECT m.month_end,
               coalesce(sum(f.fte) FILTER (WHERE f.status = 'agency'), 0),
               coalesce(sum(f.fte) FILTER (WHERE f.status = 'permanent'), 0)
        FROM months m LEFT JOIN fillings f
          ON f.start <= m.month_end AND (f."end" IS NULL OR f."end" > m.month_end)
        GROUP BY 1 ORDER BY 1
    """  # noqa: S608 (months_sql is fixed text and the ORM's own SQL; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *council_params])
        return [AgencyMonth(*row) for row in cursor.fetchall()]


def agency_premiums(day: datetime.date) -> list[tuple[Decimal, Decimal]]:
    """(premium a year, FTE) of every agency filling on `day`. One query."""
    agency = filled_on(day).filter(status=Filling.Status.AGENCY).select_related("post")
    return [
        (
            metrics.premium(
                annual_cost=f.annual_cost,
                budgeted_cost=f.post.budgeted_cost,
                fte=f.fte,
                post_fte=f.post.fte,
            ),
            f.fte,
        )
        for f in agency
    ]


def agency_premium(day: datetime.date) -> Decimal:
    """What agency workers cost a year above the budgeted permanent cost of the same posts.
    One query."""
    return sum((p for p, _ in agency_premiums(day)), ZERO).quantize(metrics.PENNY)


class StaffingPosition:
    """The establishment on a day, as the staffing scenarios read it: each figure is read
    once, when first asked for (a page of scenarios of one kind reads only what it needs)."""

    def __init__(self, day: datetime.date):
        self.day = day

    @cached_property
    def fte(self) -> dict[str, Decimal]:
        return fte_by_status(self.day)

    @cached_property
    def premiums_per_fte(self) -> list[Decimal]:
        return [premium / fte for premium, fte in agency_premiums(self.day) if fte]

    @cached_property
    def agency_cost(self) -> Decimal:
        agency = filled_on(self.day).filter(status=Filling.Status.AGENCY)
        return agency.aggregate(total=Sum("annual_cost"))["total"] or ZERO

    @cached_property
    def vacant_costs(self) -> list[Decimal]:
        vacant = filled_on(self.day).filter(status=Filling.Status.VACANT)
        return list(vacant.values_list("post__budgeted_cost", flat=True))


def establishment_forecast(period, lines) -> dict[int, Decimal]:
    """Staffing outturn per budget line at `period` (a forecast method of
    settings.CSC_FORECAST_METHODS): actual spend to date plus every post as filled at the end
    of the period, at its annual cost, for the rest of the year. Two queries."""
    end = period_end(period.year.start_year, period.number)
    costs = (
        filled_on(end)
        .filter(post__team__line__in=lines)
        .exclude(status=Filling.Status.VACANT)
        .values("post__team__line")
        .annotate(total=Sum("annual_cost"))
        .order_by()
    )
    annual = {row["post__team__line"]: row["total"] for row in costs}
    return metrics.establishment_outturn(
        spent=actuals_to_date(lines, period),
        annual_costs=annual,
        fraction=Decimal((period.year.ends_on - end).days) / 365,
    )


establishment_forecast.label = "Establishment forecast"


def caseloads(month: datetime.date) -> list[dict]:
    """Average cases per case-holding FTE per team against its target (None: not reported),
    for every team of the current council with a caseload target or a caseload record for the
    month (a record with no cases: the team reported no figure). Teams with neither, such as
    business support, have no row. Two queries."""
    rows = []
    teams = Team.objects.current().order_by("pk")
    reported = {c.team_id: c for c in TeamCaseload.objects.filter(month=month, team__in=teams)}
    for team in teams:
        record = reported.get(team.pk)
        if record is None and team.caseload_target is None:
            continue
        actual = metrics.caseload(record.cases, record.case_holding_fte) if record else None
        rows.append({"team": team.name, "target": team.caseload_target, "actual": actual})
    return rows


def indicator_year(la_code: str, day: datetime.date) -> BenchmarkYear:
    """The 30 September census whose DfE indicators go with `day`: the last on or before it
    that the DfE published for the council (England's years for a council it does not list).
    One query."""
    rows = (
        Indicator.objects.filter(area_code__in=[la_code, ENGLAND])
        .values_list("area_code", "year")
        .distinct()
    )
    years: dict[str, set[int]] = {}
    for code, year in rows:
        years.setdefault(code, set()).add(year)
    return benchmark_year(
        day, years.get(la_code) or years.get(ENGLAND) or [], basis=Basis.SEPTEMBER
    )


INDICATORS = ("agency_rate", "vacancy_rate", "caseload")


def benchmarks(la_code: str, neighbours: list[str], day: datetime.date) -> dict:
    """Agency rate, vacancy rate and caseload of the council, its region, England and its
    statistical neighbours' average, at the census the benchmark rule gives for `day` ("rule"
    says which and why). Each row has its `key` (council, region, england, neighbours) and the
    `area` it shows. Two queries."""
    rule = indicator_year(la_code, day)
    year = rule.year
    rows = Indicator.objects.none()
    if year is not None:
        rows = Indicator.objects.filter(
            Q(area_code__in=[la_code, ENGLAND, *neighbours]) | Q(level="Regional"), year=year
        )
    by_area = {r.area_code: r for r in rows}
    own = by_area.get(la_code)
    region_code = own.region_code if own else ""
    result = {"year": year, "rule": rule, "rows": []}
    for key, label, code in [
        ("council", "This council", la_code),
        ("region", "Region", region_code),
        ("england", "England", ENGLAND),
    ]:
        row = by_area.get(code)
        result["rows"].append(
            {
                "key": key,
                "area": row.area_name if row and key == "region" else label,
                **{name: getattr(row, name) if row else None for name in INDICATORS},
            }
        )
    result["rows"].append(
        {
            "key": "neighbours",
            "area": "Statistical neighbours (average)",
            **{
                name: neighbours_average(
                    getattr(by_area[c], name) for c in neighbours if c in by_area
                )
                for name in INDICATORS
            },
        }
    )
    return result


def england_agency_rate(day: datetime.date) -> tuple[Decimal | None, BenchmarkYear]:
    """England's agency rate (DfE workforce census) at the last 30 September census on or
    before `day`, with the rule's note. Two queries."""
    published = Indicator.objects.filter(area_code=ENGLAND, agency_rate__isnull=False)
    rule = benchmark_year(day, published.values_list("year", flat=True), basis=Basis.SEPTEMBER)
    row = published.filter(year=rule.year).first() if rule.year is not None else None
    return (row.agency_rate if row else None), rule
