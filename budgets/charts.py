"""Budget charts: one builder per chart, each taking metrics output and returning a Plotly
figure, with a one-line summary in words beside each. No queries here.

Money arrives as Decimal pounds and becomes float £m only here, for plotting; bar labels are
written with the committee tables' own formatting, so chart and table agree to the digit.
"""

import textwrap
from decimal import Decimal

import plotly.graph_objects as go

from budgets.chart_style import (
    OVERSPEND,
    PALETTE,
    UNDERSPEND,
    apply_layout,
    series_style,
    to_million_floats,
)
from budgets.formatting import millions, pounds_millions
from budgets.metrics import Position
from budgets.trends import AccuracyPoint, PathPoint


def _sign_styles(amounts: list[Decimal]) -> dict:
    over = [a > 0 for a in amounts]
    return {
        "color": [OVERSPEND["color"] if o else UNDERSPEND["color"] for o in over],
        "pattern": {
            "shape": [OVERSPEND["pattern"] if o else UNDERSPEND["pattern"] for o in over],
            "fgcolor": "#ffffff",
        },
    }


def _variance_bars(names: list[str], amounts: list[Decimal], *, title: str) -> go.Figure:
    # Horizontal bars read best with long service names; the first item is drawn at the top.
    fig = go.Figure(
        go.Bar(
            y=names[::-1],
            x=to_million_floats(amounts[::-1]),
            orientation="h",
            marker=_sign_styles(amounts[::-1]),
            text=[millions(a) for a in amounts[::-1]],
            textposition="outside",
            cliponaxis=False,
            name="Variance £m",
            hovertemplate="%{y}: %{text} £m<extra></extra>",
        )
    )
    fig = apply_layout(
        fig,
        title=title,
        x_title="Forecast variance, £m",
        y_title="",
        height=max(260, 110 + 40 * len(names)),
        right_margin=64,  # room for the label beyond the longest bar
    )
    fig.update_xaxes(zeroline=True, zerolinewidth=2)
    return fig


def variance_by_directorate(directorates: list[Position]) -> go.Figure:
    return _variance_bars(
        [d.name for d in directorates],
        [d.variance for d in directorates],
        title="Forecast variance by directorate, £m",
    )


def variance_by_service(directorates: list[Position]) -> go.Figure:
    services = [s for d in directorates for s in d.children]
    return _variance_bars(
        [s.name for s in services],
        [s.variance for s in services],
        title="Forecast variance by service, £m",
    )


def describe_variances(positions: list[Position], *, kind: str) -> str:
    """`kind` is "directorate" or "service"."""
    if not positions:
        return f"No {kind} has a budget at this period."
    largest = max(positions, key=lambda p: p.variance)
    over = sum(1 for p in positions if p.variance > 0)
    if largest.variance <= 0:
        return f"No {kind} forecasts an overspend (underspends are drawn hatched, to the left)."
    return (
        f"{over} of {len(positions)} {kind}s forecast an overspend; the largest is "
        f"{largest.name}, {pounds_millions(largest.variance)}. Overspends are drawn solid to the "
        "right, underspends hatched to the left."
    )


def forecast_movement(
    path: list[PathPoint], *, name: str, outturn: Decimal | None = None
) -> go.Figure:
    """The year-end forecast as it stood at each period, against the budget (and, for a closed
    year, the final outturn): the story of a forecast that kept moving, month by month."""
    labels = [p.tick for p in path]
    series = [
        ("Forecast outturn at the period", [p.forecast for p in path], 0),
        ("Revised budget", [p.budget for p in path], 4),
    ]
    if outturn is not None:
        series.append(("Final outturn (actual spend)", [outturn] * len(path), 2))
    fig = go.Figure()
    for label, amounts, style_index in series:
        style = series_style(style_index)
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=to_million_floats(amounts),
                name=label,
                mode="lines+markers",
                line={"color": style["color"], "dash": style["dash"], "width": 3},
                marker={"symbol": style["symbol"], "size": 10, "color": style["color"]},
                hovertemplate="%{x}: £%{y:,.1f}m<extra>" + label + "</extra>",
            )
        )
    apply_layout(
        fig,
        title=f"{name}: year-end forecast at each period against budget, £m",
        x_title="Period (month the forecast was made)",
        y_title="£m",
    )
    fig.update_xaxes(tickangle=0)
    fig.update_yaxes(tickformat=",.0f")
    return fig


