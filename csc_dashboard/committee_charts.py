"""The committee pack's charts as pure data, each built from its committee table's own rows, so
chart and table agree to the digit. A ChartSpec says what to draw (kind, categories, series,
units) and what it shows in words; the renderers (committee_render for SVG and PNG, the Excel
workbook's native charts) each draw it. Money stays Decimal here, in £m.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from budgets.formatting import MILLION, pounds_millions
from csc_dashboard.committee import CommitteeTable

ZERO = Decimal("0")


@dataclass
class Series:
    name: str
    values: list[Decimal | None]


@dataclass
class ChartSpec:
    key: str
    title: str
    kind: str  # "bar" (vertical), "hbar" (horizontal: long names) or "line"
    categories: list[str]
    series: list[Series]
    axis_title: str  # what the value axis measures, with its unit
    summary: str
    money: bool = False  # values in £m, written as the tables write them, negatives in brackets
    signed: bool = False  # variances: overspends drawn solid red, underspends hatched blue
    # Where the figures sit in the table, so a spreadsheet's chart can refer to its cells: the
    # category column, the value columns, and how many rows from the top are charted.
    category_key: str = ""
    value_keys: list[str] = field(default_factory=list)
    rows: int = 0
    reversed_rows: bool = False  # drawn oldest first from a table listed newest first

    @property
    def is_empty(self) -> bool:
        return not self.categories or all(
            v is None for series in self.series for v in series.values
        )


def _m(value) -> Decimal | None:
    return None if value is None else Decimal(value) / MILLION


def _money_bars(table, *, name_key, value_key, kind, axis, what) -> ChartSpec:
    rows = [r for r in table.rows if r.get(value_key) is not None]
    names = [str(r[name_key]) for r in rows]
    values = [Decimal(r[value_key]) for r in rows]
    if not rows:
        summary = f"No {what} to show."
    else:
        largest = max(zip(values, names, strict=True))
        over = sum(1 for v in values if v > 0)
        summary = f"{over} of {len(values)} {what} forecast an overspend" + (
            f"; the largest is {largest[1]}, {pounds_millions(largest[0])}." if over else "."
        )
        under = [(n, v) for n, v in zip(names, values, strict=True) if v < 0]
        if under:
            summary += " Underspends (hatched): " + ", ".join(
                f"{n}, {pounds_millions(-v)}" for n, v in under
            )
            summary += "."
    return ChartSpec(
        key=table.key,
        title=table.title,
        kind=kind,
        categories=names,
        series=[Series(axis, [_m(v) for v in values])],
        axis_title=axis,
        summary=summary,
        money=True,
        signed=True,
        category_key=name_key,
        value_keys=[value_key],
        rows=len(rows),
    )


def budget_by_area(table: CommitteeTable) -> ChartSpec:
    return _money_bars(
        table,
        name_key="area",
        value_key="variance",
        kind="hbar",
        axis="Forecast overspend, £m",
        what="areas of spend",
    )


def directorate_summary(table: CommitteeTable) -> ChartSpec:
    return _money_bars(
        table,
        name_key="service",
        value_key="variance",
        kind="hbar",
        axis="Forecast variance, £m",
        what="services",
    )


def forecast_movement(table: CommitteeTable) -> ChartSpec:
    rows = [r for r in table.rows if r.get("variance") is not None]
    if rows:
        first, last = rows[0], rows[-1]
        summary = (
            f"The forecast overspend went from {pounds_millions(first['variance'])} in "
            f"{first['month']} to {pounds_millions(last['variance'])} in {last['month']}."
        )
    else:
        summary = "No forecasts have been entered this year."
    return ChartSpec(
        key=table.key,
        title=table.title,
        kind="line",
        categories=[str(r["month"]) for r in rows],
        series=[Series("Forecast overspend, £m", [_m(r["variance"]) for r in rows])],
        axis_title="Forecast overspend, £m",
        summary=summary,
        money=True,
        category_key="month",
        value_keys=["variance"],
        rows=len(rows),
    )


def savings_by_year(table: CommitteeTable) -> ChartSpec:
    rows = table.rows
    total = sum((Decimal(r["target"]) for r in rows), ZERO)
    summary = (
        f"Savings of {pounds_millions(total)} over {len(rows)} years; the largest in "
        f"{max(rows, key=lambda r: r['target'])['year']}."
        if rows
        else "No savings have been agreed."
    )
    return ChartSpec(
        key=table.key,
        title=table.title,
        kind="bar",
        categories=[str(r["year"]) for r in rows],
        series=[Series("Savings, £m", [_m(r["target"]) for r in rows])],
        axis_title="Savings, £m",
        summary=summary,
        money=True,
        category_key="year",
        value_keys=["target"],
        rows=len(rows),
    )


def lac_counts(table: CommitteeTable) -> ChartSpec:
    rows = list(reversed(table.rows))  # oldest first, as time runs left to right
    summary = (
        f"{rows[-1]['children']} children were looked after at the end of {rows[-1]['date']}, "
        f"against {rows[0]['children']} at the end of {rows[0]['date']}."
        if rows
        else "No placements have been loaded."
    )
    return ChartSpec(
        key=table.key,
        title=table.title,
        kind="bar",
        categories=[str(r["date"]) for r in rows],
        series=[Series("Children looked after", [r["children"] for r in rows])],
        axis_title="Children",
        summary=summary,
        category_key="date",
        value_keys=["children"],
        rows=len(rows),
        reversed_rows=True,
    )


def placement_costs(table: CommitteeTable) -> ChartSpec:
    # The council's own rows come before its Total; the DfE's comparison rows follow it.
    rows = []
    for row in table.rows:
        if row.get("category") == "Total":
            break
        rows.append(row)
    largest = max(rows, key=lambda r: r["children"]) if rows else None
    summary = (
        f"{sum(r['children'] for r in rows)} children in placements; the most in "
        f"{str(largest['category']).lower()}, {largest['children']}."
        if largest
        else "No children in placements on the day."
    )
    return ChartSpec(
        key=table.key,
        title=table.title,
        kind="hbar",
        categories=[str(r["category"]) for r in rows],
        series=[Series("Children", [r["children"] for r in rows])],
        axis_title="Children",
        summary=summary,
        category_key="category",
        value_keys=["children"],
        rows=len(rows),
    )


def caseloads(table: CommitteeTable) -> ChartSpec:
    rows = table.rows
    over = [r for r in rows if r["actual"] is not None and r["target"] is not None]
    over = [r for r in over if r["actual"] > r["target"]]
    summary = (
        f"{len(over)} of {len(rows)} teams carry more cases per social worker than their target"
        + (": " + ", ".join(str(r["team"]) for r in over) + "." if over else ".")
    )
    return ChartSpec(
        key=table.key,
        title=table.title,
        kind="hbar",
        categories=[str(r["team"]) for r in rows],
        series=[
            Series("Target", [r["target"] for r in rows]),
            Series("Actual", [r["actual"] for r in rows]),
        ],
        axis_title="Cases per social worker",
        summary=summary,
        category_key="team",
        value_keys=["target", "actual"],
        rows=len(rows),
    )


# The tables that have a chart, and the builder of each.
BUILDERS = {
    "budget_by_area": budget_by_area,
    "directorate_summary": directorate_summary,
    "forecast_movement": forecast_movement,
    "savings_by_year": savings_by_year,
    "lac_counts": lac_counts,
    "placement_costs": placement_costs,
    "caseloads": caseloads,
}


def chart_for(table: CommitteeTable, *, title: str = "") -> ChartSpec | None:
    builder = BUILDERS.get(table.key)
    if builder is None:
        return None
    spec = builder(table)
    if title:
        spec.title = title
    return spec
