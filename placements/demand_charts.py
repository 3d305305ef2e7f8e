"""Demand model charts: one builder and one summary in words per chart, from a
placements.demand.DemandResult; no queries here."""

import plotly.graph_objects as go

from budgets.chart_style import PALETTE, apply_layout, series_style, to_million_floats
from budgets.formatting import pounds


def children(result) -> go.Figure:
    """Children looked after at each month end: the history by group (solid), the projection
    by group (dashed) and the projected total with its ±2σ band."""
    fig = go.Figure()
    past = [f"{h.date:%Y-%m-%d}" for h in result.history]
    ahead = [f"{m.date:%Y-%m-%d}" for m in result.months]
    fig.add_trace(
        go.Scatter(
            x=ahead + ahead[::-1],
            y=[m.upper for m in result.months] + [m.lower for m in result.months][::-1],
            fill="toself",
            fillcolor="rgba(80, 90, 95, 0.18)",
            line={"width": 0},
            name="Projected total, ±2 standard deviations",
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=ahead,
            y=[m.total for m in result.months],
            name="Projected total",
            mode="lines+markers",
            line={"color": PALETTE[4], "dash": "dash", "width": 3},
            marker={"symbol": "x", "size": 8},
            hovertemplate="%{x}: %{y:.0f} children<extra>Projected total</extra>",
        )
    )
    shown = [g for g in result.groups if _seen(result, g)]
    for i, group in enumerate(shown):
        style = series_style(i)
        label = result.labels[group]
        fig.add_trace(
            go.Scatter(
                x=past,
                y=[h.by_group[group] for h in result.history],
                name=label,
                legendgroup=group,
                mode="lines",
                line={"color": style["color"], "width": 2},
                hovertemplate="%{x}: %{y} children<extra>" + label + "</extra>",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=ahead,
                y=[m.by_group[group] for m in result.months],
                name=f"{label} (projected)",
                legendgroup=group,
                showlegend=False,
                mode="lines+markers",
                line={"color": style["color"], "dash": "dot", "width": 2},
                marker={"symbol": style["symbol"], "size": 7},
                hovertemplate="%{x}: %{y:.1f} children<extra>" + label + " (projected)</extra>",
            )
        )
    apply_layout(
        fig,
        title="Children looked after at each month end: history and projection",
        x_title="Month end",
        y_title="Children",
        height=520,
    )
    fig.update_layout(
        legend={"orientation": "v", "x": 1.02, "y": 1, "yanchor": "top"}, margin={"t": 64}
    )
    return fig


def _seen(result, group: str) -> bool:
    return any(h.by_group[group] for h in result.history) or any(
        m.by_group[group] >= 0.05 for m in result.months
    )


def describe_children(result) -> str:
    if not result.months:
        return "No months to project."
    last = result.months[-1]
    text = (
        f"{result.stock_total} children were looked after on {result.options.start:%d %B %Y}. "
        f"The model projects {last.total:.0f} at the end of {last.date:%B %Y} "
        f"(between {last.lower:.0f} and {last.upper:.0f}, ±2 standard deviations)"
    )
    if result.base_months:
        text += f", against {result.base_months[-1].total:.0f} without the what-if"
    return text + "."


def starts(result) -> go.Figure:
    """Children starting a period of care in each month of the history."""
    fig = go.Figure(
        go.Bar(
            x=[f"{h.date:%b %Y}" for h in result.history],
            y=[h.starts for h in result.history],
            name="Children starting care",
            marker={"color": PALETTE[0]},
            hovertemplate="%{x}: %{y} children started care<extra></extra>",
        )
    )
    apply_layout(
        fig,
        title="Children starting a period of care, by month",
        x_title="Month",
        y_title="Children",
    )
    return fig


def describe_starts(result) -> str:
    if not result.history:
        return "No months of history in the reference period."
    total = sum(h.starts for h in result.history)
    busiest = max(result.history, key=lambda h: h.starts)
    return (
        f"{total} children started a period of care over the {len(result.history)} months shown, "
        f"{total / len(result.history):.1f} a month on average; the most in one month was "
        f"{busiest.starts}, in {busiest.date:%B %Y}."
    )


def quarterly_cost(result) -> go.Figure:
    """The projected placement cost of each financial quarter (in £m), against the base
    projection when a what-if is applied."""
    quarters = result.quarters
    fig = go.Figure()
    if result.base_months:
        from placements.projection import by_quarter

        base = by_quarter(result.base_months)
        fig.add_trace(
            go.Bar(
                x=[q for q, _ in base],
                y=to_million_floats([c for _, c in base]),
                name="Without the what-if",
                marker={"color": PALETTE[4], "pattern": {"shape": "/", "fgcolor": "#ffffff"}},
                hovertemplate="%{x}: £%{y:.2f}m<extra>Without the what-if</extra>",
            )
        )
    fig.add_trace(
        go.Bar(
            x=[q for q, _ in quarters],
            y=to_million_floats([c for _, c in quarters]),
            name="Projected cost",
            marker={"color": PALETTE[0]},
            hovertemplate="%{x}: £%{y:.2f}m<extra>Projected cost</extra>",
        )
    )
    apply_layout(
        fig,
        title="Projected placement cost by financial quarter",
        x_title="Financial quarter",
        y_title="£ million",
    )
    fig.update_layout(barmode="group")
    return fig


def describe_quarterly_cost(result) -> str:
    quarters = result.quarters
    if not quarters:
        return "No quarters projected."
    text = (
        f"The projection costs {pounds(result.total_cost)} over {len(result.months)} months, "
        f"from {pounds(quarters[0][1])} in {quarters[0][0]}"
    )
    if len(quarters) > 1:
        text += f" to {pounds(quarters[-1][1])} in {quarters[-1][0]}"
    if result.costs.fallback:
        text += " (some groups use the council's average unit cost: see the note)"
    return text + "."