def describe_movement(path: list[PathPoint], *, name: str, outturn: Decimal | None) -> str:
    if not path:
        return f"No forecasts have been entered for {name} this year."
    first, last = path[0], path[-1]
    text = (
        f"{name}'s forecast variance went from {pounds_millions(first.variance)} at "
        f"{first.label} to {pounds_millions(last.variance)} at {last.label}."
    )
    if outturn is not None:
        text += f" The year ended {pounds_millions(outturn - last.budget)} over budget."
    return text


def forecast_accuracy(points: list[AccuracyPoint], *, name: str) -> go.Figure:
    """Each month's year-end forecast minus the final outturn: how early the overspend was seen."""
    amounts = [p.error for p in points]
    fig = go.Figure(
        go.Bar(
            x=[p.tick for p in points],
            y=to_million_floats(amounts),
            marker={
                "color": PALETTE[3],
                "pattern": {"shape": ["" if a >= 0 else "/" for a in amounts], "fgcolor": "#fff"},
            },
            text=[millions(a) for a in amounts],
            textposition="outside",
            cliponaxis=False,
            name="Forecast minus outturn £m",
            hovertemplate="%{x}: %{text} £m<extra></extra>",
        )
    )
    apply_layout(
        fig,
        title=f"{name}: how far each month's forecast was from the final outturn, £m",
        x_title="Period (month the forecast was made)",
        y_title="Forecast minus final outturn, £m",
    )
    fig.update_xaxes(tickangle=0)
    fig.update_yaxes(zeroline=True, zerolinewidth=2)
    fig.update_layout(showlegend=False)
    return fig


def describe_accuracy(points: list[AccuracyPoint], *, name: str) -> str:
    if not points:
        return f"No forecasts to compare for {name}."
    worst = min(points, key=lambda p: p.error)
    return (
        f"A negative bar is a forecast below what was finally spent. The furthest was "
        f"{worst.label}, {pounds_millions(-worst.error)} below the outturn; "
        f"the last, {points[-1].label}, was {pounds_millions(abs(points[-1].error))} from it."
    )


def areas_waterfall(areas: list[Position], *, name: str) -> go.Figure:
    """The budget-by-area table as a waterfall: each area's overspend (or underspend) adds
    up to the service's total forecast variance."""
    variances = [a.variance for a in areas]
    total = sum(variances, Decimal("0"))
    fig = go.Figure(
        go.Waterfall(
            x=[_wrap(a.name) for a in areas] + ["Total"],
            y=to_million_floats([*variances, total]),
            measure=["relative"] * len(areas) + ["total"],
            text=[millions(v) for v in [*variances, total]],
            textposition="outside",
            cliponaxis=False,
            increasing={"marker": {"color": OVERSPEND["color"]}},
            decreasing={"marker": {"color": UNDERSPEND["color"]}},
            totals={"marker": {"color": PALETTE[3]}},
            connector={"line": {"color": "#505a5f", "dash": "dot"}},
            name="Variance £m",
            hovertemplate="%{x}: %{text} £m<extra></extra>",
        )
    )
    apply_layout(
        fig,
        title=f"{name}: forecast overspend by area of spend, £m",
        x_title="Area of spend",
        y_title="Forecast variance, £m",
    )
    fig.update_xaxes(tickangle=0)
    fig.update_layout(showlegend=False)
    return fig


def _wrap(label: str) -> str:
    """Break a long axis label over lines, so it need not be drawn at an angle."""
    return "<br>".join(textwrap.wrap(label, width=14))


def describe_areas(areas: list[Position], *, name: str) -> str:
    if not areas:
        return f"{name} has no budget lines at this period."
    total = sum((a.variance for a in areas), Decimal("0"))
    largest = max(areas, key=lambda a: a.variance)
    text = f"{name} forecasts a variance of {pounds_millions(total)}."
    if largest.variance > 0:
        text += f" The largest overspend is {largest.name}, {pounds_millions(largest.variance)}."
    under = [a for a in areas if a.variance < 0]
    if under:
        text += " Underspending (bars going down): " + ", ".join(
            f"{a.name}, {pounds_millions(-a.variance)}" for a in under
        )
        text += "."
    return text
