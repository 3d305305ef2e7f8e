"""The shared chart layout and colours, under the dashboard's name.

The module itself is `budgets/chart_style.py`: budget charts are built in `budgets`, which may
import nothing above it. Placements, workforce and dashboard charts may use either name.
"""

from budgets.chart_style import (  # noqa: F401
    BACKGROUND,
    DASHES,
    FONT_FAMILY,
    GRID,
    OVERSPEND,
    PALETTE,
    PATTERNS,
    SYMBOLS,
    TEXT,
    UNDERSPEND,
    apply_layout,
    figure_data,
    series_style,
    to_million_floats,
)
