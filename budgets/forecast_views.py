"""The finance officer's monthly job: forecast every line, explain movements, submit; and the
director's: sign off or return. Views are thin: parse the form, call budgets.services."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.module_loading import import_string
from django.views.decorators.http import require_http_methods, require_POST

from budgets import metrics, selectors, services, sign_off_selectors
from budgets.access import (
    Role,
    can_edit_service,
    can_sign_off_service,
    role_required,
    visible_services,
)
from budgets.formatting import sign_off_summary
from budgets.forms import ForecastGridForm, PeriodFilterForm, ReturnReasonForm
from budgets.models import Service, SignOff, stage_label
from budgets.page_cache import cached_page


def comparisons() -> list:
    """Figures other apps offer beside the officer's forecast (e.g. placements' commitment
    forecast), named in settings so that budgets never imports those apps."""
    return [import_string(path) for path in settings.CSC_FORECAST_COMPARISONS]


def _service_and_period(request, directorate, service):
    services_seen = visible_services(request.user, Service.objects.select_related("directorate"))
    service = get_object_or_404(services_seen, directorate__code=directorate, code=service)
    period = PeriodFilterForm(
        {
            "year": request.GET.get("year") or request.POST.get("year"),
            "period": request.GET.get("period") or request.POST.get("period"),
        }
    ).period_or_none()
    if period is None:
        raise Http404("No such financial year and period.")
    return service, period


def _page_url(service, period) -> str:
    url = reverse("budgets:forecast", args=[service.directorate.code, service.code])
    return f"{url}?year={period.year.label}&period={period.number}"


@role_required()
@cached_page
@require_http_methods(["GET", "POST"])
def forecast_entry(request, directorate: str, service: str):
    service, period = _service_and_period(request, directorate, service)
    checks = comparisons()
    groups, total = selectors.forecast_grid(service, period, checks)
    sign_off = sign_off_selectors.sign_off_at(service, period)
    returned = sign_off is not None and sign_off.status == SignOff.Status.RETURNED
    editable = (
        can_edit_service(request.user, service)
        and not period.is_closed
        and (sign_off is None or returned)
    )
    errors, posted = [], {}
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("This forecast cannot be changed.")
        rows = [row for _, group in groups for row in group]
        form = ForecastGridForm(request.POST, rows)
        form.is_valid()
        changes, errors, posted = form.changes, form.error_list(), form.posted
        for row in rows:  # on error, show what the officer typed, not the saved figures
            row.entered = posted.get(row.line.pk)
        if not errors and changes:
            try:
                services.forecasts_save(user=request.user, period=period, changes=changes)
            except (
                services.Conflict,
                services.CommentaryRequired,
                services.ForecastLocked,
                services.PeriodClosed,
            ) as exc:
                errors.append(("", str(exc)))
            else:
                messages.success(request, f"Saved {len(changes)} forecasts.")
                return redirect(_page_url(service, period))
        elif not errors:
            messages.info(request, "Nothing had changed, so nothing was saved.")
            return redirect(_page_url(service, period))
    shortfall = metrics.savings_totals(selectors.savings_of(service, period)).shortfall
    return render(
        request,
        "budgets/forecast.html",
        {
            "service": service,
            "period": period,
            "groups": groups,
            "total": total,
            "comparison_labels": [c.label for c in checks],
            "editable": editable,
            "errors": errors,
            "sign_off": sign_off,
            "returned": returned,
            "stage": stage_label(sign_off.status if sign_off else None),
            "status_line": sign_off_summary(sign_off),
            "savings_shortfall": shortfall,
            "can_sign_off": can_sign_off_service(request.user, service),
            "years": selectors.years_with_periods(),
            "threshold": settings.CSC_COMMENTARY_THRESHOLD,
            "rag_thresholds": metrics.rag_thresholds(),
        },
        status=400 if errors else 200,
    )


@role_required(Role.FINANCE_OFFICER)
@require_POST
def copy_forward(request, directorate: str, service: str):
    service, period = _service_and_period(request, directorate, service)
    try:
        copied = services.forecasts_copy_forward(user=request.user, service=service, period=period)
    except (services.ForecastLocked, services.PeriodClosed) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Copied {copied} forecasts from last period.")
    return redirect(_page_url(service, period))


@role_required(Role.FINANCE_OFFICER, Role.DIRECTOR)
@require_POST
def sign_off_action(request, directorate: str, service: str, action: str):
    service, period = _service_and_period(request, directorate, service)
    try:
        if action == "submit":
            services.forecast_submit(user=request.user, service=service, period=period)
            messages.success(request, "Submitted for a director's sign-off.")
        elif action == "sign-off":
            services.forecast_sign_off(user=request.user, service=service, period=period)
            messages.success(request, "Signed off.")
        elif action == "return":
            services.forecast_return(
                user=request.user,
                service=service,
                period=period,
                reason=_return_reason(request),
            )
            messages.success(request, "Returned to the finance officer.")
        else:
            raise Http404("No such action.")
    except (services.ForecastLocked, services.PeriodClosed, ValueError) as exc:
        messages.error(request, str(exc))
    return redirect(_page_url(service, period))


def _return_reason(request) -> str:
    form = ReturnReasonForm(request.POST)
    if not form.is_valid():
        raise ValueError("Give a shorter reason for returning the forecast.")
    return form.cleaned_data["reason"]
