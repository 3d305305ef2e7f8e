"""The scrutiny dashboard's chart pages: forecast movement, overspend by area of spend, and
children looked after.

Thin views: read the filters in the URL (so a view can be bookmarked), call the metrics, hand
figures and tables to a template. The filters are `year`, `period` and `scope`: a directorate
code (`CFS`) or a directorate and service (`CFS/SCF`).
"""

from urllib.parse import urlencode

from django.http import HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from budgets import charts, metrics, selectors, trends
from budgets.access import role_required
from budgets.figure import chart
from csc_dashboard.pages import Scope, period_or_404, scoped_context
from csc_dashboard.routers import replica_reads
from placements import backtest as placement_backtest
from placements import backtest_charts


@replica_reads
@role_required()
@require_GET
def movement(request):
    """The year-end forecast at each period against budget; for a closed year, how far each
    month's forecast was from the final outturn."""
    context = scoped_context(request, "movement", _movement, directorates=True)
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
    context = scoped_context(request, "areas", _areas, directorates=False)
    return render(request, "csc_dashboard/areas.html", context)


def _areas(period, scope: Scope) -> dict:
    service = scope.services.select_related("directorate").get()
    positions = selectors.area_positions(period, service)
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
