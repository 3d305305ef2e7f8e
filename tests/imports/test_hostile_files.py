"""Hostile uploads: files small in bytes that would cost a worker minutes and gigabytes (zip
bombs, a million rows, one enormous cell), workbooks that link outside themselves, NUL bytes.
Every one is refused with a message, quickly and in little memory, and logged."""

import io
import re
import struct
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from budgets.importers import actuals_import
from budgets.importing import ImportFileError, iter_rows
from budgets.models import ImportRecord

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"
MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
MiB = 1024 * 1024


def read_rows(data: bytes) -> tuple[list[str], dict[int, list[str]]]:
    """The header, and each row's cells by spreadsheet row number, as importers read them."""
    header, rows = iter_rows(io.BytesIO(data))
    return header, dict(rows)


def workbook(*rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows or (["Cost Centre", "Amount"],):
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def replace_parts(data: bytes, parts: dict) -> bytes:
    """The workbook with some parts replaced or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            if item.filename not in parts:
                target.writestr(item, source.read(item.filename))
        for name, content in parts.items():
            if callable(content):
                with target.open(
                    zipfile.ZipInfo(name), "w", force_zip64=True
                ) as part:  # deflated like Excel
                    content(part)
            else:
                target.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def deflated_info(name):
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def huge_cell_sheet(size: int):
    def write(part):
        part.write(
            f'<worksheet {MAIN}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'.encode()
        )
        for _ in range(size // MiB):
            part.write(b"A" * MiB)
        part.write(b"</t></is></c></row></sheetData></worksheet>")

    return write


def bomb(write) -> bytes:
    """A workbook whose first sheet `write` writes in chunks (a 300 MB part is never held)."""
    out = io.BytesIO()
    base = workbook()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            if item.filename != SHEET:
                target.writestr(item, source.read(item.filename))
        with target.open(deflated_info(SHEET), "w", force_zip64=True) as part:
            write(part)
    return out.getvalue()


def lie_about_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrite the zip's central directory to claim `name` unpacks to `size` bytes."""
    data = bytearray(data)
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_length].decode() == name:
            struct.pack_into("<I", data, at + 24, size)
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def refuse(data: bytes) -> str:
    try:
        header, rows = iter_rows(io.BytesIO(data), file_name="bomb.xlsx")
        for _ in rows:
            pass
    except ImportFileError as exc:
        return str(exc)
    return ""


def refusal_cost(data: bytes) -> tuple[str, int]:
    """(the refusal's message, peak bytes allocated) of reading `data` (the bound on work is
    asserted as memory; speed belongs to `make bench`, not to tests)."""
    message = refuse(data)
    tracemalloc.start()
    try:
        assert refuse(data) == message
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return message, peak


def test_a_zip_bomb_with_one_300_mb_cell_is_refused_from_its_directory_at_once():
    data = bomb(huge_cell_sheet(300 * MiB))
    assert len(data) < MiB
    message, peak = refusal_cost(data)
    assert "unpacks to 314,5" in message and "the limit is 268,435,456" in message
    assert peak < 200 * MiB


def test_a_zip_bomb_whose_directory_lies_is_refused_while_it_is_read(settings):
    settings.CSC_XLSX_MAX_COMPRESSION_RATIO = 10_000  # so that only the reading can stop it
    data = lie_about_size(bomb(huge_cell_sheet(300 * MiB)), SHEET, 64 * MiB)
    message, peak = refusal_cost(data)
    assert "more than 32,767 characters" in message
    assert peak < 200 * MiB


def test_a_part_claiming_less_than_it_holds_is_refused_as_damaged(settings):
    settings.CSC_XLSX_MAX_COMPRESSION_RATIO = 10_000
    settings.CSC_IMPORT_MAX_CELL_CHARS = 1_000_000_000
    data = lie_about_size(bomb(huge_cell_sheet(300 * MiB)), SHEET, 5 * MiB)
    message, peak = refusal_cost(data)
    assert "cannot be read" in message and "CRC" in message
    assert peak < 200 * MiB


