"""The committee pack in every format, each opened with its own library: the demo's section 9
figures (41.6 and 12.9) in every table, and every chart of the pack present."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from docx import Document
from pypdf import PdfReader

pytestmark = pytest.mark.django_db
QUERY = "?year=2018/19&period=6&directorate=CYP&service=CSC&committee_date=2018-10-10"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# The demo pack's charted sections (fixtures/demo_committee_pack.toml), by their labels.
CHARTED = ["4.3", "4.4", "9", "9.1.3", "10.1", "10.4", "Appendix 1"]


def test_the_workbook_has_a_native_chart_beside_each_charted_table(client_for, director):
    data = client_for(director).get("/committee/pack.xlsx" + QUERY).content
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] == "Front page"
    # The report's order (the demo's pack), after the front page.
    assert [name.split(" ")[0] for name in book.sheetnames[1:4]] == ["4.3", "4.4", "5.1"]
    charted = [s.title for s in book if s._charts]
    assert [name.rsplit(" ", 1)[0] for name in charted] == CHARTED
    sheet = book["9 budget_by_area"]
    total = [c.value for c in sheet[11]]
    assert total[0] == "Total" and round(total[1], 1) == 41.6 and round(total[2], 1) == 12.9
    chart = sheet._charts[0]
    # The chart draws the table's own cells: the variance column, Staffing to Other costs.
    refs = chart.series[0].val.numRef.f
    assert refs == "'9 budget_by_area'!$C$6:$C$10"
    front = " ".join(str(c.value) for row in book["Front page"].iter_rows() for c in row if c.value)
    assert "Committee date: 10 October 2018" in front
    assert "forecasts an overspend of £12.9m" in front


def test_the_word_document_has_real_tables_in_the_house_format_and_a_picture_per_chart(
    client_for, finance
):
    response = client_for(finance).get("/committee/pack.docx" + QUERY)
    assert response["Content-Disposition"].endswith('.docx"')
    document = Document(io.BytesIO(response.content))
    tables = {t.rows[0].cells[0].text: t for t in document.tables}
    area = tables["Area of spend"]
    assert [c.text for c in area.rows[-1].cells] == ["Total", "41.6", "12.9"]
    assert [c.text for c in area.rows[5].cells] == ["Other costs", "4.0", "(0.4)"]
    assert len(document.inline_shapes) == len(CHARTED)
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 2")]
    assert headings[0].startswith("4.3 ") and headings[-1].startswith("Appendix 1 ")


def test_the_pdf_carries_every_chart_as_vectors_page_numbers_and_the_date(client_for, scrutiny):
    response = client_for(scrutiny).get("/committee/pack.pdf" + QUERY)
    assert response.status_code == 200  # scrutiny members may take the PDF
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "committee-pack.pdf").write_bytes(response.content)
    reader = PdfReader(io.BytesIO(response.content))
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    assert "Committee date" in pages[0] and "10 October 2018" in pages[0]
    assert f"Page 1 of {len(pages)}" in pages[0] and f"Page {len(pages)} of" in pages[-1]
    assert all("Produced on" in page for page in pages)
    assert "Total 41.6 12.9" in text
    # Each chart: its summary in words under it, and vector paths (no bitmap) on its page.
    for label in CHARTED:
        assert any(f"{label} " in page for page in pages)
    # Each chart's summary in words sits under it: one per charted section of the demo pack.
    summaries = [
        "4 of 4 services forecast an overspend",
        "Savings of £14.5m over",
        "of 5 areas of spend forecast an overspend",
        "teams carry more cases per social worker",
        "children were looked after at the end of August 2018",
        "children in placements; the most in",
        "The forecast overspend went from",
    ]
    flat = " ".join(text.split())
    assert [s for s in summaries if s not in flat] == []
    assert "Underspends (hatched): Other costs, £0.4m." in flat
    assert not any(
        "/Image" in str(page.get("/Resources", {}).get("/XObject", {})) for page in reader.pages
    )


def test_export_committee_pack_writes_each_format(tmp_path):
    for fmt in ("xlsx", "docx", "pdf"):
        out = tmp_path / f"pack.{fmt}"
        call_command(
            "export_committee_pack",
            "--year=2018/19",
            "--period=6",
            "--service=CSC",
            f"--out={out}",
            verbosity=0,
        )
        assert out.stat().st_size > 1000
    assert PdfReader(str(tmp_path / "pack.pdf")).pages[0].extract_text().startswith("Lewisham")


def test_scrutiny_members_take_the_pdf_but_not_the_data(client_for, scrutiny):
    client = client_for(scrutiny)
    assert client.get("/committee/pack.docx" + QUERY).status_code == 403
    assert client.get("/committee/pack.xlsx" + QUERY).status_code == 403
    html = client.get("/committee/" + QUERY).content.decode()
    assert "/committee/pack.pdf" in html and "/committee/pack.docx" not in html
