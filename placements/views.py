import datetime
import json
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from budgets.access import Role, has_role, role_required
from budgets.benchmark_metrics import finance_benchmarks
from budgets.cache import cached
from budgets.importing import ImportReport
from budgets.models import Council, ImportRecord
from budgets.numbers import (
    UNUSABLE,
    parse_decimal,
    parse_name,
    parse_whole,
    query_date,
    query_day,
    safely,
)
from budgets.reference import neighbours_of
from csc_dashboard.dashboard_views import chart
from placements import charts as placement_charts
from placements import demand_inputs, demand_scenarios, metrics, scenarios, services
from placements.categories import CostCategory
from placements.importers import episodes_import
from placements.models import Scenario


def _day(request) -> datetime.date:
    return query_day(request, metrics.latest_day)


# How many years of month ends the trend shows, to the page's date.
TREND_YEARS = 5


def trend_months(day: datetime.date, years: int = TREND_YEARS) -> tuple[datetime.date, int]:
    """(the first month, how many months): the month ends of `years` years up to `day` (its
    own month when `day` is that month's end, else the month before)."""
    next_day = day + datetime.timedelta(days=1)
    last = day.replace(day=1) if next_day.month != day.month else _month_before(day.replace(day=1))
    months = 12 * years
    first = last
    for _ in range(months - 1):
        first = _month_before(first)
    return first, months


def _month_before(first: datetime.date) -> datetime.date:
    return (first - datetime.timedelta(days=1)).replace(day=1)


def _charts(day: datetime.date, code: str) -> dict:
    """The page's three charts, each with its summary and the rows of its table."""
    first, months_count = trend_months(day)
    series = metrics.monthly_lac_series(first=first, months=months_count)
    months, counts = placement_charts.lac_by_month(series)
    labels = dict(CostCategory.choices)
    rows = []
    for i, month in enumerate(months):
        cells = [values[i] for values in counts.values()]
        rows.append((month, cells, sum(cells)))
    rule = metrics.lac_rate_year(code, day)
    rates = metrics.rate_series(code, [a.la_code for a in neighbours_of(code)], up_to=rule.wanted)
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
        trend_rows=rows,
        lac_chart=chart(
            "chart-lac",
            placement_charts.lac_trend(months, counts),
            placement_charts.describe_lac(months, counts),
        ),
    )


@role_required()
@require_GET
def index(request):
    """Children looked after now and over time (five years by month and placement category),
    placement mix, unit costs against comparators, annual costs and the rate per 10,000."""
    choice = query_date(request, metrics.latest_day)
    day = choice.day
    council = Council.objects.current().first()
    code = council.la_code if council else ""
    costs = metrics.placement_costs(day)
    lac = metrics.lac_on(day)
    population = metrics.population_of(code, day.year)
    context = {
        "choice": choice,
        "day": day,
        "lac": lac,
        "population": population,
        "rate": metrics.rate_per_10k(children=lac, population=population) if population else None,
        "costs": costs,
        "annual_total": sum((c.annual_cost for c in costs), Decimal("0")),
        "august": [(d, metrics.lac_on(d)) for d in metrics.end_of_august_dates(day)],
        "dates": metrics.suggested_dates(),
        "comparators": metrics.lac_rate_benchmark(
            code, [a.la_code for a in neighbours_of(code)], day
        ),
        "can_upload": has_role(request.user, Role.FINANCE_OFFICER, Role.ADMINISTRATOR),
    }
    context.update(
        cached(
            ("placements-home", code, day.isoformat()), lambda: _charts(day, code), request=request
        )
    )
    return render(request, "placements/index.html", context, status=400 if choice.error else 200)