def test_a_part_compressed_far_more_than_any_spreadsheet_is_refused():
    data = bomb(huge_cell_sheet(50 * MiB))
    message, _ = refusal_cost(data)
    assert "compressed more than 200 to 1" in message


def million_rows(part):
    part.write(f"<worksheet {MAIN}><sheetData>".encode())
    part.write(b'<row><c t="inlineStr"><is><t>Cost Centre</t></is></c></row>')
    for _ in range(100):
        part.write(b"<row><c><v>1</v></c></row>" * 10_000)
    part.write(b"</sheetData></worksheet>")


def test_a_workbook_of_a_million_rows_is_refused_before_openpyxl_reads_it(settings):
    data = bomb(million_rows)
    assert len(data) < MiB
    assert "compressed more than" in refusal_cost(data)[0]
    settings.CSC_XLSX_MAX_COMPRESSION_RATIO = 10_000
    message, peak = refusal_cost(data)
    assert message == "The sheet has more than 200,000 rows; the limit is 200,000."
    assert peak < 200 * MiB


def test_rows_columns_and_cells_beyond_the_limits_are_refused_in_csv(settings):
    settings.CSC_IMPORT_MAX_ROWS = 3
    settings.CSC_IMPORT_MAX_COLUMNS = 4
    settings.CSC_IMPORT_MAX_CELL_CHARS = 10
    assert len(read_rows(b"a,b\n1,2\n3,4\n5,6\n")[1]) == 3
    with pytest.raises(ImportFileError, match="more than 3 rows; the limit is 3"):
        read_rows(b"a,b\n1,2\n3,4\n5,6\n7,8\n")
    with pytest.raises(ImportFileError, match="Row 3 has 5 columns; the limit is 4"):
        read_rows(b"a,b\n1,2\n1,2,3,4,5\n")
    with pytest.raises(ImportFileError, match="Row 2, column 2: the cell has 11 characters"):
        read_rows(b"a,b\n1,12345678901\n")
    with pytest.raises(ImportFileError, match="Row 1 has 5 columns"):
        read_rows(b"a,b,c,d,e\n")


def test_rows_columns_and_cells_beyond_the_limits_are_refused_in_xlsx(settings):
    settings.CSC_IMPORT_MAX_ROWS = 3
    settings.CSC_IMPORT_MAX_COLUMNS = 4
    settings.CSC_IMPORT_MAX_CELL_CHARS = 10
    assert len(read_rows(workbook(["a", "b"], [1, 2], [3, 4], [5, 6]))[1]) == 3
    with pytest.raises(ImportFileError, match="more than 3 rows"):
        read_rows(workbook(["a", "b"], [1, 2], [3, 4], [5, 6], [7, 8]))
    with pytest.raises(ImportFileError, match="a cell in column 5; the limit is 4 columns"):
        read_rows(workbook(["a", "b"], [1, 2, 3, 4, 5]))
    with pytest.raises(ImportFileError, match="more than 10 characters"):
        read_rows(workbook(["a", "b"], ["x", "12345678901"]))


def test_a_sheet_declaring_16384_columns_and_a_million_rows_is_read_as_its_real_cells():
    data = workbook(["Cost Centre", "Amount"], ["A1", 10])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read(SHEET).decode()
    # openpyxl writes the <dimension> with or without a space before "/>", by version.
    sheet = re.sub(r'<dimension ref="A1:B2" ?/>', '<dimension ref="A1:XFD1048576"/>', sheet)
    assert "XFD1048576" in sheet
    header, rows = read_rows(replace_parts(data, {SHEET: sheet.encode()}))
    assert header == ["Cost Centre", "Amount"]
    assert rows == {2: ["A1", "10"]}


