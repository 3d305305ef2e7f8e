"""The one place charts get their look: palette, series cues and the common layout.

It sits in `budgets`, the lowest layer (as access.py does), because every app's `charts.py`
uses it and `budgets` may import no app above it. All charts read alike and meet the same
accessibility bar (WCAG 1.4.11: graphics need 3:1 contrast against their background;
WCAG 1.4.1: colour is never the only way to tell series apart, so each series also gets its own
marker symbol, line dash or bar pattern).
"""

import json
from decimal import Decimal

import plotly.graph_objects as go

from budgets.formatting import MILLION

BACKGROUND = "#ffffff"
TEXT = "#0b0c0c"
GRID = "#b1b4b6"
# The site's font stack (static/src/app.scss), so charts match the page around them.
FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif'

# GOV.UK Frontend colours, each at least 3:1 against white (tested): blue, red, green, purple,
# dark grey, brown, magenta. GOV.UK's orange and yellow fall below 3:1 and are left out.
PALETTE = ["#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#505a5f", "#8e5c1a", "#a0266b"]
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "cross", "star"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid"]
PATTERNS = ["", "/", "x", ".", "\\", "+", "-"]

# Over- and underspends: red against blue (told apart by people with red-green colour
# blindness), and underspends hatched as a second cue.
OVERSPEND = {"color": PALETTE[1], "pattern": ""}
UNDERSPEND = {"color": PALETTE[0], "pattern": "/"}


def series_style(index: int) -> dict:
    """Colour, marker symbol, dash and bar pattern of the `index`th series of a chart.

    A chart may have more series than colours (a council's own areas of spend or categories
    come on top of the usual ones): past the palette, the cues shift against the colours, so
    each of the first len(PALETTE)² series has its own colour-and-cue pair and is never told
    apart by colour alone."""
    size = len(PALETTE)
    colour = index % size
    cue = (index + index // size) % size
    return {
        "color": PALETTE[colour],
        "symbol": SYMBOLS[cue],
        "dash": DASHES[cue],
        "pattern": PATTERNS[cue],
    }


def to_million_floats(amounts) -> list[float]:
    """Decimal pounds → float £m for plotting; money stays Decimal until this point."""
    return [float((Decimal(a) / MILLION).quantize(Decimal("0.001"))) for a in amounts]


def apply_layout(
    fig: go.Figure,
    *,
    title: str,
    x_title: str,
    y_title: str,
    height: int = 420,
    right_margin: int = 24,
) -> go.Figure:
    """The common layout: a title that says what the chart shows, axis titles with units,
    the site font, white background, light grid and a legend below the plot."""
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 18}},
        font={"family": FONT_FAMILY, "size": 14, "color": TEXT},
        paper_bgcolor=BACKGROUND,
        plot_bgcolor=BACKGROUND,
        height=height,
        # The legend sits between the title and the plot, clear of the axis labels.
        margin={"l": 80, "r": right_margin, "t": 96, "b": 64},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hoverlabel={"font": {"family": FONT_FAMILY}},
        separators=".,",
    )
    axis = {"gridcolor": GRID, "linecolor": TEXT, "zerolinecolor": TEXT, "automargin": True}
    fig.update_xaxes(title={"text": x_title}, **axis)
    fig.update_yaxes(title={"text": y_title}, **axis)
    return fig


def figure_data(fig: go.Figure) -> dict:
    """The figure as plain JSON data, for a template's `json_script` block that
    static/js/charts.js draws (no inline script under the Content-Security-Policy)."""
    return json.loads(fig.to_json())
