import datetime

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from budgets.access import Role, has_role, role_required
from budgets.cache import cached
from budgets.calendar import month_end
from budgets.figure import chart
from budgets.importing import ImportReport
from budgets.models import Council, ImportRecord
from budgets.numbers import query_date, query_day, safely
from budgets.page_cache import cached_page
from budgets.reference import neighbours_of
from budgets.scenarios import save_from_form
from workforce import charts, metrics, scenarios, selectors, services
from workforce.forms import ScenarioForm, UploadForm
from workforce.importers import csww_import, establishment_import
from workforce.models import CensusReturn, Scenario
from workforce.tables import CaseloadTable, IndicatorTable, TeamRatioTable


def _charts(day: datetime.date) -> dict:
    """The agency ratio at each month end of the twelve months to `day` against the target
    (settings.CSC_AGENCY_TARGET) and England's published rate, and FTE by status."""
    first = day.replace(day=1).replace(year=day.year - 1)
    series = selectors.agency_ratio_series(first=first, months=13)
    months = [row.month_end for row in series]
    ratios = [metrics.agency_ratio({"agency": r.agency, "permanent": r.permanent}) for r in series]
    target = settings.CSC_AGENCY_TARGET
    england, rule = selectors.england_agency_rate(month_end(day))
    fte = selectors.fte_by_status(day)
    return dict(
        fte=fte,
        rows=[
            (r.month_end, ratio, r.agency, r.permanent)
            for r, ratio in zip(series, ratios, strict=True)
        ],
        target=target,
        england=england,
        england_note=rule.note,
        agency_chart=chart(
            "chart-agency",
            charts.agency_trend(months, ratios, target=target, england=england),
            charts.describe_agency(months, ratios, target=target, england=england),
        ),
        fte_chart=chart("chart-fte", charts.fte_by_status(fte), charts.describe_fte(fte)),
    )


@role_required()
@cached_page
@require_GET
def index(request):
    """Staff in post by status, the agency ratio and its trend against the target and England,
    vacancies, the agency premium, caseloads against target and the DfE benchmarks."""
    choice = query_date(request, selectors.latest_month_end)
    day = choice.day
    council = Council.objects.current().first()
    code = council.la_code if council else ""
    context = cached(
        ("workforce-home", day.isoformat()), lambda: _charts(day), request=request, monthly=False
    )
    benchmarks = selectors.benchmarks(code, [a.la_code for a in neighbours_of(code)], day)
    fte = context["fte"]
    context.update(
        {
            "choice": choice,
            "day": day,
            "in_post": metrics.staff_in_post(fte),
            "ratio": metrics.agency_ratio(fte),
            "vacancy_rate": metrics.vacancy_rate(fte),
            "premium": selectors.agency_premium(day),
            "team_table": TeamRatioTable(selectors.agency_ratio_by_team(day)),
            "caseload_table": CaseloadTable(selectors.caseloads(day.replace(day=1))),
            "benchmarks": benchmarks,
            "indicator_table": IndicatorTable(benchmarks),
            "census": [
                (c, metrics.census_problems(vars(c)))
                for c in CensusReturn.objects.current().order_by("-reference_date")[:3]
            ],
            "can_upload": has_role(request.user, Role.FINANCE_OFFICER, Role.ADMINISTRATOR),
        }
    )
    return render(request, "workforce/index.html", context, status=400 if choice.error else 200)


@role_required(Role.FINANCE_OFFICER, Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def upload(request):
    report = None
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "Choose a file to upload.")
        elif not form.is_valid():
            report = ImportReport(file_error=form.errors["file"][0])
        elif form.is_census:
            report = csww_import(upload.read(), file_name=upload.name, user=request.user)
        else:
            report = establishment_import(upload.read(), file_name=upload.name, user=request.user)
    recent = ImportRecord.objects.filter(kind__in=["establishment", "csww"])[:10]
    return render(
        request,
        "workforce/upload.html",
        {"report": report, "recent": recent},
        status=400 if report is not None and not report.ok else 200,
    )


@role_required()
@require_http_methods(["GET", "POST"])
def scenario_list(request):
    day = query_day(request, selectors.latest_month_end)
    errors = []
    if request.method == "POST":
        errors = save_from_form(request, ScenarioForm(request.POST), services.scenario_save)
        if not errors:
            return redirect("workforce:scenarios")
    position = selectors.StaffingPosition(day)
    saved = [
        (s, *safely(lambda s=s: scenarios.scenario_change(s.kind, s.parameters, position)))
        for s in Scenario.objects.current()
    ]
    return render(
        request,
        "workforce/scenarios.html",
        {"day": day, "saved": saved, "errors": errors},
        status=400 if errors else 200,
    )
