"""The committee pack as an Excel workbook: a front page, then a sheet per section with its table
and, beside a table that has a chart, a native Excel chart drawn from the table's own cells, so a
director can restyle it in Excel and it follows any figure they correct.
"""

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font

from csc_dashboard.committee import CommitteeTable
from csc_dashboard.committee_charts import ChartSpec
from csc_dashboard.committee_export import FIRST_ROW, _bytes, safe_text, table_sheet
from csc_dashboard.committee_pack import Pack, period_label

CHART_WIDTH_CM, CHART_HEIGHT_CM = 16, 8.5


def pack_workbook(pack: Pack) -> bytes:
    book = Workbook()
    front = book.active
    front.title = "Front page"
    _front_page(front, pack)
    label = period_label(pack.period)
    for section in pack.sections:
        sheet = table_sheet(book, section.table, period_label=label, produced=pack.produced)
        if section.chart is not None:
            add_chart(sheet, section.chart, section.table)
    return _bytes(book)


def _front_page(sheet, pack: Pack) -> None:
    front = pack.front
    sheet.append([safe_text(f"{front.council}: {front.service}")])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([safe_text(f"Committee pack, {front.period}")])
    if front.committee_date:
        sheet.append([f"Committee date: {front.committee_date:%-d %B %Y}"])
    sheet.append([f"Produced: {pack.produced:%d %B %Y %H:%M}"])
    sheet.append([])
    sheet.append(["Headlines"])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    for sentence in front.headlines:
        sheet.append([safe_text(sentence)])
    if front.commentary:
        sheet.append([])
        sheet.append(["Why the forecast moved: the officers' commentary"])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        for line, text in front.commentary:
            sheet.append([safe_text(line), safe_text(text)])
    sheet.append([])
    sheet.append(["Contents"])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    for section in pack.sections:
        sheet.append([safe_text(section.heading)])
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is not None:
                cell.data_type = "s"  # text, never a formula
                cell.alignment = Alignment(wrap_text=cell.column == 2, vertical="top")
    sheet.column_dimensions["A"].width = 70
    sheet.column_dimensions["B"].width = 80


def add_chart(sheet, spec: ChartSpec, table: CommitteeTable) -> None:
    """A native chart of the table's cells (its first spec.rows rows, the spec's columns),
    placed to the right of the table."""
    keys = [key for key, _, _ in table.columns]
    if not spec.rows or not spec.value_keys:
        return
    category_col = keys.index(spec.category_key) + 1
    value_cols = [keys.index(k) + 1 for k in spec.value_keys]
    last = FIRST_ROW + spec.rows - 1
    if spec.kind == "line":
        chart = LineChart()
    else:
        chart = BarChart()
        chart.type = "bar" if spec.kind == "hbar" else "col"
        chart.grouping = "clustered"
        chart.overlap = 0 if len(value_cols) > 1 else None
    chart.title = spec.title[:250]
    chart.y_axis.title = spec.axis_title
    chart.width, chart.height = CHART_WIDTH_CM, CHART_HEIGHT_CM
    for col in value_cols:
        data = Reference(sheet, min_col=col, min_row=FIRST_ROW - 1, max_row=last)
        chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=category_col, min_row=FIRST_ROW, max_row=last))
    if spec.kind == "hbar" or spec.reversed_rows:
        # The table's first row at the top of a bar chart; oldest first along a time axis.
        chart.x_axis.scaling.orientation = "maxMin"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    if len(value_cols) == 1:
        chart.legend = None
    anchor = sheet.cell(row=FIRST_ROW - 1, column=len(keys) + 2).coordinate
    sheet.add_chart(chart, anchor)
