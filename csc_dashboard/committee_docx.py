"""The committee pack as a Word document (python-docx), ready to paste into a committee report
template: each table a real Word table with the house number formats (£m to one decimal place,
underspends in brackets), each chart a picture with its summary beneath.

Word runs no formulas from text, but the text is still passed through safe_text, so a cell
copied on into a spreadsheet cannot start one.
"""

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from csc_dashboard.committee_export import display, safe_text
from csc_dashboard.committee_pack import Pack
from csc_dashboard.committee_render import png

CHART_WIDTH = Cm(16)


def pack_document(pack: Pack) -> bytes:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(10)
    _front_page(document, pack)
    for section in pack.sections:
        document.add_heading(safe_text(section.heading), level=2)
        if section.chart is not None:
            document.add_picture(io.BytesIO(png(section.chart)), width=CHART_WIDTH)
            document.add_paragraph(safe_text(section.chart.summary), style="Caption")
        if section.show_table:
            _table(document, section.table)
        if section.table.note:
            document.add_paragraph(safe_text(section.table.note))
    footer = document.sections[0].footer.paragraphs[0]
    footer.text = f"{pack.front.period}. Produced {pack.produced:%-d %B %Y %H:%M}."
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _front_page(document, pack: Pack) -> None:
    front = pack.front
    document.add_heading(safe_text(f"{front.council}: {front.service}"), level=0)
    document.add_paragraph(safe_text(f"Committee pack, {front.period}."))
    if front.committee_date:
        document.add_paragraph(f"Committee date: {front.committee_date:%-d %B %Y}.")
    document.add_paragraph(f"Produced {pack.produced:%-d %B %Y %H:%M}.")
    document.add_heading("Headlines", level=1)
    for sentence in front.headlines:
        document.add_paragraph(safe_text(sentence), style="List Bullet")
    if front.commentary:
        document.add_heading("Why the forecast moved", level=1)
        for line, text in front.commentary:
            paragraph = document.add_paragraph(style="List Bullet")
            paragraph.add_run(safe_text(line) + ": ").bold = True
            paragraph.add_run(safe_text(text))
    document.add_page_break()


def _table(document, table) -> None:
    rows = list(table.rows) + ([table.total] if table.total else [])
    word = document.add_table(rows=1 + len(rows), cols=len(table.columns))
    word.style = "Table Grid"
    word.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, (_, header, kind) in enumerate(table.columns):
        cell = word.rows[0].cells[i]
        cell.text = safe_text(header)
        _format(cell, bold=True, numeric=kind != "text")
    for r, row in enumerate(rows, start=1):
        is_total = table.total is not None and r == len(rows)
        for i, (key, _, kind) in enumerate(table.columns):
            cell = word.rows[r].cells[i]
            cell.text = safe_text(display(kind, row.get(key)))
            _format(cell, bold=is_total, numeric=kind != "text")


def _format(cell, *, bold: bool, numeric: bool) -> None:
    for paragraph in cell.paragraphs:
        if numeric:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for run in paragraph.runs:
            run.bold = bold
            run.font.size = Pt(9)
