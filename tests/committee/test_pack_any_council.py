"""A second council's pack (Southwark, built from fixtures/examples/ through the set-up
commands): its own titles and labels in every format, and no trace of the demo."""

import io
import re

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from docx import Document
from pypdf import PdfReader

from csc_dashboard.committee_pack import pack_entries, pack_save, pack_version
from tests.project.test_no_demo_in_product_code import findings, forbidden_patterns, load_figures

pytestmark = pytest.mark.django_db
QUERY = "?year=2024/25&period=3&service=CFS/SCF"


def test_a_second_councils_pack_has_its_own_titles_and_no_trace_of_the_demo(southwark, client_for):
    admin = get_user_model().objects.get(username="m.clarke")
    entries = pack_entries(southwark)
    assert not any(e.label for e in entries)  # the demo's labels are the demo's own
    area = next(e for e in entries if e.key == "budget_by_area")
    area.title, area.label = "Where the money goes", "Part A"
    pack_save(user=admin, council=southwark, entries=entries, based_on_version=0)
    assert pack_version(southwark) == 1

    client = client_for(admin)
    xlsx = client.get("/committee/pack.xlsx" + QUERY).content
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames[1] == "Part A budget_by_area"
    assert book.worksheets[1]._charts  # its chart beside it
    workbook_text = "\n".join(
        str(c.value) for s in book for row in s.iter_rows() for c in row if c.value is not None
    )
    docx = Document(io.BytesIO(client.get("/committee/pack.docx" + QUERY).content))
    docx_text = "\n".join(p.text for p in docx.paragraphs) + "\n".join(
        c.text for t in docx.tables for row in t.rows for c in row.cells
    )
    pdf = PdfReader(io.BytesIO(client.get("/committee/pack.pdf" + QUERY).content))
    pdf_text = "\n".join(page.extract_text() for page in pdf.pages)
    printed = client.get("/committee/print/" + QUERY).content.decode()
    # Budgets but no forecasts, savings, placements or caseloads yet: two charts with figures.
    assert printed.count("<svg") == 2
    # The charts' own coordinates are numbers, not words: the words are checked without them.
    printed = re.sub(r"<svg.*?</svg>", "", printed, flags=re.S)

    patterns = forbidden_patterns(load_figures())
    for name, text in [
        ("xlsx", workbook_text),
        ("docx", docx_text),
        ("pdf", pdf_text),
        ("print", printed),
    ]:
        assert "Part A Where the money goes" in text.replace("</span> ", " ").replace(
            '<span class="csc-committee-label">', ""
        ), name
        assert "Southwark" in text, name
        assert findings(text, patterns) == [], name
