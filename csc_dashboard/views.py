import sys

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from budgets import charts, metrics, selectors, trends
from budgets.access import role_required, roles_of, visible_services
from budgets.cache import cached
from budgets.figure import chart
from budgets.models import Service
from budgets.page_cache import cached_page
from csc_dashboard.pages import period_or_404, reader_key
from csc_dashboard.routers import replica_reads
from placements.demand_comparison import demand_headline


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """For load balancers and monitoring: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok", "database": "ok"})
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "down"}, status=503)


@role_required()
@never_cache
@require_GET
def signed_in(request):
    """The trivial signed-in view: through the same middleware, session and role check as every
    page, and nothing more. For monitoring a signed-in path end to end, and the yardstick of
    the load test's page throughput (`make load`)."""
    return JsonResponse({"status": "ok", "signed_in": True})


@replica_reads
@role_required()
@cached_page
@require_GET
def overview(request):
    """Each directorate's budget, forecast outturn and variance at the chosen period."""
    period = period_or_404(request)
    figures = {"directorates": [], "headlines": [], "variance_charts": []}
    if period is not None:
        figures = cached(
            ("overview", period.pk, reader_key(request.user)),
            lambda: _overview(period, visible_services(request.user, Service.objects.all())),
            request=request,
        )
    return render(
        request,
        "csc_dashboard/overview.html",
        {
            "period": period,
            "total": metrics.total(figures["directorates"], name="Council total"),
            "years": selectors.years_with_periods(),
            **figures,
        },
    )


def _overview(period, services) -> dict:
    directorates = selectors.directorate_positions(period, services)
    service_positions = [s for d in directorates for s in d.children]
    headlines = trends.overview_headlines(period, services, directorates)
    demand = demand_headline(period, services)
    return {
        "directorates": directorates,
        "headlines": headlines + ([demand] if demand else []),
        "variance_charts": [
            chart(
                "chart-variance-directorate",
                charts.variance_by_directorate(directorates),
                charts.describe_variances(directorates, kind="directorate"),
            ),
            chart(
                "chart-variance-service",
                charts.variance_by_service(directorates),
                charts.describe_variances(service_positions, kind="service"),
            ),
        ],
    }


def permission_denied(request, exception=None):
    """Django's handler403: a page in the site's layout, status 403. An account with no role
    (a superuser included: roles are groups, not flags) is told so, whom to ask, and offered
    sign-out; anyone else is told why the page or action is refused."""
    no_role = request.user.is_authenticated and not roles_of(request.user)
    reason = str(exception) if exception is not None and str(exception) else ""
    return render(
        request,
        "403.html",
        {
            "no_role": no_role,
            "reason": reason,
            # Every page of the menu would refuse an account without a role.
            **({"navigation": []} if no_role else {}),
        },
        status=403,
    )


def server_error(request):
    """Django's handler500. A lost database connection is not a bug in the service: answer 503
    with a page that needs no database, and Django reconnects on a later request by itself
    (CONN_HEALTH_CHECKS). The page is rendered without the request so that no context
    processor touches the database."""
    _, error, _ = sys.exc_info()
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(render_to_string("500.html"), status=500)