def links(data: bytes, rels_part: str, target: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        rels = archive.read(rels_part).decode() if rels_part in archive.namelist() else None
    relationship = (
        '<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/externalLink" Target="{target}" TargetMode="External"/>'
    )
    if rels is None:
        rels = (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"></Relationships>'
        )
    rels = rels.replace("</Relationships>", relationship + "</Relationships>")
    return replace_parts(data, {rels_part: rels.encode(), "xl/links/link1.xml": b"<externalLink/>"})


@pytest.mark.parametrize(
    "rels_part", ["xl/_rels/workbook.xml.rels", "xl/worksheets/_rels/sheet1.xml.rels"]
)
def test_a_relationship_to_an_outside_target_is_refused_wherever_the_part_sits(rels_part):
    data = links(workbook(), rels_part, "file:///C:/finance/other.xlsx")
    with pytest.raises(ImportFileError, match=r"links to other files or addresses \(file:///C:"):
        read_rows(data)


def test_a_workbook_with_a_linked_part_elsewhere_is_refused_by_the_ledger_import(finance):
    data = links(workbook(), "xl/_rels/workbook.xml.rels", "\\\\server\\share\\book.xlsx")
    report = actuals_import(data, file_name="linked.xlsx", user=finance)
    assert "links to other files or addresses" in report.file_error
    assert ImportRecord.objects.get(file_name="linked.xlsx").outcome == "failed"


def bad_ledger(count: int) -> bytes:
    rows = f",2018/19,6,{count}.00\n" * count  # every row without its cost centre
    return ("Cost Centre,Financial Year,Period,Amount\n" + rows).encode()


def test_the_first_100_row_errors_are_listed_with_the_total_everywhere(
    finance, client_for, tmp_path, capsys
):
    report = actuals_import(bad_ledger(250), file_name="bad.csv", user=finance)
    assert len(report.errors) == 100
    assert report.errors.total == 250
    assert report.summary() == "Nothing was imported: 250 errors; the first 100 are listed."
    log = ImportRecord.objects.get(file_name="bad.csv")
    assert len(log.errors) == 101
    assert log.errors[0] == "row 2, Cost Centre: the cost centre is missing"
    assert log.errors[-1] == "… and 150 more errors"

    upload = io.BytesIO(bad_ledger(250))
    upload.name = "bad-page.csv"
    page = client_for(finance).post(reverse("budgets:upload_actuals"), {"file": upload})
    assert page.status_code == 400
    html = page.content.decode()
    assert "The first 100 of 250 errors" in html
    assert html.count("the cost centre is missing") == 100
    assert len(page.content) < 200_000

    path = tmp_path / "bad.csv"
    path.write_bytes(bad_ledger(250))
    with pytest.raises(CommandError, match="250 errors; the first 100 are listed"):
        call_command("import_actuals", str(path))
    err = capsys.readouterr().err
    assert err.count("the cost centre is missing") == 100
    assert "… and 150 more errors." in err


def test_an_enormous_cell_never_reaches_the_import_log(finance, settings):
    settings.CSC_IMPORT_MAX_CELL_CHARS = 10_000_000  # let it through the reader: the log copes
    data = b"Cost Centre,Financial Year,Period,Amount\nCSC-STF-RA,2018/19,6," + b"9" * 100_000
    report = actuals_import(data + b"x\n", file_name="long.csv", user=finance)
    assert not report.ok
    log = ImportRecord.objects.get(file_name="long.csv")
    assert max(len(e) for e in log.errors) < 400
    assert len(log.message) < 2100


@pytest.mark.parametrize("where", [10, 5000, 100_000])
def test_a_nul_byte_anywhere_in_a_csv_is_refused_with_its_row(finance, where, tmp_path):
    line = "CSC-STF-RA,2018/19,6,1.00\n"
    rows = [line] * (where // len(line) + 1)
    text = "Cost Centre,Financial Year,Period,Amount\n" + "".join(rows)
    at = text.rindex("CSC-STF-RA")
    data = (text[:at] + "CSC\x00STF-RA" + text[at + 10 :]).encode()
    if where > 4096:  # beyond the first 4 KB, where the file's type is decided
        report = actuals_import(data, file_name="nul.csv", user=finance)
        row = len(rows) + 1
        assert report.file_error == (
            f"Row {row}, column 1: the cell holds a NUL byte (character 0), which no council "
            "system exports; the file may be damaged."
        )
        path = tmp_path / "nul.csv"
        path.write_bytes(data)
        with pytest.raises(CommandError, match=f"Row {row}, column 1: the cell holds a NUL"):
            call_command("import_actuals", str(path))
    else:
        with pytest.raises(ImportFileError):
            read_rows(data)
