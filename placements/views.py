import datetime
import json

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from budgets.access import Role, has_role, role_required
from budgets.benchmark_metrics import finance_benchmarks
from budgets.cache import cached
from budgets.figure import chart
from budgets.importing import ImportReport
from budgets.models import Council, ImportRecord
from budgets.numbers import UNUSABLE, query_date, query_day, safely
from budgets.page_cache import cached_page
from budgets.reference import neighbours_of
from budgets.scenarios import save_from_form
from placements import charts as placement_charts
from placements import demand_inputs, demand_scenarios, metrics, scenarios, selectors, services
from placements.categories import CostCategory
from placements.forms import DEMAND_FORM_ROWS, EpisodesUploadForm, ScenarioForm
from placements.importers import episodes_import
from placements.models import Scenario
from placements.tables import AugustTable, LacRateTable

# How many years of month ends the trend shows, to the page's date.
TREND_YEARS = 5


def _council_code() -> str:
    council = Council.objects.current().first()
    return council.la_code if council else ""


def _neighbours(code: str) -> list[str]:
    return [a.la_code for a in neighbours_of(code)]


def _charts(day: datetime.date, code: str) -> dict:
    """The page's three charts, each with its summary and the rows of its table."""
    first, months_count = metrics.trend_months(day, TREND_YEARS)
    series = selectors.monthly_lac_series(first=first, months=months_count)
    months, counts = placement_charts.lac_by_month(series)
    labels = dict(CostCategory.choices)
    rule = selectors.lac_rate_year(code, day)
    rates = selectors.rate_series(code, _neighbours(code), up_to=rule.wanted)
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
        cost_chart=chart(
            "chart-unit-costs",
            placement_charts.unit_cost_comparison(costs),
            placement_charts.describe_unit_costs(costs),
        ),
        columns=[labels.get(c, c) for c in counts],
        trend_rows=metrics.trend_rows(months, counts),
        lac_chart=chart(
            "chart-lac",
            placement_charts.lac_trend(months, counts),
            placement_charts.describe_lac(months, counts),
        ),
    )


@role_required()
@cached_page
@require_GET
def index(request):
    """Children looked after now and over time (five years by month and placement category),
    placement mix, unit costs against comparators, annual costs and the rate per 10,000."""
    choice = query_date(request, selectors.latest_day)
    day = choice.day
    code = _council_code()
    # Placements and reference data only: a forecast saved or a ledger loaded leaves them kept.
    figures = cached(
        ("placements-home", code, day.isoformat()),
        lambda: _figures(day, code),
        request=request,
        monthly=False,
    )
    context = {
        "choice": choice,
        "day": day,
        **figures,
        "august_table": AugustTable(figures["august"], day),
        "lac_rate_table": LacRateTable(figures["comparators"]),
        "can_upload": has_role(request.user, Role.FINANCE_OFFICER, Role.ADMINISTRATOR),
    }
    return render(request, "placements/index.html", context, status=400 if choice.error else 200)


def _figures(day: datetime.date, code: str) -> dict:
    costs = selectors.placement_costs(day)
    headline = selectors.lac_headline(day, code)
    return dict(
        lac=headline.children,
        population=headline.population,
        rate=headline.rate,
        costs=costs,
        annual_total=metrics.annual_total(costs),
        august=selectors.lac_at_end_of_august(day),
        dates=selectors.suggested_dates(),
        comparators=selectors.lac_rate_benchmark(code, _neighbours(code), day),
        **_charts(day, code),
    )


@role_required(Role.FINANCE_OFFICER, Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def upload(request):
    """SSDA903 episodes: one file or several (yearly returns), with optional header and UASC
    files; the report lists skipped councils and warns when the numbers look implausible."""
    report = None
    if request.method == "POST":
        form = EpisodesUploadForm(request.POST, request.FILES)
        if form.is_valid():
            named = form.files_read()
            report = episodes_import(
                named["episodes"],
                header=named["header"] or None,
                uasc=named["uasc"] or None,
                user=request.user,
            )
        elif form.has_error("__all__", "missing"):
            messages.error(request, form.non_field_errors()[0])
        else:
            report = ImportReport(file_error=form.non_field_errors()[0])
    return render(
        request,
        "placements/upload.html",
        {"report": report, "recent": ImportRecord.objects.filter(kind="placements")[:10]},
        status=400 if report is not None and not report.ok else 200,
    )


@role_required()
@require_http_methods(["GET", "POST"])
def scenario_list(request):
    """Saved what-if scenarios; finance officers and directors create them (the service
    placements.services.scenario_save checks). Demand scenarios are shown against the demand
    model's base projection, in children and in money."""
    day = query_day(request, selectors.latest_day)
    code = _council_code()
    errors = []
    if request.method == "POST":
        errors = save_from_form(request, ScenarioForm(request.POST), services.scenario_save)
        if not errors:
            return redirect("placements:scenarios")
    stored = list(Scenario.objects.current())
    demand_rows = _demand_outcomes(request, [s for s in stored if s.kind == Scenario.Kind.DEMAND])
    position = selectors.PlacementPosition(day, code, _neighbours(code))
    saved = [
        _demand_change(*demand_rows[s.pk])
        if s.kind == Scenario.Kind.DEMAND
        else (
            s,
            *safely(lambda s=s: scenarios.scenario_change(s.kind, s.parameters, position)),
        )
        for s in stored
    ]
    return render(
        request,
        "placements/scenarios.html",
        {
            "day": day,
            "saved": saved,
            "demand_rows": [demand_rows[s.pk] for s in stored if s.pk in demand_rows],
            "errors": errors,
            "categories": CostCategory.choices,
            "change_rows": range(1, DEMAND_FORM_ROWS + 1),
            "selectors": demand_scenarios.selectors(demand_inputs.COST),
        },
        status=400 if errors else 200,
    )


def _demand_change(scenario, outcome, problem, _described) -> tuple:
    """A demand scenario's row of the saved-scenarios table: its change in the cost of the
    twelve months projected."""
    return (scenario, outcome.change_in_cost if outcome else None, problem)


def _demand_outcomes(request, stored: list[Scenario]) -> dict[int, tuple]:
    """{scenario id: (scenario, outcome or None, problem or None, description)}: each demand
    scenario's projection against the base, cached per data version and parameters."""
    if not stored:
        return {}
    arrays = cached(
        ("demand episodes",), demand_inputs.episode_arrays, request=request, monthly=False
    )
    latest = arrays.latest_day
    result = {}
    for s in stored:
        try:
            parsed = demand_scenarios.parse_parameters(s.parameters)
        except ValueError:
            result[s.pk] = (s, None, UNUSABLE, "")
            continue
        if latest is None:
            result[s.pk] = (s, None, "No placement episodes have been loaded.", parsed.describe())
            continue
        key = ("demand scenario", json.dumps(parsed.as_json(), sort_keys=True))
        outcome, problem = safely(
            lambda parsed=parsed, key=key: cached(
                key,
                lambda: demand_scenarios.outcome(parsed, arrays=arrays, latest=latest),
                request=request,
                monthly=False,
            )
        )
        result[s.pk] = (s, outcome, problem, parsed.describe())
    return result
