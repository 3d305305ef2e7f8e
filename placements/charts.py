"""Placement charts: one builder per chart, from placements.metrics output; no queries here."""

import datetime

import plotly.graph_objects as go

from budgets.chart_style import apply_layout, series_style
from placements.categories import CostCategory


def lac_by_month(series: list[tuple]) -> tuple[list[datetime.date], dict[str, list[int]]]:
    """selectors.monthly_lac_series rows (month end, category, children) → the month ends, and
    each category's count per month (0 where none), in the categories' own order."""
    months = sorted({row[0] for row in series})
    index = {month: i for i, month in enumerate(months)}
    counts: dict[str, list[int]] = {}
    for category in CostCategory.values:
        if any(row[1] == category for row in series):
            counts[category] = [0] * len(months)
    for month, category, children in series:
        counts.setdefault(category, [0] * len(months))[index[month]] = children
    return months, counts


def lac_trend(months: list[datetime.date], counts: dict[str, list[int]]) -> go.Figure:
    """Children looked after at each month end, stacked by placement category."""
    labels = dict(CostCategory.choices)
    fig = go.Figure()
    for i, (category, values) in enumerate(counts.items()):
        style = series_style(i)
        fig.add_trace(
            go.Bar(
                x=[f"{m:%b %Y}" for m in months],
                y=values,
                name=labels.get(category, category),
                marker={
                    "color": style["color"],
                    "pattern": {"shape": style["pattern"], "fgcolor": "#ffffff"},
                },
                hovertemplate="%{x}: %{y} children<extra>%{fullData.name}</extra>",
            )
        )
    apply_layout(
        fig,
        title="Children looked after at each month end, by placement category",
        x_title="Month end",
        y_title="Children",
        height=480,
    )
    # Many categories: the legend goes to the right, in stacking order, clear of the title.
    fig.update_layout(
        barmode="stack",
        legend={"orientation": "v", "x": 1.02, "y": 1, "yanchor": "top", "traceorder": "reversed"},
        margin={"t": 64, "r": 24},
    )
    return fig


def describe_lac(months: list[datetime.date], counts: dict[str, list[int]]) -> str:
    if not months:
        return "No placements have been loaded for these months."
    totals = [sum(values[i] for values in counts.values()) for i in range(len(months))]
    labels = dict(CostCategory.choices)
    largest = max(counts, key=lambda c: counts[c][-1])
    return (
        f"{totals[-1]} children were looked after at the end of {months[-1]:%B %Y} "
        f"({totals[0]} at the end of {months[0]:%B %Y}); the largest group is "
        f"{labels.get(largest, largest).lower()}, {counts[largest][-1]}."
    )


def lac_rate_comparison(series: list[tuple]) -> go.Figure:
    """Children looked after per 10,000 children: the council, its statistical neighbours'
    average and England, by year (DfE, 31 March)."""
    years = [str(row[0]) for row in series]
    fig = go.Figure()
    for index, name in enumerate(
        ["This council", "Statistical neighbours (average)", "England"], start=0
    ):
        style = series_style(index)
        fig.add_trace(
            go.Scatter(
                x=years,
                y=[float(r[index + 1]) if r[index + 1] is not None else None for r in series],
                name=name,
                mode="lines+markers",
                line={"color": style["color"], "dash": style["dash"], "width": 3},
                marker={"symbol": style["symbol"], "size": 9},
                hovertemplate="%{x}: %{y:.0f} per 10,000<extra>" + name + "</extra>",
            )
        )
    apply_layout(
        fig,
        title="Children looked after per 10,000 children, on 31 March",
        x_title="Year",
        y_title="Children per 10,000",
    )
    return fig


def describe_lac_rates(series: list[tuple]) -> str:
    latest = next((row for row in reversed(series) if row[1] is not None), None)
    if latest is None:
        return "No published rates for this council."
    year, council, neighbours, england = latest
    return (
        f"On 31 March {year} the council looked after {council} children per 10,000, "
        f"against {neighbours} for its statistical neighbours and {england} for England."
    )


def unit_cost_comparison(rows: list[tuple]) -> go.Figure:
    """Average weekly cost of a placement by category: the council against comparators.
    rows: (category label, council £, statistical neighbours £, national £)."""
    labels = [row[0] for row in rows]
    fig = go.Figure()
    for index, name in enumerate(["This council", "Statistical neighbours", "National"]):
        style = series_style(index)
        fig.add_trace(
            go.Bar(
                x=labels,
                y=[float(r[index + 1]) if r[index + 1] is not None else None for r in rows],
                name=name,
                marker={
                    "color": style["color"],
                    "pattern": {"shape": style["pattern"], "fgcolor": "#ffffff"},
                },
                hovertemplate="%{x}: £%{y:,.0f} a week<extra>" + name + "</extra>",
            )
        )
    apply_layout(
        fig,
        title="Average weekly cost of a placement, against comparators",
        x_title="Placement category",
        y_title="£ a week",
    )
    fig.update_layout(barmode="group")
    return fig


def describe_unit_costs(rows: list[tuple]) -> str:
    if not rows:
        return "No unit costs to compare."
    parts = [
        f"{label.lower()} £{council:,.0f} a week (neighbours £{sn:,.0f})"
        for label, council, sn, _ in rows
        if council is not None and sn is not None
    ]
    return "Average weekly costs: " + "; ".join(parts) + "." if parts else "No comparators."
