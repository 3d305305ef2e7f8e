"""Chart builders: titles, axis titles with units, the plotted values, accessible colours."""

import datetime
from decimal import Decimal

from budgets import charts
from budgets.chart_style import PALETTE, apply_layout, series_style, to_million_floats
from budgets.metrics import Position
from budgets.trends import AccuracyPoint, PathPoint


def relative_luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_every_palette_colour_meets_3_to_1_contrast_against_white():
    for colour in PALETTE:
        assert (1.05) / (relative_luminance(colour) + 0.05) >= 3, colour


def test_series_differ_by_more_than_colour():
    styles = [series_style(i) for i in range(len(PALETTE))]
    assert len({s["symbol"] for s in styles}) == len(styles)
    assert len({s["pattern"] for s in styles}) == len(styles)


def test_money_becomes_float_millions_only_for_plotting():
    assert to_million_floats([Decimal("12900000.00"), Decimal("-400000")]) == [12.9, -0.4]


def test_the_common_layout_sets_title_and_axis_titles():
    import plotly.graph_objects as go

    fig = apply_layout(go.Figure(), title="T", x_title="X, £m", y_title="Y, children")
    assert fig.layout.title.text == "T"
    assert fig.layout.xaxis.title.text == "X, £m"
    assert fig.layout.yaxis.title.text == "Y, children"


def positions():
    csc = Position("CSC", "Children's Social Care", Decimal("41.6e6"), Decimal("54.5e6"))
    edu = Position("EDU", "Education", Decimal("2.3e6"), Decimal("1.9e6"))
    cyp = Position("CYP", "Children and Young People", children=[csc, edu])
    cyp.add(budget=csc.budget + edu.budget, forecast=csc.forecast + edu.forecast)
    return [cyp]


def test_variance_by_service_draws_one_bar_per_service_top_down():
    fig = charts.variance_by_service(positions())
    assert fig.layout.title.text == "Forecast variance by service, £m"
    assert "£m" in fig.layout.xaxis.title.text
    bar = fig.data[0]
    assert list(bar.y) == ["Education", "Children's Social Care"]
    assert list(bar.x) == [-0.4, 12.9]
    assert list(bar.text) == ["(0.4)", "12.9"]
    # An underspend is hatched as well as coloured differently.
    assert list(bar.marker.pattern.shape) == ["/", ""]


def test_variance_summary_names_the_largest_overspend():
    services = positions()[0].children
    assert charts.describe_variances(services, kind="service").startswith(
        "1 of 2 services forecast an overspend; the largest is Children's Social Care, £12.9m."
    )


def path():
    return [
        PathPoint(6, datetime.date(2017, 9, 1), Decimal("36.8e6"), Decimal("41.6e6")),
        PathPoint(10, datetime.date(2018, 1, 1), Decimal("36.8e6"), Decimal("42.7e6")),
    ]


def test_forecast_movement_plots_forecast_budget_and_outturn():
    fig = charts.forecast_movement(path(), name="CSC", outturn=Decimal("49.4e6"))
    assert fig.layout.title.text == "CSC: year-end forecast at each period against budget, £m"
    assert fig.layout.yaxis.title.text == "£m"
    assert "Period" in fig.layout.xaxis.title.text
    forecast, budget, outturn = fig.data
    assert list(forecast.x) == ["P6<br>Sep 17", "P10<br>Jan 18"]
    assert list(forecast.y) == [41.6, 42.7]
    assert list(budget.y) == [36.8, 36.8]
    assert list(outturn.y) == [49.4, 49.4]
    assert len({forecast.line.dash, budget.line.dash, outturn.line.dash}) == 3


def test_forecast_accuracy_bars_are_forecast_minus_outturn():
    points = [AccuracyPoint(6, datetime.date(2017, 9, 1), Decimal("41.6e6"), Decimal("-7.8e6"))]
    fig = charts.forecast_accuracy(points, name="CSC")
    assert "final outturn" in fig.layout.title.text
    assert list(fig.data[0].y) == [-7.8]
    assert "£m" in fig.layout.yaxis.title.text


def test_the_areas_waterfall_adds_up_to_the_total():
    areas = [
        Position("staffing", "Staffing", Decimal("10.54e6"), Decimal("14.64e6")),
        Position("other_costs", "Other costs", Decimal("4.04e6"), Decimal("3.64e6")),
    ]
    fig = charts.areas_waterfall(areas, name="CSC")
    assert fig.layout.title.text == "CSC: forecast overspend by area of spend, £m"
    assert fig.layout.xaxis.title.text == "Area of spend"
    waterfall = fig.data[0]
    assert list(waterfall.x) == ["Staffing", "Other costs", "Total"]
    assert list(waterfall.y) == [4.1, -0.4, 3.7]
    assert list(waterfall.measure) == ["relative", "relative", "total"]
    assert charts.describe_areas(areas, name="CSC").startswith(
        "CSC forecasts a variance of £3.7m. The largest overspend is Staffing, £4.1m."
    )


def test_the_lac_trend_stacks_each_category_per_month():
    from placements import charts as placement_charts

    may, june = datetime.date(2018, 5, 31), datetime.date(2018, 6, 30)
    series = [(may, "ifa", 3), (may, "residential", 1), (june, "ifa", 4)]
    months, counts = placement_charts.lac_by_month(series)
    assert months == [may, june]
    assert counts == {"ifa": [3, 4], "residential": [1, 0]}
    fig = placement_charts.lac_trend(months, counts)
    assert fig.layout.barmode == "stack"
    assert fig.layout.yaxis.title.text == "Children"
    assert [t.name for t in fig.data] == ["Independent fostering agency", "Residential"]
    assert list(fig.data[1].y) == [1, 0]
    assert placement_charts.describe_lac(months, counts).startswith(
        "4 children were looked after at the end of June 2018 (4 at the end of May 2018)"
    )
