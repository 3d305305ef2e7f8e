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

from budgets import metrics, selectors, services
from budgets.access import (
    Role,
    can_edit_service,
    can_sign_off_service,
    role_required,
    visible_services,
)
from budgets.formatting import sign_off_summary
from budgets.importing import parse_money
from budgets.models import Service, SignOff


def comparisons() -> list:
    """Figures other apps offer beside the officer's forecast (e.g. placements' commitment
    forecast), named in settings so that budgets never imports those apps."""
    return [import_string(path) for path in settings.CSC_FORECAST_COMPARISONS]


def _service_and_period(request, directorate, service):
    services_seen = visible_services(request.user, Service.objects.select_related("directorate"))
    service = get_object_or_404(services_seen, directorate__code=directorate, code=service)
    period = selectors.resolve_period(
        request.GET.get("year") or request.POST.get("year"),
        request.GET.get("period") or request.POST.get("period"),
    )
    if period is None:
        raise Http404("No such financial year and period.")
    return service, period


def _page_url(service, period) -> str:
    url = reverse("budgets:forecast", args=[service.directorate.code, service.code])
    return f"{url}?year={period.year.label}&period={period.number}"


@role_required()
@require_http_methods(["GET", "POST"])
def forecast_entry(request, directorate: str, service: str):
    service, period = _service_and_period(request, directorate, service)
    checks = comparisons()
    groups, total = selectors.forecast_grid(service, period, checks)
    sign_off = selectors.sign_off_at(service, period)
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
        changes, errors, posted = _read_form(request.POST, rows)
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
            "stage": metrics.stage_label(sign_off.status if sign_off else None),
            "status_line": sign_off_summary(sign_off),
            "savings_shortfall": shortfall,
            "can_sign_off": can_sign_off_service(request.user, service),
            "years": selectors.years_with_periods(),
            "threshold": settings.CSC_COMMENTARY_THRESHOLD,
            "rag_thresholds": metrics.rag_thresholds(),
        },
        status=400 if errors else 200,
    )


def _read_form(data, rows):
    """The lines whose figure or commentary the officer changed, and every problem found."""
    changes, errors, posted = [], [], {}
    for row in rows:
        key = row.line.pk
        raw = data.get(f"outturn-{key}", "").strip()
        commentary = data.get(f"commentary-{key}", "").strip()
        posted[key] = {"outturn": raw, "commentary": commentary}
        if _same_amount(raw, data.get(f"original-{key}", "")) and commentary == data.get(
            f"original-commentary-{key}", ""
        ):
            continue
        try:
            outturn = parse_money(raw)
        except ValueError:
            errors.append(
                (
                    f"outturn-{key}",
                    f"{row.line.code}: enter the forecast in pounds, like 1250000 or 1,250,000.00",
                )
            )
            continue
        version = data.get(f"version-{key}", "")
        change = services.ForecastChange(
            row.line, outturn, commentary, int(version) if version.isdigit() else None
        )
        if services.commentary_needed(outturn=outturn, previous=row.previous) and not commentary:
            errors.append(
                (
                    f"commentary-{key}",
                    f"{row.line.code}: explain why the forecast "
                    f"moved by more than £{settings.CSC_COMMENTARY_THRESHOLD:,.0f}",
                )
            )
            continue
        changes.append(change)
    return changes, errors, posted


def _same_amount(typed: str, original: str) -> bool:
    """Whether the figure in the input is still the one the page showed. The input shows it
    with thousands separators (`1,250,000.00`) and the hidden original without, so the two are
    compared as amounts."""
    if typed == original:
        return True
    try:
        return parse_money(typed) == parse_money(original)
    except ValueError:
        return False


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
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, "Returned to the finance officer.")
        else:
            raise Http404("No such action.")
    except (services.ForecastLocked, services.PeriodClosed, ValueError) as exc:
        messages.error(request, str(exc))
    return redirect(_page_url(service, period))
