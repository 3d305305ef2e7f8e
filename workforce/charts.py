"""Workforce charts: one builder per chart, from workforce.metrics output; no queries here."""

import datetime
from decimal import Decimal

import plotly.graph_objects as go

from budgets.chart_style import apply_layout, series_style


def agency_trend(
    months: list[datetime.date],
    ratios: list[Decimal | None],
    *,
    target: Decimal,
    england: Decimal | None,
) -> go.Figure:
    """The agency ratio at each month end against a target line and England's published rate."""
    labels = [f"{m:%b %Y}" for m in months]
    fig = go.Figure()
    style = series_style(0)
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=[float(r) if r is not None else None for r in ratios],
            name="Agency workers, % of staff in post",
            mode="lines+markers",
            line={"color": style["color"], "dash": style["dash"], "width": 3},
            marker={"symbol": style["symbol"], "size": 8},
            hovertemplate="%{x}: %{y:.1f}%<extra></extra>",
        )
    )
    for index, (name, value) in enumerate(
        [(f"Target ({target}%)", target), (f"England ({england}%)", england)], start=1
    ):
        if value is None:
            continue
        style = series_style(index)
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=[float(value)] * len(labels),
                name=name,
                mode="lines",
                line={"color": style["color"], "dash": "dash" if index == 1 else "dot", "width": 2},
                hovertemplate=f"{name}<extra></extra>",
            )
        )
    apply_layout(
        fig,
        title="Agency workers as a percentage of social care staff in post",
        x_title="Month end",
        y_title="Agency ratio (%)",
    )
    fig.update_yaxes(rangemode="tozero")
    return fig


def describe_agency(months, ratios, *, target: Decimal, england: Decimal | None) -> str:
    known = [(m, r) for m, r in zip(months, ratios, strict=True) if r is not None]
    if not known:
        return "No staffing records for these months."
    (first, start), (last, end) = known[0], known[-1]
    text = (
        f"Agency workers were {end}% of staff in post at the end of {last:%B %Y}, "
        f"{'up' if end >= start else 'down'} from {start}% in {first:%B %Y}; "
        f"the target is {target}%"
    )
    if england is not None:
        text += f" and England's published rate is {england}%"
    return text + "."


STATUSES = (("permanent", "Permanent"), ("agency", "Agency"), ("vacant", "Vacant"))


def fte_by_status(fte: dict) -> go.Figure:
    """Full-time equivalent posts by how they are filled: permanent, agency, vacant."""
    fig = go.Figure()
    for index, (key, label) in enumerate(STATUSES):
        style = series_style(index)
        fig.add_trace(
            go.Bar(
                x=[label],
                y=[float(fte.get(key) or 0)],
                name=label,
                marker={
                    "color": style["color"],
                    "pattern": {"shape": style["pattern"], "fgcolor": "#ffffff"},
                },
                hovertemplate="%{x}: %{y:,.1f} FTE<extra></extra>",
            )
        )
    apply_layout(fig, title="Posts by how they are filled (FTE)", x_title="Status", y_title="FTE")
    return fig


def describe_fte(fte: dict) -> str:
    total = sum((Decimal(fte.get(key) or 0) for key, _ in STATUSES), Decimal("0"))
    if not total:
        return "No posts recorded on this date."
    parts = [
        f"{Decimal(fte.get(key) or 0).normalize():f} {label.lower()}" for key, label in STATUSES
    ]
    return f"Of {total.normalize():f} FTE posts: " + ", ".join(parts) + "."
