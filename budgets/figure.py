"""What templates/_chart.html needs to draw one figure: the one hand-off from a chart builder
to a page. Every app's pages use it (placements and workforce may import only budgets, so it
lives here, beside budgets.chart_style which serialises the figure)."""

from budgets.chart_style import figure_data


def chart(chart_id: str, fig, summary: str) -> dict:
    """The figure's id, data block id, title, summary in words and serialised data."""
    return {
        "id": chart_id,
        "data_id": f"{chart_id}-data",
        "title": fig.layout.title.text,
        "summary": summary,
        "figure": figure_data(fig),
    }
