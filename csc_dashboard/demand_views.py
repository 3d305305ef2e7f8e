"""The demand model page: children looked after projected from the council's own episodes,
beside their history, with the rates and the cost by quarter. Thin: parse the options, run
the model (cached per data version and options), hand figures and tables to the template."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from budgets.access import role_required
from budgets.cache import cached
from budgets.figure import chart
from placements import demand, demand_charts, demand_inputs


@role_required()
@require_GET
def demand_page(request):
    arrays = cached(
        ("demand episodes",), demand_inputs.episode_arrays, request=request, monthly=False
    )
    latest = arrays.latest_day
    context = {"groupings": demand_inputs.GROUPINGS.items(), "fields": demand.FIELDS}
    if latest is None:
        return render(request, "csc_dashboard/demand.html", context)
    options, errors = demand.parse_options(request.GET, latest=latest)
    key = tuple(sorted(options.as_query().items()))
    context.update(
        options=options,
        errors=errors,
        latest=latest,
        **cached(
            ("demand page", key),
            lambda: _figures(options, arrays),
            request=request,
            monthly=False,
        ),
    )
    return render(request, "csc_dashboard/demand.html", context, status=400 if errors else 200)


def _figures(options, arrays) -> dict:
    result = demand.run(options, arrays=arrays)
    return dict(
        result=result,
        tables=demand.page_tables(result),
        entry_rows=demand.entry_rows(result),
        move_rows=demand.move_rows(result),
        children_chart=chart(
            "chart-demand-children",
            demand_charts.children(result),
            demand_charts.describe_children(result),
        ),
        starts_chart=chart(
            "chart-demand-starts",
            demand_charts.starts(result),
            demand_charts.describe_starts(result),
        ),
        cost_chart=chart(
            "chart-demand-cost",
            demand_charts.quarterly_cost(result),
            demand_charts.describe_quarterly_cost(result),
        ),
    )
