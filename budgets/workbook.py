"""Workbooks checked before openpyxl reads them: zip bombs, links to other files, DTDs, and
cells, rows or columns beyond the limits, found while streaming the parts, never inflating them
whole."""

import zipfile

from budgets.importing import ImportFileError, shorten

_RELS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SMALL_PART = 16 * 1024 * 1024  # workbook.xml and .rels parts: a few kilobytes in real files


def check_workbook(source, limits) -> None:
    """Refuse a workbook before it is inflated when its zip directory says it is too large or
    too compressed, then read its parts in small chunks (never whole) counting what each
    really inflates to (a directory can lie), refusing: links to other files or addresses, and
    in the shared strings and the first sheet any cell, row or column beyond the limits."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError("The file is neither a CSV file nor an Excel workbook.") from None
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if "xl/workbook.xml" not in names:
            raise ImportFileError("The file is a zip archive but not an Excel workbook.")
        if any(name.startswith("xl/externalLinks/") for name in names):
            raise ImportFileError("The workbook links to other files; save it without links.")
        inflated = sum(info.file_size for info in infos)
        if inflated > limits.inflated_bytes:
            raise ImportFileError(
                f"The workbook unpacks to {inflated:,} bytes; the limit is "
                f"{limits.inflated_bytes:,}. Save the sheet as CSV, or split it."
            )
        for info in infos:
            if info.file_size > (1 << 20) and info.file_size > limits.ratio * max(
                info.compress_size, 1
            ):
                raise ImportFileError(
                    f"The workbook's part {shorten(info.filename, 80)} is compressed more than "
                    f"{limits.ratio} to 1, which no spreadsheet program does."
                )
        budget = _Inflation(limits.inflated_bytes)
        try:
            for info in infos:
                if info.filename.endswith(".rels"):
                    _refuse_external(info.filename, _read_part(archive, info, budget))
            if "xl/sharedStrings.xml" in names:
                _scan_part(archive, archive.getinfo("xl/sharedStrings.xml"), budget, limits)
            for name in _first_sheet(archive, names, budget):
                _scan_part(archive, archive.getinfo(name), budget, limits, sheet=True)
        except ImportFileError:
            raise
        except Exception as exc:  # zipfile's CRC check, a damaged part, bad XML
            raise ImportFileError(f"The workbook cannot be read: {shorten(str(exc))}") from None


class _Inflation:
    """Bytes inflated so far, against the limit."""

    def __init__(self, limit: int):
        self.limit, self.used = limit, 0

    def add(self, count: int) -> None:
        self.used += count
        if self.used > self.limit:
            raise ImportFileError(
                f"The workbook unpacks to more than {self.limit:,} bytes (more than its own "
                "directory says); it is refused."
            )


def _chunks(archive, info, budget: _Inflation):
    with archive.open(info) as part:
        for chunk in iter(lambda: part.read(1 << 16), b""):
            budget.add(len(chunk))
            yield chunk


def _read_part(archive, info, budget: _Inflation) -> bytes:
    data = bytearray()
    for chunk in _chunks(archive, info, budget):
        data += chunk
        if len(data) > _SMALL_PART:
            raise ImportFileError(f"The workbook's part {shorten(info.filename, 80)} is too large.")
    return bytes(data)


def _parse_small_xml(name: str, data: bytes):
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise ImportFileError(f"The workbook's part {name} declares a DTD or entities.") from None


def _refuse_external(name: str, data: bytes) -> None:
    """A relationship to an outside target (another workbook, a web address, a UNC path)
    lets a file reach beyond itself wherever it sits; councils' ledger and establishment
    extracts have none."""
    for element in _parse_small_xml(name, data).iter():
        if (element.get("TargetMode") or "").strip().lower() == "external":
            raise ImportFileError(
                "The workbook links to other files or addresses "
                f"({shorten(element.get('Target') or '', 80)!s}); save it without links."
            )


def _first_sheet(archive, names: set[str], budget: _Inflation) -> list[str]:
    """The part openpyxl reads as the first sheet: the workbook's first <sheet>, through the
    workbook's relationships. When that cannot be worked out, every worksheet part."""
    every = sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    try:
        book = _parse_small_xml(
            "xl/workbook.xml", _read_part(archive, archive.getinfo("xl/workbook.xml"), budget)
        )
        first = next(e for e in book.iter() if e.tag.rsplit("}", 1)[-1] == "sheet")
        rel_id = first.get(f"{{{_RELS_NS}}}id")
        rels_info = archive.getinfo("xl/_rels/workbook.xml.rels")
        rels = _parse_small_xml(rels_info.filename, _read_part(archive, rels_info, budget))
        target = next(e.get("Target") for e in rels.iter() if e.get("Id") == rel_id)
    except (StopIteration, KeyError):
        return every
    path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return [path] if path in names else every


def _column_number(reference: str) -> int:
    number = 0
    for char in reference:
        if not char.isalpha():
            break
        number = number * 26 + (ord(char.upper()) - 64)
    return number


def _scan_part(archive, info, budget: _Inflation, limits, *, sheet=False) -> None:
    """Stream one XML part through expat, counting rows, columns and each cell's characters
    (a shared string <si> or a sheet cell <c>). Memory stays flat whatever the part holds."""
    from xml.parsers import expat

    parser = expat.ParserCreate(namespace_separator="}")
    state = {"rows": 0, "chars": 0, "in_cell": False}

    def refuse_dtd(*_args):
        raise ImportFileError(f"The workbook's part {info.filename} declares a DTD or entities.")

    def start(name, attrs):
        tag = name.rsplit("}", 1)[-1]
        if tag in ("si", "c"):
            state["in_cell"], state["chars"] = True, 0
            if tag == "c" and sheet and _column_number(attrs.get("r", "")) > limits.columns:
                raise ImportFileError(
                    f"The sheet has a cell in column {_column_number(attrs['r']):,}; the "
                    f"limit is {limits.columns:,} columns."
                )
        elif tag == "row" and sheet:
            state["rows"] += 1
            index = attrs.get("r", "")
            number = int(index) if index.isdigit() else state["rows"]
            if max(number, state["rows"]) > limits.rows + 1:
                raise ImportFileError(
                    f"The sheet has more than {limits.rows:,} rows; the limit is {limits.rows:,}."
                )

    def end(name):
        if name.rsplit("}", 1)[-1] in ("si", "c"):
            state["in_cell"] = False

    def text(data):
        if state["in_cell"]:
            state["chars"] += len(data)
            if state["chars"] > limits.cell_chars:
                raise ImportFileError(
                    f"A cell of the workbook has more than {limits.cell_chars:,} characters "
                    "(Excel's own limit)."
                )

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        for chunk in _chunks(archive, info, budget):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise ImportFileError(
            f"The workbook's part {info.filename} is not well-formed XML: {exc}"
        ) from None
