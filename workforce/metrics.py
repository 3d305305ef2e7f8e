"""The staffing numbers: pure functions over querysets, tested without HTTP.

A filling counts on a date when it started on or before it and has not ended on or before it
(the same rule as SSDA903 episodes): a worker who leaves on the 30th is not counted on the 30th.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Q, QuerySet, Sum

from budgets.metrics import month_ends_sql
from budgets.reference import ENGLAND, Basis, BenchmarkYear, benchmark_year
from workforce.models import Filling, Indicator, Team, TeamCaseload

ZERO = Decimal("0")
# An agency day rate becomes an annual cost over the days a full-time worker works: 52 weeks of
# 5 days less 8 bank holidays and 24 days' leave (agency workers are paid only for days worked).
WORKING_DAYS = 228


def annual_from_rates(*, fte: Decimal, day_rate=None, hourly_rate=None, hours_per_day="7.4"):
    if day_rate is not None:
        return (Decimal(day_rate) * WORKING_DAYS * fte).quantize(Decimal("0.01"))
    if hourly_rate is not None:
        return (Decimal(hourly_rate) * Decimal(hours_per_day) * WORKING_DAYS * fte).quantize(
            Decimal("0.01")
        )
    return None


def filled_on(day: datetime.date, fillings: QuerySet | None = None) -> QuerySet:
    """Fillings in force on `day`: by default the current council's."""
    fillings = Filling.objects.current() if fillings is None else fillings
    return fillings.filter(Q(end__isnull=True) | Q(end__gt=day), start__lte=day)


def fte_by_status(day: datetime.date, *, fillings: QuerySet | None = None) -> dict[str, Decimal]:
    rows = filled_on(day, fillings).values("status").annotate(fte=Sum("fte")).order_by()
    result = {status: ZERO for status in Filling.Status.values}
    result |= {row["status"]: row["fte"] for row in rows}
    return result


def agency_ratio(fte: dict[str, Decimal]) -> Decimal | None:
    """Agency FTE ÷ (agency + permanent FTE), as a percentage to one decimal."""
    worked = fte["agency"] + fte["permanent"]
    if not worked:
        return None
    return (fte["agency"] * 100 / worked).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def vacancy_rate(fte: dict[str, Decimal]) -> Decimal | None:
    """Vacant FTE ÷ all establishment FTE, as a percentage (the DfE's definition)."""
    total = sum(fte.values(), ZERO)
    if not total:
        return None
    return (fte["vacant"] * 100 / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def agency_ratio_by_team(day: datetime.date) -> list[tuple[str, Decimal | None]]:
    rows = filled_on(day).values("post__team__name", "status").annotate(fte=Sum("fte")).order_by()
    teams: dict[str, dict] = {}
    for row in rows:
        teams.setdefault(row["post__team__name"], {s: ZERO for s in Filling.Status.values})
        teams[row["post__team__name"]][row["status"]] = row["fte"]
    return [(name, agency_ratio(fte)) for name, fte in sorted(teams.items())]


def agency_ratio_series(*, first: datetime.date, months: int) -> list[tuple]:
    """(month end, agency FTE, permanent FTE) for each month, for the current council: one
    query over month ends, joining only the council's fillings that overlap the months."""
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
        return cursor.fetchall()


def agency_premium(day: datetime.date) -> Decimal:
    """What agency workers cost a year above the budgeted permanent cost of the same posts."""
    total = ZERO
    for filling in filled_on(day).filter(status="agency").select_related("post"):
        budgeted = filling.post.budgeted_cost * filling.fte / filling.post.fte
        total += filling.annual_cost - budgeted
    return total.quantize(Decimal("0.01"))


def establishment_forecast(period, lines) -> dict[int, Decimal]:
    """Staffing outturn per budget line: actual spend to date plus every post as filled at the
    end of the period, at its annual cost, for the rest of the year (vacant posts cost nothing)."""
    from budgets.metrics import actuals_to_date
    from budgets.models import month_of

    month = month_of(period.year.start_year, period.number)
    period_end = (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    fraction = Decimal((period.year.ends_on - period_end).days) / 365
    costs = (
        filled_on(period_end)
        .filter(post__team__line__in=lines)
        .exclude(status="vacant")
        .values("post__team__line")
        .annotate(total=Sum("annual_cost"))
        .order_by()
    )
    spent = actuals_to_date(lines, period)
    return {
        row["post__team__line"]: (
            spent.get(row["post__team__line"], ZERO) + row["total"] * fraction
        ).quantize(Decimal("0.01"))
        for row in costs
    }


establishment_forecast.label = "Establishment forecast"


def has_fillings() -> bool:
    """Whether the current council has loaded its establishment. One query."""
    return Filling.objects.current().exists()


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
        actual = None
        if record and record.cases is not None and record.case_holding_fte:
            actual = (Decimal(record.cases) / record.case_holding_fte).quantize(Decimal("1"))
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


def benchmarks(la_code: str, neighbours: list[str], day: datetime.date) -> dict:
    """Agency rate, vacancy rate and caseload of the council, its region, England and its
    statistical neighbours' average (suppressed values are left out, never counted as 0), at
    the census the benchmark rule gives for `day` ("rule" says which and why). Two queries."""
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

    def average(field):
        values = [getattr(by_area[c], field) for c in neighbours if c in by_area]
        values = [v for v in values if v is not None]
        return (sum(values, ZERO) / len(values)).quantize(Decimal("0.1")) if values else None

    result = {"year": year, "rule": rule, "rows": []}
    for label, code in [
        ("This council", la_code),
        ("Region", region_code),
        ("England", "E92000001"),
    ]:
        row = by_area.get(code)
        result["rows"].append(
            {
                "area": row.area_name if row and label == "Region" else label,
                "agency_rate": row.agency_rate if row else None,
                "vacancy_rate": row.vacancy_rate if row else None,
                "caseload": row.caseload if row else None,
            }
        )
    result["rows"].append(
        {
            "area": "Statistical neighbours (average)",
            "agency_rate": average("agency_rate"),
            "vacancy_rate": average("vacancy_rate"),
            "caseload": average("caseload"),
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


def census_problems(totals: dict, *, tags: dict[str, str] | None = None) -> list[str]:
    """What a census return's totals say that cannot be: a negative count, or more agency FTE
    than the FTE of every worker in the return (agency workers are among its workers). Warned
    on import and on the page, not refused: the council may know why. `tags` names a total by
    the return's own element."""
    tags = tags or {
        "vacancies": "Vacancies",
        "agency_fte": "Agency FTE",
        "agency_headcount": "Agency headcount",
    }
    problems = [
        f"{tags.get(name, name)} is {value}: a count cannot be negative, so it is kept as not "
        "reported."
        for name in ("vacancies", "agency_fte", "agency_headcount")
        if (value := totals.get(name)) is not None and value < 0
    ]
    agency, fte = totals.get("agency_fte"), totals.get("worker_fte")
    if agency is not None and fte is not None and agency > fte:
        problems.append(
            f"{tags.get('agency_fte', 'Agency FTE')} {agency} is more than the FTE of all the "
            f"return's workers ({fte}): check the return."
        )
    return problems
