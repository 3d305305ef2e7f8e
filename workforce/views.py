import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from budgets.access import Role, has_role, role_required
from budgets.cache import cached
from budgets.importing import ImportReport
from budgets.models import Council, ImportRecord
from budgets.numbers import parse_decimal, parse_name, parse_whole, query_date, query_day, safely
from budgets.reference import neighbours_of
from csc_dashboard.dashboard_views import chart
from workforce import charts, metrics, scenarios
from workforce.importers import csww_import, establishment_import
from workforce.models import CensusReturn, Filling, Scenario


def _latest_month_end() -> datetime.date:
    latest = Filling.objects.current().aggregate(d=Max("start"))["d"] or datetime.date.today()
    latest = min(latest, datetime.date.today())
    return (latest.replace(day=1) + datetime.timedelta(days=32)).replace(day=1) - (
        datetime.timedelta(days=1)
    )


def _day(request) -> datetime.date:
    return query_day(request, _latest_month_end)


def _month_end(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(
        days=1
    )


def _charts(day: datetime.date) -> dict:
    """The agency ratio at each month end of the twelve months to `day` against the target
    (settings.CSC_AGENCY_TARGET) and England's published rate, and FTE by status."""
    first = day.replace(day=1).replace(year=day.year - 1)
    series = metrics.agency_ratio_series(first=first, months=13)
    months = [row[0] for row in series]
    ratios = [
        metrics.agency_ratio({"agency": a, "permanent": p, "vacant": 0}) for _, a, p in series
    ]
    target = settings.CSC_AGENCY_TARGET
    england, rule = metrics.england_agency_rate(_month_end(day))
    fte = metrics.fte_by_status(day)
    return dict(
        fte=fte,
        rows=[(m, r, a, p) for m, r, (_, a, p) in zip(months, ratios, series, strict=True)],
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
@require_GET
def index(request):
    """Staff in post by status, the agency ratio and its trend against the target and England,
    vacancies, the agency premium, caseloads against target and the DfE benchmarks."""
    choice = query_date(request, _latest_month_end)
    day = choice.day
    council = Council.objects.current().first()
    code = council.la_code if council else ""
    context = cached(("workforce-home", day.isoformat()), lambda: _charts(day), request=request)
    fte = context["fte"]
    context.update(
        {
            "choice": choice,
            "day": day,
            "in_post": fte["agency"] + fte["permanent"],
            "ratio": metrics.agency_ratio(fte),
            "vacancy_rate": metrics.vacancy_rate(fte),
            "premium": metrics.agency_premium(day),
            "by_team": metrics.agency_ratio_by_team(day),
            "caseloads": metrics.caseloads(day.replace(day=1)),
            "benchmarks": metrics.benchmarks(code, [a.la_code for a in neighbours_of(code)], day),
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
        upload = request.FILES.get("file")
        kind = request.POST.get("kind")
        if upload is None:
            messages.error(request, "Choose a file to upload.")
        elif upload.size > settings.CSC_MAX_UPLOAD_BYTES:
            report = ImportReport(file_error=f"{upload.name} is over the upload limit.")
        elif kind == "csww":
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


def scenario_result(scenario: Scenario, day: datetime.date):
    fte = metrics.fte_by_status(day)
    agency = list(metrics.filled_on(day).filter(status="agency").select_related("post"))
    p = scenario.parameters
    if scenario.kind == Scenario.Kind.AGENCY_TARGET:
        premiums = [
            (f.annual_cost - f.post.budgeted_cost * f.fte / f.post.fte) / f.fte
            for f in agency
            if f.fte
        ]
        return scenarios.agency_to_target(
            agency_fte=fte["agency"],
            permanent_fte=fte["permanent"],
            target_percent=Decimal(p["target"]),
            premiums_per_fte=premiums,
        )[1]
    if scenario.kind == Scenario.Kind.FILL_VACANCIES:
        vacant = metrics.filled_on(day).filter(status="vacant").select_related("post")
        return scenarios.fill_vacancies(
            count=int(p["count"]), vacant_costs=[f.post.budgeted_cost for f in vacant]
        )
    return scenarios.change_agency_rates(
        agency_cost=sum((f.annual_cost for f in agency), Decimal("0")),
        percent=Decimal(p["percent"]),
    )


@role_required()
@require_http_methods(["GET", "POST"])
def scenario_list(request):
    day = _day(request)
    errors = []
    if request.method == "POST":
        if not has_role(request.user, Role.FINANCE_OFFICER, Role.DIRECTOR):
            raise PermissionDenied("Only finance officers and directors save scenarios.")
        errors = _save(request)
        if not errors:
            return redirect("workforce:scenarios")
    saved = [(s, *safely(lambda s=s: scenario_result(s, day))) for s in Scenario.objects.current()]
    return render(
        request,
        "workforce/scenarios.html",
        {"day": day, "saved": saved, "errors": errors},
        status=400 if errors else 200,
    )


def _save(request) -> list[str]:
    data = request.POST
    kind = data.get("kind", "")
    try:
        name = parse_name(data.get("name"), max_length=100, what="a name for the scenario")
        if Scenario.objects.current().filter(name=name).exists():
            raise ValueError("A scenario with that name exists already.")
        if kind == Scenario.Kind.AGENCY_TARGET:
            target = parse_decimal(
                data.get("target"), minimum=0, maximum=100, what="the target agency ratio"
            )
            params = {"target": str(target)}
        elif kind == Scenario.Kind.FILL_VACANCIES:
            count = parse_whole(
                data.get("count"), minimum=0, maximum=10_000, what="the number of vacancies"
            )
            params = {"count": str(count)}
        elif kind == Scenario.Kind.AGENCY_RATES:
            percent = parse_decimal(
                data.get("percent"),
                minimum=-100,
                maximum=1000,
                what="the change in agency rates",
            )
            params = {"percent": str(percent)}
        else:
            raise ValueError("Choose the kind of scenario.")
    except ValueError as exc:
        return [str(exc)]
    council = Council.objects.current().first()
    if council is None:
        return ["No council is set up yet."]
    Scenario.objects.create(
        council=council, name=name, kind=kind, parameters=params, created_by=request.user
    )
    messages.success(request, f"Saved scenario {name!r}.")
    return []
