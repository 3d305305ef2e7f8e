from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from budgets import metrics, selectors, sign_off_selectors
from budgets import services as budget_services
from budgets.access import Role, has_role, role_required, visible_services
from budgets.forms import PeriodActionForm, PeriodFilterForm, UploadForm
from budgets.importers import actuals_import
from budgets.models import (
    NO_FORECASTS,
    STAGE_LABELS,
    BudgetLine,
    ImportRecord,
    Period,
    Service,
)
from budgets.page_cache import cached_page
from budgets.tables import (
    ChangesTable,
    ForecastHistoryTable,
    MonthEndTable,
    PeriodsTable,
    SavingsTable,
)


def _period_or_404(request):
    form = PeriodFilterForm(request.GET)
    period = form.period_or_none()
    if period is None and form.named:
        raise Http404("No such financial year and period.")
    return period


def _line_and_period(request, code: str):
    """A budget line of a service the user may see (else 404), and the period of the filters."""
    services = visible_services(request.user, Service.objects.all())
    line = get_object_or_404(
        BudgetLine.objects.select_related("service__directorate"), code=code, service__in=services
    )
    return line, _period_or_404(request)


@role_required()
@cached_page
@require_GET
def index(request):
    """The services this user may see, with budget, forecast and variance at the period."""
    period = _period_or_404(request)
    services = visible_services(request.user, Service.objects.all())
    directorates = selectors.directorate_positions(period, services) if period else []
    if period is not None:
        # Where each service's monthly forecast stands, so a director sees what awaits sign-off.
        # A returned forecast awaits the officer's resubmission, not a director.
        stages = sign_off_selectors.service_stages(period, services)
        for directorate in directorates:
            for service in directorate.children:
                service.stage_status = stages.get((directorate.key, service.key), NO_FORECASTS)
                service.stage = STAGE_LABELS[service.stage_status]
    return render(
        request,
        "budgets/index.html",
        {
            "period": period,
            "directorates": directorates,
            "years": selectors.years_with_periods(),
            "is_finance_officer": has_role(request.user, Role.FINANCE_OFFICER),
            "is_administrator": has_role(request.user, Role.ADMINISTRATOR),
            "sees_month_end": has_role(request.user, Role.ADMINISTRATOR, Role.DIRECTOR),
        },
    )


@role_required(Role.ADMINISTRATOR, Role.DIRECTOR)
@require_GET
def month_end(request):
    """Where every service's forecast stands for the period: who has forecast how many lines,
    who submitted, who returned it and why, who signed it off, and when."""
    period = _period_or_404(request)
    rows = []
    if period is not None:
        rows = sign_off_selectors.month_end(
            period, visible_services(request.user, Service.objects.all())
        )
    return render(
        request,
        "budgets/month_end.html",
        {
            "period": period,
            "rows": rows,
            "table": MonthEndTable(rows, period=period),
            "years": selectors.years_with_periods(),
        },
    )


@role_required()
@cached_page
@require_GET
def service_detail(request, directorate: str, service: str):
    """A service's budget by area of spend (as a committee report shows it) and by line."""
    period = _period_or_404(request)
    services = visible_services(request.user, Service.objects.select_related("directorate"))
    service = get_object_or_404(services, directorate__code=directorate, code=service)
    areas, groups, line_total = [], [], None
    if period is not None:
        areas = selectors.area_positions(period, service)
        # Each line with its budget to date (monthly profile) beside actuals to date.
        groups, line_total = selectors.forecast_grid(service, period)
    return render(
        request,
        "budgets/service.html",
        {
            "period": period,
            "service": service,
            "areas": areas,
            "total": metrics.total(areas),
            "groups": groups,
            "line_total": line_total,
            "years": selectors.years_with_periods(),
        },
    )


@role_required()
@require_GET
def line_history(request, code: str):
    """Who changed a line's forecast, when, from what to what, and why, over a year."""
    line, period = _line_and_period(request, code)
    forecasts, entries = selectors.line_history(line, period)
    return render(
        request,
        "budgets/line_history.html",
        {
            "line": line,
            "period": period,
            "forecasts": forecasts,
            "entries": entries,
            "history": ForecastHistoryTable(forecasts),
            "changes": ChangesTable(entries),
            "years": selectors.years_with_periods(),
        },
    )


@role_required()
@require_GET
def line_actuals(request, code: str):
    """A cost centre's actuals by ledger account and period, P1 to the chosen period."""
    line, period = _line_and_period(request, code)
    return render(
        request,
        "budgets/line_actuals.html",
        {
            "line": line,
            "period": period,
            "table": selectors.actuals_by_account(line, period) if period else None,
            "years": selectors.years_with_periods(),
        },
    )


@role_required()
@require_GET
def savings(request, directorate: str, service: str):
    """Each saving's target, forecast delivery, shortfall and RAG for the year."""
    services = visible_services(request.user, Service.objects.select_related("directorate"))
    service = get_object_or_404(services, directorate__code=directorate, code=service)
    period = _period_or_404(request)
    rows = selectors.savings_of(service, period)
    return render(
        request,
        "budgets/savings.html",
        {
            "service": service,
            "period": period,
            "savings": rows,
            "totals": (totals := metrics.savings_totals(rows)),
            "table": SavingsTable(rows, totals=totals),
            "years": selectors.years_with_periods(),
        },
    )


@role_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def periods(request):
    """Close a month, or reopen it with a reason (both audited)."""
    if request.method == "POST":
        form = PeriodActionForm(request.POST)
        if not form.is_valid():  # no such period, or a reason too long: never a server error
            if "period_id" in form.errors:
                raise Http404("No such period.")
            messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
            return redirect("budgets:periods")
        period = get_object_or_404(Period, pk=form.cleaned_data["period_id"])
        try:
            if form.cleaned_data["action"] == "close":
                budget_services.period_close(user=request.user, period=period)
                messages.success(request, f"{period} closed.")
            else:
                budget_services.period_reopen(
                    user=request.user, period=period, reason=form.cleaned_data["reason"]
                )
                messages.success(request, f"{period} reopened.")
        except ValueError as exc:
            messages.error(request, str(exc))
        return redirect("budgets:periods")
    periods = Period.objects.select_related("year").order_by("-year__start_year", "number")
    return render(
        request,
        "budgets/periods.html",
        {"periods": periods, "table": PeriodsTable(periods, request=request)},
    )


@role_required(Role.FINANCE_OFFICER, Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def upload_actuals(request):
    """A finance officer loads a ledger extract for their services; an administrator loads the
    whole council's extract."""
    report, year = None, ""
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        year = form.data.get("year", "").strip()[:20]
        if not form.is_valid():
            messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
        else:
            # Streamed from Django's upload; the importer refuses (and logs) an oversize file
            # and a year it cannot read.
            upload, year = form.cleaned_data["file"], form.cleaned_data["year"]
            report = actuals_import(upload, file_name=upload.name, user=request.user, year=year)
    recent = ImportRecord.objects.filter(kind="actuals").select_related("user")[:10]
    return render(
        request,
        "budgets/upload_actuals.html",
        {
            "report": report,
            "recent": recent,
            "limit": settings.CSC_MAX_UPLOAD_BYTES,
            "year": year,
            "is_administrator": has_role(request.user, Role.ADMINISTRATOR),
        },
        status=400 if report is not None and not report.ok else 200,
    )