@role_required(Role.FINANCE_OFFICER, Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def upload(request):
    """SSDA903 episodes: one file or several (yearly returns), with optional header and UASC
    files; the report lists skipped councils and warns when the numbers look implausible."""
    report = None
    if request.method == "POST":
        files = {key: request.FILES.getlist(key) for key in ("episodes", "header", "uasc")}
        too_large = [
            f.name
            for chosen in files.values()
            for f in chosen
            if f.size > settings.CSC_MAX_UPLOAD_BYTES
        ]
        if not files["episodes"]:
            messages.error(request, "Choose the SSDA903 episodes file.")
        elif too_large:
            report = ImportReport(file_error=f"{too_large[0]} is over the upload limit.")
        else:
            named = {key: [(f.name, f.read()) for f in chosen] for key, chosen in files.items()}
            report = episodes_import(
                named["episodes"],
                header=named["header"] or None,
                uasc=named["uasc"] or None,
                user=request.user,
            )
    return render(
        request,
        "placements/upload.html",
        {"report": report, "recent": ImportRecord.objects.filter(kind="placements")[:10]},
        status=400 if report is not None and not report.ok else 200,
    )


def scenario_result(scenario: Scenario, day: datetime.date, code: str) -> Decimal | None:
    """The change in full-year cost of a saved scenario against the position on `day`."""
    costs = {c.category: c for c in metrics.placement_costs(day)}
    p = scenario.parameters
    if scenario.kind == Scenario.Kind.MOVE:
        source, target = costs[p["from"]], costs[p["to"]]
        count = Decimal(p.get("children") or 0) or scenarios.children_for_percentage(
            count=source.children, percentage=Decimal(p.get("percentage") or 0)
        )
        return scenarios.move_children(
            children=count, from_unit=source.unit_cost or 0, to_unit=target.unit_cost or 0
        )
    if scenario.kind == Scenario.Kind.UNIT_COST:
        row = costs[p["category"]]
        return scenarios.change_unit_cost(
            children=row.children, unit=row.unit_cost or 0, percentage=Decimal(p["percentage"])
        )
    # The comparator's rate and the population it is per 10,000 of, both of the 31 March the
    # benchmark rule gives for `day` (never a later year's rate beside this year's children).
    rates = metrics.lac_rate_benchmark(code, [a.la_code for a in neighbours_of(code)], day)
    target = rates.get(p["comparator"])
    population = metrics.rate_population(code, rates["year"]) if rates["year"] else None
    lac = metrics.lac_on(day)
    if target is None or not population or not lac:
        return None
    return scenarios.match_lac_rate(
        children=lac,
        population=population,
        target_rate=target,
        weekly_cost_per_child=metrics.total_weekly_cost(day) / lac,
    )


@role_required()
@require_http_methods(["GET", "POST"])
def scenario_list(request):
    """Saved what-if scenarios; finance officers and directors create them (the service
    placements.services.scenario_save checks). Demand scenarios are shown against the demand
    model's base projection, in children and in money."""
    day = _day(request)
    council = Council.objects.current().first()
    code = council.la_code if council else ""
    errors = []
    if request.method == "POST":
        if not has_role(request.user, Role.FINANCE_OFFICER, Role.DIRECTOR):
            raise PermissionDenied("Only finance officers and directors save scenarios.")
        errors = _save_scenario(request)
        if not errors:
            return redirect("placements:scenarios")
    stored = list(Scenario.objects.current())
    demand_rows = _demand_outcomes(request, [s for s in stored if s.kind == Scenario.Kind.DEMAND])
    saved = [
        _demand_change(*demand_rows[s.pk])
        if s.kind == Scenario.Kind.DEMAND
        else (s, *safely(lambda s=s: scenario_result(s, day, code)))
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


DEMAND_FORM_ROWS = 3


def _demand_change(scenario, outcome, problem, _described) -> tuple:
    """A demand scenario's row of the saved-scenarios table: its change in the cost of the
    twelve months projected."""
    return (scenario, outcome.change_in_cost if outcome else None, problem)


def _demand_outcomes(request, stored: list[Scenario]) -> dict[int, tuple]:
    """{scenario id: (scenario, outcome or None, problem or None, description)}: each demand
    scenario's projection against the base, cached per data version and parameters."""
    if not stored:
        return {}
    arrays = cached(("demand episodes",), demand_inputs.episode_arrays, request=request)
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
            )
        )
        result[s.pk] = (s, outcome, problem, parsed.describe())
    return result


def _demand_parameters(data) -> dict:
    """The form's rows of rate changes, as a demand scenario's parameters (blank rows left
    out); demand_scenarios.parse_parameters checks them."""
    changes = []
    for n in range(1, DEMAND_FORM_ROWS + 1):
        row = {
            key: (data.get(f"change-{key}-{n}") or "").strip()
            for key in ("from", "to", "factor", "addition")
        }
        if any(row.values()):
            changes.append({k: v for k, v in row.items() if v})
    return {"grouping": demand_inputs.COST, "adjustments": changes}


def _save_scenario(request) -> list[str]:
    data = request.POST
    kind = data.get("kind", "")
    categories = set(CostCategory.values)
    try:
        name = parse_name(data.get("name"), max_length=100, what="a name for the scenario")
        if kind == "move":
            children = parse_whole(
                data.get("children") or "0",
                minimum=0,
                maximum=10_000,
                what="the number of children",
            )
            percentage = parse_decimal(
                data.get("percentage") or "0",
                minimum=0,
                maximum=100,
                what="the percentage of children",
            )
            params = {
                "from": data.get("from", ""),
                "to": data.get("to", ""),
                "children": str(children),
                "percentage": str(percentage),
            }
            if {params["from"], params["to"]} - categories or params["from"] == params["to"]:
                raise ValueError("Choose two different categories.")
        elif kind == "unit_cost":
            category = data.get("category") or data.get("from", "")
            percentage = parse_decimal(
                data.get("percentage"),
                minimum=-100,
                maximum=1000,
                what="the change in unit cost",
            )
            params = {"category": category, "percentage": str(percentage)}
            if params["category"] not in categories:
                raise ValueError("Choose a category.")
        elif kind == "lac_rate":
            params = {"comparator": data.get("comparator")}
            if params["comparator"] not in {"neighbours", "england"}:
                raise ValueError("Choose statistical neighbours or England.")
        elif kind == "demand":
            params = demand_scenarios.parse_parameters(_demand_parameters(data)).as_json()
        else:
            raise ValueError("Choose the kind of scenario.")
        services.scenario_save(user=request.user, name=name, kind=kind, parameters=params)
    except ValueError as exc:
        return [str(exc)]
    messages.success(request, f"Saved scenario {name!r}.")
    return []
