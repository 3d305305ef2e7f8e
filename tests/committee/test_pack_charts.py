"""The pack's charts as data, built from a committee table's own rows, and drawn by matplotlib:
small hand-checked examples, no database."""

from decimal import Decimal

from csc_dashboard.committee import CommitteeTable
from csc_dashboard.committee_charts import chart_for
from csc_dashboard.committee_render import png, svg


def area_table(names=("Staffing", "Placements", "Other costs")):
    values = [Decimal("4100000"), Decimal("8700000"), Decimal("-400000")]
    return CommitteeTable(
        "budget_by_area",
        "Budget and forecast by area of spend",
        [("area", "Area", "text"), ("budget", "£m", "millions"), ("variance", "Over", "millions")],
        [
            {"area": n, "budget": Decimal("1000000"), "variance": v}
            for n, v in zip(names, values, strict=True)
        ],
        {"area": "Total", "budget": Decimal("3000000"), "variance": Decimal("12400000")},
    )


def test_a_variance_chart_is_the_tables_rows_in_millions_without_the_total():
    spec = chart_for(area_table())
    assert spec.kind == "hbar" and spec.signed
    assert spec.categories == ["Staffing", "Placements", "Other costs"]
    assert spec.series[0].values == [Decimal("4.1"), Decimal("8.7"), Decimal("-0.4")]
    assert spec.summary == (
        "2 of 3 areas of spend forecast an overspend; the largest is Placements, £8.7m. "
        "Underspends (hatched): Other costs, £0.4m."
    )
    # Excel's chart reads the table's cells: the area names and the variance column, 3 rows.
    assert (spec.category_key, spec.value_keys, spec.rows) == ("area", ["variance"], 3)


def test_the_council_may_retitle_a_chart():
    assert chart_for(area_table(), title="Where the money goes").title == "Where the money goes"


def test_tables_without_a_chart_have_none():
    staffing = CommitteeTable("staffing", "Staff", [("measure", "Measure", "text")], [])
    assert chart_for(staffing) is None


def test_the_lac_chart_runs_oldest_first():
    table = CommitteeTable(
        "lac_counts",
        "Children",
        [("date", "Date", "text"), ("children", "Children", "count")],
        [{"date": "August 2024", "children": 30}, {"date": "August 2023", "children": 20}],
    )
    spec = chart_for(table)
    assert spec.categories == ["August 2023", "August 2024"]
    assert spec.series[0].values == [20, 30] and spec.reversed_rows


def test_hostile_names_are_drawn_as_text_never_markup_or_mathematics():
    names = ("<script>alert(1)</script>", "a $\\frac{1}{$ b", "--><img src=x>")
    drawn = svg(chart_for(area_table(names)))
    assert drawn.startswith('<svg aria-hidden="true"')
    assert "<script" not in drawn and "<img" not in drawn and "<!--" not in drawn
    assert png(chart_for(area_table(names))).startswith(b"\x89PNG")
