"""The scrutiny dashboard's chart pages: forecast movement, overspend by area of spend, and
children looked after.

Thin views: read the filters in the URL (so a view can be bookmarked), call the metrics, hand
figures and tables to a template. The filters are `year`, `period` and `scope`: a directorate
code (`CFS`) or a directorate and service (`CFS/SCF`).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from budgets import charts, metrics, trends
from budgets.access import Role, has_role, role_required, visible_services
from budgets.cache import cached
from budgets.chart_style import figure_data
from budgets.models import Service
from csc_dashboard.routers import replica_reads
from placements import backtest as placement_backtest
from placements import backtest_charts


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


def _new_home(request, name: str) -> HttpResponseRedirect:
    """The address of a topic's page for the date the old dashboard URL meant: `?year=&period=`
    becomes the period's month end, `?date=` passes through as it is."""
    url = reverse(name)
    if request.GET.get("year") or request.GET.get("period"):
        return HttpResponsePermanentRedirect(f"{url}?date={period_or_404(request).month_ends_on}")
    if request.GET.get("date"):
        return HttpResponsePermanentRedirect(f"{url}?{urlencode({'date': request.GET['date']})}")
    return HttpResponsePermanentRedirect(url)


@role_required()
@require_GET
def lac(request):
    """Children looked after moved to the placements page, which carries the trend."""
    return _new_home(request, "placements:index")


@role_required()
@require_GET
def agency(request):
    """The agency trend moved to the workforce page."""
    return _new_home(request, "workforce:index")
