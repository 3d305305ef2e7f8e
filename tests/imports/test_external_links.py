"""A workbook that links to other files is refused by the live reader (budgets.importing.iter_rows,
through check_workbook) that every upload and import uses, and the upload page says why; the
same workbook without the link is read. Excel keeps a link to another workbook as a part under
xl/externalLinks/, whose relationship points outside the file (TargetMode="External")."""

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from budgets.importing import ImportFileError, iter_rows
from budgets.models import Actual, ImportRecord
from tests.factories import (
    AdministratorFactory,
    BudgetFactory,
    CouncilFactory,
    serving,
)
from tests.parsed_html import parse

UPLOAD = "/budgets/actuals/upload/"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
LINK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"


def ledger(code: str) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["Cost Centre", "Financial Year", "Period", "Amount"])
    book.active.append([code, "2024/25", 3, 1250])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_parts(data: bytes, edit) -> bytes:
    """The workbook with its parts changed by `edit(parts)` (a dict of name → bytes)."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    edit(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in parts.items():
            target.writestr(name, content)
    return out.getvalue()


def excel_link(parts: dict) -> None:
    """What Excel writes for a formula like ='C:\\Finance\\[Other.xlsx]Sheet1'!A1: the link part,
    its outside relationship, the workbook's reference to it, and its content type."""
    parts["xl/externalLinks/externalLink1.xml"] = (
        b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="' + RELS.encode() + b'"><externalBook r:id="rId1"/></externalLink>'
    )
    parts["xl/externalLinks/_rels/externalLink1.xml.rels"] = (
        f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
        f'Type="{RELS}/externalLinkPath" Target="file:///C:/Finance/Other.xlsx" '
        'TargetMode="External"/></Relationships>'
    ).encode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rId99" Type="{RELS}/externalLink" '
        'Target="externalLinks/externalLink1.xml"/></Relationships>',
    ).encode()
    types = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = types.replace(
        "</Types>",
        f'<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="{LINK_TYPE}"/>'
        "</Types>",
    ).encode()


def link_part_only(parts: dict) -> None:
    """A link part with no relationship of its own pointing anywhere."""
    parts["xl/externalLinks/externalLink1.xml"] = b"<externalLink/>"


def outside_relationship(parts: dict) -> None:
    """No link part, but the workbook's own relationships point at a share."""
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rId99" Type="{RELS}/externalLink" '
        'Target="\\\\server\\share\\book.xlsx" TargetMode="External"/></Relationships>',
    ).encode()


def read(data: bytes):
    header, rows = iter_rows(io.BytesIO(data), file_name="ledger.xlsx")
    return header, list(rows)


def test_the_workbook_without_a_link_is_read():
    header, rows = read(ledger("K31001"))
    assert header == ["Cost Centre", "Financial Year", "Period", "Amount"]
    assert rows == [(2, ["K31001", "2024/25", "3", "1250"])]


@pytest.mark.parametrize("link", [excel_link, link_part_only, outside_relationship])
def test_a_workbook_linking_to_other_files_is_refused_by_the_reader(link):
    with pytest.raises(ImportFileError, match="The workbook links to other files"):
        read(with_parts(ledger("K31001"), link))


@pytest.mark.django_db
def test_the_upload_page_refuses_a_linked_workbook_and_says_why(client_for):
    council = CouncilFactory()
    line = BudgetFactory(line__code="K31001", line__service__directorate__council=council).line
    client = client_for(AdministratorFactory())
    linked = SimpleUploadedFile("linked.xlsx", with_parts(ledger("K31001"), excel_link))
    plain = SimpleUploadedFile("plain.xlsx", ledger("K31001"))
    with serving(council):
        refused = client.post(UPLOAD, {"file": linked})
        assert refused.status_code == 400
        summary = parse(refused.content).find("div", class_="govuk-error-summary")
        assert "The workbook links to other files" in summary.text()
        assert not Actual.objects.filter(line=line).exists()
        assert ImportRecord.objects.get(file_name="linked.xlsx").outcome == "failed"
        # The same ledger without the link loads.
        assert client.post(UPLOAD, {"file": plain}).status_code == 200
    assert Actual.objects.get(line=line).amount == Decimal("1250.00")
