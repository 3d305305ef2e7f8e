"""The scrutiny dashboard's chart pages: forecast movement, overspend by area of spend, and
children looked after.

Thin views: read the filters in the URL (so a view can be bookmarked), call the metrics, hand
figures and tables to a template. The filters are `year`, `period` and `scope`: a directorate
code (`CFS`) or a directorate and service (`CFS/SCF`).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from budgets import charts, metrics, trends
from budgets.access import Role, has_role, role_required, visible_services
from budgets.benchmark_metrics import finance_benchmarks
from budgets.cache import cached
from budgets.chart_style import figure_data
from budgets.models import Council, Service, month_of
from budgets.reference import neighbours_of
from csc_dashboard.routers import replica_reads
from placements import backtest as placement_backtest
from placements import backtest_charts
from placements import charts as placement_charts
from placements import metrics as placement_metrics
from placements.categories import CostCategory
from workforce import charts as workforce_charts
from workforce import metrics as workforce_metrics


@dataclass
class Scope:
    value: str
    label: str
    name: str
    services: QuerySet


def reader_key(user) -> str:
    """Whose figures these are, for the cache: everyone who reads everything sees the same;
    a finance officer sees their own services only."""
    return "all" if has_role(user, *Role.READ_EVERYTHING) else f"user:{user.pk}"


def chart(chart_id: str, fig, summary: str) -> dict:
    """What templates/_chart.html needs to draw one figure."""
    return {
        "id": chart_id,
        "data_id": f"{chart_id}-data",
        "title": fig.layout.title.text,
        "summary": summary,
        "figure": figure_data(fig),
    }


def period_or_404(request):
    period = metrics.resolve_period(request.GET.get("year"), request.GET.get("period"))
    if period is None and (request.GET.get("year") or request.GET.get("period")):
        raise Http404("No such financial year and period.")
    return period


def scopes(user, *, directorates: bool) -> list[Scope]:
    """The directorates (for readers of everything: a finance officer sees only part of one)
    and services this user may choose. One query."""
    services = list(
        visible_services(user, Service.objects.select_related("directorate")).order_by(
            "directorate__code", "code"
        )
    )
    result = []
    seen = set()
    for service in services:
        directorate = service.directorate
        if directorates and has_role(user, *Role.READ_EVERYTHING) and directorate.pk not in seen:
            seen.add(directorate.pk)
            result.append(
                Scope(
                    directorate.code,
                    f"{directorate.name} (directorate)",
                    directorate.name,
                    Service.objects.filter(directorate=directorate),
                )
            )
        result.append(
            Scope(
                f"{directorate.code}/{service.code}",
                f"{service.name} ({directorate.code})",
                service.name,
                Service.objects.filter(pk=service.pk),
            )
        )
    return result


def chosen_scope(request, period, options: list[Scope]) -> Scope | None:
    """The scope named in the URL; by default the service with the largest forecast
    overspend at the period, the one scrutiny asks about first."""
    wanted = request.GET.get("scope")
    if wanted:
        for option in options:
            if option.value == wanted:
                return option
        raise Http404("No such directorate or service, or not one you may see.")
    services = [o for o in options if "/" in o.value]
    if not services or period is None:
        return services[0] if services else None

    def build():
        positions = metrics.directorate_positions(
            period, visible_services(request.user, Service.objects.all())
        )
        return {f"{d.key}/{s.key}": s.variance for d in positions for s in d.children}

    variances = cached(
        ("service variances", period.pk, reader_key(request.user)), build, request=request
    )
    return max(services, key=lambda o: variances.get(o.value, 0))


@replica_reads
@role_required()
@require_GET
def movement(request):
    """The year-end forecast at each period against budget; for a closed year, how far each
    month's forecast was from the final outturn."""
    period = period_or_404(request)
    options = scopes(request.user, directorates=True)
    scope = chosen_scope(request, period, options)
    context = {"period": period, "years": metrics.years_with_periods(), "scopes": options}
    if period is not None and scope is not None:
        context.update(scope=scope)
        context.update(
            cached(
                ("movement", period.pk, scope.value),
                lambda: _movement(period, scope),
                request=request,
            )
        )
    return render(request, "csc_dashboard/movement.html", context)


def _movement(period, scope: Scope) -> dict:
    path = trends.forecast_path(period, scope.services)
    outturn = trends.final_outturn(period, scope.services)
    accuracy = trends.forecast_accuracy(path, outturn) if outturn is not None else []
    backtest = placement_backtest.backtest(period, scope.services)
    return dict(
        backtest=backtest,
        backtest_chart=chart(
            "chart-backtest",
            backtest_charts.errors_by_period(backtest, name=scope.name),
            backtest_charts.describe_errors(backtest, name=scope.name),
        )
        if backtest is not None and backtest.points
        else None,
        path=path,
        outturn=outturn,
        accuracy=accuracy,
        movement_chart=chart(
            "chart-movement",
            charts.forecast_movement(path, name=scope.name, outturn=outturn),
            charts.describe_movement(path, name=scope.name, outturn=outturn),
        ),
        accuracy_chart=chart(
            "chart-accuracy",
            charts.forecast_accuracy(accuracy, name=scope.name),
            charts.describe_accuracy(accuracy, name=scope.name),
        )
        if accuracy
        else None,
    )


