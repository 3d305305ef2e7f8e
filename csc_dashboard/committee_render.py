"""Draw a committee ChartSpec with matplotlib: SVG (real vectors, for the print view and the
PDF) and PNG (for Word, which pastes pictures best as bitmaps).

matplotlib is well kept, needs no browser or network at run time (Plotly's static export needs
a Chrome), and draws the same figure to either format. Figures are built on their own Figure
object, never pyplot's global state, so two requests can draw at once. Money becomes float only
here, at the point of drawing.
"""

import io
import re

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

from budgets.chart_style import GRID, OVERSPEND, PALETTE, TEXT, UNDERSPEND  # noqa: E402
from budgets.formatting import MILLION, millions  # noqa: E402
from csc_dashboard.committee_charts import ChartSpec  # noqa: E402

# A4 portrait less margins is about 180 mm wide; half a page leaves about 110 mm for a chart.
WIDTH_IN, HEIGHT_IN = 7.0, 3.9
HATCHES = ["", "//", "..", "xx", "\\\\", "++"]


def _plain(text: str) -> str:
    """Text drawn literally: matplotlib would read `$…$` as mathematics (and fail on bad
    mathematics), so dollar signs are escaped."""
    return str(text).replace("$", r"\$")


def _label(value, spec: ChartSpec) -> str:
    if value is None:
        return ""
    if spec.money:
        return millions(value * MILLION)
    return f"{value:,}" if float(value).is_integer() else f"{float(value):,.1f}"


def figure(spec: ChartSpec) -> Figure:
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), layout="constrained")
    ax = fig.add_subplot()
    ax.tick_params(colors=TEXT, labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    categories = [_plain(c) for c in spec.categories]
    count = max(1, len(spec.series))
    if spec.kind == "line":
        for i, series in enumerate(spec.series):
            values = [float(v) if v is not None else float("nan") for v in series.values]
            ax.plot(
                categories,
                values,
                marker="os^D"[i % 4],
                color=PALETTE[i % len(PALETTE)],
                linewidth=2,
                label=_plain(series.name),
            )
            for x, v in zip(categories, series.values, strict=True):
                if v is not None:
                    ax.annotate(
                        _label(v, spec),
                        (x, float(v)),
                        textcoords="offset points",
                        xytext=(0, 6),
                        ha="center",
                        fontsize=7,
                        color=TEXT,
                    )
        ax.tick_params(axis="x", labelrotation=30)
        ax.set_ylabel(_plain(spec.axis_title), fontsize=8, color=TEXT)
        ax.grid(axis="y", color=GRID, linewidth=0.5)
    else:
        horizontal = spec.kind == "hbar"
        positions = list(range(len(categories)))
        thickness = 0.8 / count
        for i, series in enumerate(spec.series):
            values = [float(v) if v is not None else 0.0 for v in series.values]
            offsets = [p - 0.4 + thickness * (i + 0.5) for p in positions]
            if spec.signed and count == 1:
                colours = [OVERSPEND["color"] if v > 0 else UNDERSPEND["color"] for v in values]
                hatches = ["" if v > 0 else "//" for v in values]
            else:
                colours = [PALETTE[i % len(PALETTE)]] * len(values)
                hatches = [HATCHES[i % len(HATCHES)]] * len(values)
            draw = ax.barh if horizontal else ax.bar
            bars = draw(
                offsets,
                values,
                thickness,
                color=colours,
                edgecolor="white",
                label=_plain(series.name),
            )
            for bar, hatch in zip(bars, hatches, strict=True):
                bar.set_hatch(hatch)
            ax.bar_label(
                bars,
                labels=[_label(v, spec) for v in series.values],
                fontsize=7,
                padding=2,
                color=TEXT,
            )
        if horizontal:
            ax.set_yticks(positions, categories)
            ax.invert_yaxis()  # the table's first row at the top
            ax.set_xlabel(_plain(spec.axis_title), fontsize=8, color=TEXT)
            ax.axvline(0, color=TEXT, linewidth=0.8)
            ax.grid(axis="x", color=GRID, linewidth=0.5)
            ax.margins(x=0.15)
        else:
            ax.set_xticks(positions, categories)
            ax.set_ylabel(_plain(spec.axis_title), fontsize=8, color=TEXT)
            ax.axhline(0, color=TEXT, linewidth=0.8)
            ax.grid(axis="y", color=GRID, linewidth=0.5)
            ax.margins(y=0.15)
        ax.set_axisbelow(True)
    if count > 1:
        ax.legend(fontsize=7, frameon=False)
    return fig


def svg(spec: ChartSpec) -> str:
    """The chart as an inline <svg> element (no XML prologue, no comments), hidden from screen
    readers: the page gives its title, summary and table in words."""
    buffer = io.StringIO()
    # The salt makes the SVG's internal ids (clip paths) differ between the charts of one page.
    with matplotlib.rc_context({"svg.hashsalt": spec.key, "svg.fonttype": "path"}):
        figure(spec).savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = re.sub(r"<!--.*?-->", "", text[text.index("<svg") :], flags=re.S)
    return text.replace(
        "<svg ", '<svg aria-hidden="true" focusable="false" class="csc-pack-svg" ', 1
    )


def png(spec: ChartSpec, *, dpi: int = 200) -> bytes:
    buffer = io.BytesIO()
    figure(spec).savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
