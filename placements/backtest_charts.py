"""The backtest's chart: each method's mean absolute error by the period the forecast was made,
from a placements.backtest.Backtest; no queries here."""

import plotly.graph_objects as go

from budgets.chart_style import apply_layout, series_style
from budgets.formatting import pounds
from placements.backtest import METHOD_LABELS, METHODS


def errors_by_period(backtest, *, name: str) -> go.Figure:
    """Grouped bars: for each period, each method's mean absolute error (£) against the final
    outturn of the closed years."""
    fig = go.Figure()
    ticks = [e.label for e in backtest.by_period]
    for i, method in enumerate(METHODS):
        values = [e.errors[method] for e in backtest.by_period]
        if all(v is None for v in values):
            continue
        style = series_style(i)
        fig.add_trace(
            go.Bar(
                x=ticks,
                y=[None if v is None else float(v) for v in values],
                name=METHOD_LABELS[method],
                marker={"color": style["color"], "pattern": {"shape": style["pattern"]}},
                text=[pounds(v) for v in values],
                hovertemplate="%{x}: %{text}<extra>" + METHOD_LABELS[method] + "</extra>",
            )
        )
    apply_layout(
        fig,
        title=f"{name}: which placement forecast was right? Mean absolute error by period, £",
        x_title="Period (month the forecast was made)",
        y_title="Mean absolute error against the final outturn, £",
    )
    fig.update_layout(barmode="group")
    fig.update_xaxes(tickangle=0)
    return fig


def describe_errors(backtest, *, name: str) -> str:
    if not backtest.points:
        return f"No closed year with placement forecasts and actuals for {name}."
    years = sorted({p.year for p in backtest.points})
    parts = [
        f"{METHOD_LABELS[m]} {pounds(backtest.overall[m])}"
        for m in METHODS
        if backtest.overall.get(m) is not None
    ]
    text = (
        f"Over {len(backtest.points)} forecasts of {', '.join(years)}, the mean absolute error "
        f"against the final outturn was: {'; '.join(parts)}."
    )
    if backtest.best:
        text += f" The nearest on average was the {METHOD_LABELS[backtest.best].lower()}."
    return text