@replica_reads
@role_required()
@require_GET
def areas(request):
    """A service's forecast overspend by area of spend (the committee's budget-by-area table)."""
    period = period_or_404(request)
    options = scopes(request.user, directorates=False)
    scope = chosen_scope(request, period, options)
    context = {"period": period, "years": metrics.years_with_periods(), "scopes": options}
    if period is not None and scope is not None:
        context.update(scope=scope)
        context.update(
            cached(
                ("areas", period.pk, scope.value), lambda: _areas(period, scope), request=request
            )
        )
    return render(request, "csc_dashboard/areas.html", context)


def _areas(period, scope: Scope) -> dict:
    service = scope.services.select_related("directorate").get()
    positions = metrics.area_positions(period, service)
    return dict(
        service=service,
        areas=positions,
        total=metrics.total(positions),
        areas_chart=chart(
            "chart-areas",
            charts.areas_waterfall(positions, name=scope.name),
            charts.describe_areas(positions, name=scope.name),
        ),
    )


@replica_reads
@role_required()
@require_GET
def lac(request):
    """Children looked after at each month end of the year up to the period, by category."""
    period = period_or_404(request)
    context = {"period": period, "years": metrics.years_with_periods()}
    if period is not None:
        context.update(cached(("lac", period.pk), lambda: _lac(period), request=request))
    return render(request, "csc_dashboard/lac.html", context)


def _lac(period) -> dict:
    series = placement_metrics.monthly_lac_series(first=period.year.starts_on, months=period.number)
    months, counts = placement_charts.lac_by_month(series)
    labels = dict(CostCategory.choices)
    rows = []
    for i, month in enumerate(months):
        cells = [values[i] for values in counts.values()]
        rows.append((month, cells, sum(cells)))
    council = Council.objects.current().first()
    code = council.la_code if council else ""
    day = _period_end(period)
    rule = placement_metrics.lac_rate_year(code, day)
    rates = placement_metrics.rate_series(
        code, [a.la_code for a in neighbours_of(code)], up_to=rule.wanted
    )
    finance = finance_benchmarks(code, day)
    costs = [(c.label, c.council, c.neighbours_average, c.england) for c in finance.unit_costs]
    return dict(
        rates=rates,
        rate_note=rule.note,
        finance=finance,
        rate_chart=chart(
            "chart-lac-rate",
            placement_charts.lac_rate_comparison(rates),
            placement_charts.describe_lac_rates(rates),
        ),
        costs=costs,
        cost_chart=chart(
            "chart-unit-costs",
            placement_charts.unit_cost_comparison(costs),
            placement_charts.describe_unit_costs(costs),
        ),
        columns=[labels.get(c, c) for c in counts],
        rows=rows,
        lac_chart=chart(
            "chart-lac",
            placement_charts.lac_trend(months, counts),
            placement_charts.describe_lac(months, counts),
        ),
    )


def _period_end(period) -> datetime.date:
    start = month_of(period.year.start_year, period.number)
    return (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


@replica_reads
@role_required()
@require_GET
def agency(request):
    """The agency ratio at each month end of the twelve months to the period, against the
    target (settings.CSC_AGENCY_TARGET) and England's published rate."""
    period = period_or_404(request)
    context = {"period": period, "years": metrics.years_with_periods()}
    if period is not None:
        context.update(cached(("agency", period.pk), lambda: _agency(period), request=request))
    return render(request, "csc_dashboard/agency.html", context)


def _agency(period) -> dict:
    end = month_of(period.year.start_year, period.number)
    first = end.replace(year=end.year - 1)
    series = workforce_metrics.agency_ratio_series(first=first, months=13)
    months = [row[0] for row in series]
    ratios = [
        workforce_metrics.agency_ratio({"agency": a, "permanent": p, "vacant": 0})
        for _, a, p in series
    ]
    target = settings.CSC_AGENCY_TARGET
    england, rule = workforce_metrics.england_agency_rate(_period_end(period))
    return dict(
        rows=[(m, r, a, p) for m, r, (_, a, p) in zip(months, ratios, series, strict=True)],
        target=target,
        england=england,
        england_note=rule.note,
        agency_chart=chart(
            "chart-agency",
            workforce_charts.agency_trend(months, ratios, target=target, england=england),
            workforce_charts.describe_agency(months, ratios, target=target, england=england),
        ),
    )
