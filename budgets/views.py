from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from budgets import metrics
from budgets.access import role_required, visible_services
from budgets.models import AREA_ORDER, BudgetLine, Service


def _period_or_404(request):
    period = metrics.resolve_period(request.GET.get("year"), request.GET.get("period"))
    if period is None and (request.GET.get("year") or request.GET.get("period")):
        raise Http404("No such financial year and period.")
    return period


@role_required()
@require_GET
def index(request):
    """The services this user may see, with budget, forecast and variance at the period."""
    period = _period_or_404(request)
    services = visible_services(request.user, Service.objects.all())
    directorates = metrics.directorate_positions(period, services) if period else []
    return render(
        request,
        "budgets/index.html",
        {"period": period, "directorates": directorates, "years": metrics.years_with_periods()},
    )


@role_required()
@require_GET
def service_detail(request, directorate: str, service: str):
    """A service's budget by area of spend (the report's section 9 shape) and by line."""
    period = _period_or_404(request)
    services = visible_services(request.user, Service.objects.select_related("directorate"))
    service = get_object_or_404(services, directorate__code=directorate, code=service)
    areas, lines = [], []
    if period is not None:
        areas = metrics.area_positions(period, service)
        lines = sorted(
            metrics.lines_with_position(period, BudgetLine.objects.filter(service=service)),
            key=lambda line: (AREA_ORDER[line.area_of_spend], line.code),
        )
    return render(
        request,
        "budgets/service.html",
        {
            "period": period,
            "service": service,
            "areas": areas,
            "total": metrics.total(areas),
            "lines": lines,
            "years": metrics.years_with_periods(),
        },
    )
