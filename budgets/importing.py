"""What every import shares: reading the files councils' systems really produce, parsing their
money and dates, row-numbered errors, and the import log.

Imports are all or nothing: an importer validates every row, collects every error with its row
number, and writes only when there are none, inside one transaction.
"""

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import pandas as pd
from django.conf import settings

XLSX_MAGIC = b"PK\x03\x04"


class ImportFileError(ValueError):
    """The file as a whole cannot be read (wrong type, too large, missing columns)."""


# A message longer than this is cut short: a refused cell may be 32,767 characters long, and the
# import log (jsonb) and the page need only enough of it to find the cell.
MESSAGE_CHARS = 300


def shorten(text: str, limit: int = MESSAGE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class RowError:
    row: int  # the row number a person sees in a spreadsheet (the header is row 1)
    message: str
    column: str = ""

    def __post_init__(self):
        object.__setattr__(self, "message", shorten(str(self.message)))
        object.__setattr__(self, "column", shorten(str(self.column), 100))

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


def listed_errors() -> int:
    return settings.CSC_IMPORT_LISTED_ERRORS


class ErrorList(list):
    """A report's row errors: the first few (CSC_IMPORT_LISTED_ERRORS) are kept to show, the
    rest only counted, so a million bad rows cost a number, not a million objects."""

    def __init__(self, errors=(), *, dropped: int = 0):
        super().__init__()
        self.total = dropped
        self.extend(errors)

    def append(self, error) -> None:
        self.total += 1
        if len(self) < listed_errors():
            super().append(error)

    def extend(self, errors) -> None:
        for error in errors:
            self.append(error)

    @property
    def unlisted(self) -> int:
        return self.total - len(self)


@dataclass
class ImportReport:
    """What an import did, or why it did nothing."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    errors: list[RowError] = field(default_factory=ErrorList)
    file_error: str = ""
    # Loaded, but something in the file cannot be right (a total that no return can hold):
    # said on the page, in the command's output and in the import log; nothing is refused.
    warnings: list[str] = field(default_factory=list)

    def __setattr__(self, name, value):
        # Importers may put a new list in place of the errors (sorted, with more found): keep
        # the count of those already left unlisted.
        if name == "errors" and not isinstance(value, ErrorList):
            previous = self.__dict__.get("errors")
            value = ErrorList(value, dropped=previous.unlisted if previous is not None else 0)
        if name == "file_error":
            value = shorten(str(value), 1000)
        super().__setattr__(name, value)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_error

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted

    @property
    def unlisted_errors(self) -> int:
        return self.errors.unlisted

    def summary(self) -> str:
        if self.file_error:
            return f"Nothing was imported: {self.file_error}"
        if self.errors.unlisted:
            return (
                f"Nothing was imported: {self.errors.total:,} errors; the first "
                f"{len(self.errors)} are listed."
            )
        if self.errors:
            rows = len({error.row for error in self.errors})
            return f"Nothing was imported: {rows} rows have errors."
        done = (
            f"Imported {self.rows} rows: {self.created} new, {self.updated} changed, "
            f"{self.unchanged} unchanged, {self.deleted} removed."
        )
        if self.warnings:
            done += " Warning: " + " ".join(self.warnings)
        return done


def max_upload_bytes() -> int:
    return settings.CSC_MAX_UPLOAD_BYTES


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_table(data: bytes, *, file_name: str = "") -> pd.DataFrame:
    """Read a CSV or XLSX file into a DataFrame of strings, whatever its name says.

    Read through iter_rows, so the same limits and refusals apply. Blank rows are dropped; the
    index of the frame is the spreadsheet row number (header = row 1)."""
    header, rows = iter_rows(io.BytesIO(data), file_name=file_name)
    width = len(header)
    numbers, cells = [], []
    for number, row in rows:
        numbers.append(number)
        cells.append((row + [""] * width)[:width])
    return pd.DataFrame(cells, columns=header, index=numbers, dtype=str)


def _canonical(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def map_columns(
    frame: pd.DataFrame, aliases: dict[str, list[str]], *, required: list[str]
) -> pd.DataFrame:
    """Rename the file's columns to our names, tolerating the usual spellings
    (`Cost Centre`, `cost_centre_code`, `CC`); extra columns are ignored."""
    by_canonical = {_canonical(c): c for c in frame.columns}
    renames = {}
    for ours, spellings in aliases.items():
        for spelling in [ours, *spellings]:
            if _canonical(spelling) in by_canonical:
                renames[by_canonical[_canonical(spelling)]] = ours
                break
    missing = [name for name in required if name not in renames.values()]
    if missing:
        raise ImportFileError(
            f"Missing columns: {', '.join(missing)}. Found: {', '.join(frame.columns)}."
        )
    return frame.rename(columns=renames)[list(renames.values())]


_MONEY = re.compile(r"^[+-]?\d+(\.\d{1,2})?$")


_PLAIN_MONEY = re.compile(r"-?\d{1,12}(?:\.\d{1,2})?\Z")


def parse_money(text: str) -> Decimal:
    """`£1,234.56`, `(1,234.56)`, `-1234.5`, `1,234.56-` → Decimal pounds and pence.

    Raises ValueError for anything that is not an amount of money (text, three decimals)."""
    if _PLAIN_MONEY.match(text):  # most ledger cells: no sign tricks, symbols or separators
        return Decimal(text)
    raw = text
    value = text.strip().replace(" ", "").replace("\u00a0", "")
    negative = False
    if value.startswith("(") and value.endswith(")"):
        negative, value = True, value[1:-1]
    if value.endswith("-"):  # some ledgers print credits with a trailing minus
        negative, value = True, value[:-1]
    if value.startswith("-"):
        negative, value = not negative, value[1:]
    value = value.replace("£", "").replace(",", "")
    if not _MONEY.match(value):
        raise ValueError(f"{shorten(raw, 40)!r} is not an amount of money")
    if len(value.lstrip("+-").split(".")[0].lstrip("0")) > 12:  # numeric(14, 2) in the database
        raise ValueError(f"{shorten(raw, 40)!r} is more than £999,999,999,999.99")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{raw!r} is not an amount of money") from None
    return -amount if negative else amount


def parse_date(text: str) -> date:
    """ISO `2024-09-30` or UK `30/09/2024`; raises ValueError otherwise."""
    value = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (use dd/mm/yyyy or yyyy-mm-dd)")


# --- Personal data never quoted in the import log -------------------------------------------
#
# The import log is kept for years and shown in the admin and on the upload pages, so for a file
# that holds personal data (SSDA903 episodes: the child's identifier, date of birth, postcodes,
# the provider's URN) it must quote no cell: "row 2, DOB: the cell is not a date", never the
# date. A row shifted by a missing cell puts a postcode under PLACE, so the rule is on the
# value, not only the column: in such an import a quoted value is kept only when it is a short
# code (PLACE "ZZ", PLACE_PROVIDER "PR9") in a column not declared personal. Importers' own
# messages stay as they are; redact_report() rewrites them as the import is logged.

_PERSONAL_IMPORTS: dict[str, frozenset[str]] = {}

# A value as Python's repr quotes it in a message ('SE6 4RU' or "O'Neil"), or cut short by
# shorten() before its closing quote. An apostrophe inside a word (child's) opens no quote.
_QUOTED = re.compile(
    r"""(?<!\w)(?:'(?:[^'\\]|\\.)*(?:'(?!\w)|…$)|"(?:[^"\\]|\\.)*(?:"(?!\w)|…$))"""
)
_HARMLESS_CODE = re.compile(r"^[A-Za-z0-9]{1,3}$")
_FOUND = re.compile(r"(Found: )(.*?)(\.?)$", re.S)
_HEADER_LIKE = re.compile(r"^[A-Za-z][A-Za-z _()£%/&.-]{0,39}$")


def declare_personal_import(kind: str, columns) -> None:
    """An importer whose files hold personal data declares its kind and the columns (file
    headers, any case) that are personal; its errors are then redacted as it is logged."""
    _PERSONAL_IMPORTS[kind] = frozenset(str(c).strip().upper() for c in columns)


def redact(message: str, *, personal_columns: frozenset[str], column: str = "") -> str:
    """`message` without the cell values it quotes, for an import of personal data: a quoted
    value becomes "the cell" unless it is a short code in a column not declared personal; in
    "Found: <headers>" (a file whose first row may be data, not headers) a header holding
    digits becomes "(a value)"."""
    column_is_personal = not column or column.strip().upper() in personal_columns

    def replace(match) -> str:
        quoted = match.group(0)
        whole = not quoted.endswith("…")  # a value cut short is never a code
        if whole and not column_is_personal and _HARMLESS_CODE.match(quoted[1:-1]):
            return quoted
        return "the cell"

    text = _QUOTED.sub(replace, message)

    def headers(match) -> str:
        names = [
            name if _HEADER_LIKE.match(name) else "(a value)"
            for name in (n.strip() for n in match.group(2).split(","))
        ]
        return match.group(1) + ", ".join(names) + match.group(3)

    return _FOUND.sub(headers, text)


def redact_report(kind: str, report) -> None:
    """Rewrite `report`'s errors in place for an import declared personal (the page shows the
    same report), before anything of it is stored."""
    personal = _PERSONAL_IMPORTS.get(kind)
    if personal is None:
        return
    report.errors = ErrorList(
        [
            RowError(e.row, redact(e.message, personal_columns=personal, column=e.column), e.column)
            for e in report.errors
        ],
        dropped=report.errors.unlisted,
    )
    if report.file_error:
        report.file_error = redact(report.file_error, personal_columns=personal)


def import_started(*, kind: str, file_name: str, digest: str, user):
    """Log the import as running, before its transaction begins: importers call this first and
    pass the record to record_import at the end. Called in autocommit (commands and upload
    views do not run in a transaction), the row is committed at once, so an import killed at
    any point, its COMMIT included, leaves a record that says it did not finish."""
    from budgets.models import ImportRecord

    return ImportRecord.objects.create(
        kind=kind,
        file_name=file_name[:255],
        sha256=digest,
        user=user if user is not None and user.is_authenticated else None,
        outcome=ImportRecord.Outcome.RUNNING,
        message="Started; not finished.",
    )


def record_import(
    *,
    kind: str,
    file_name: str,
    data: bytes | None = None,
    digest: str = "",
    user,
    report,
    started=None,
):
    """Write the import log row: the outcome of the record `started` wrote, or a new row. Call
    it outside the import's transaction, so that a refused import is logged even though its
    rows were rolled back."""
    from budgets.models import ImportRecord

    redact_report(kind, report)
    record = started or ImportRecord(
        kind=kind,
        file_name=file_name[:255],
        sha256=digest or sha256(data),
        user=user if user is not None and user.is_authenticated else None,
    )
    record.rows = report.rows
    record.created = report.created
    record.updated = report.updated
    record.unchanged = report.unchanged
    record.deleted = report.deleted
    record.outcome = ImportRecord.Outcome.SUCCESS if report.ok else ImportRecord.Outcome.FAILED
    record.message = shorten(report.summary(), 2000)
    # The listed errors only (each message already short), and how many more there were.
    record.errors = (
        [str(e) for e in report.errors]
        + ([f"… and {report.unlisted_errors:,} more errors"] if report.unlisted_errors else [])
        + ([report.file_error] if report.file_error else [])
    )
    record.save()
    return record


# --- Streaming: files read row by row, so memory stays flat however large the file ----------


def file_digest(source) -> tuple[str, int]:
    """SHA-256 and size of a binary file object, read in chunks; leaves it at the start."""
    digest, size = hashlib.sha256(), 0
    source.seek(0)
    for chunk in iter(lambda: source.read(1 << 20), b""):
        digest.update(chunk)
        size += len(chunk)
    source.seek(0)
    return digest.hexdigest(), size


@dataclass(frozen=True)
class Limits:
    """How much one file may make us do. A file within the byte limit can still ask for hours
    of work or gigabytes of memory (a zip bomb, a million one-cell rows, one 300 MB cell);
    these stop it before or while it is read (settings CSC_IMPORT_*, CSC_XLSX_*)."""

    rows: int
    columns: int
    cell_chars: int
    inflated_bytes: int
    ratio: int

    @classmethod
    def for_import(cls, *, command_line: bool = False) -> "Limits":
        return cls(
            rows=settings.CSC_COMMAND_IMPORT_MAX_ROWS
            if command_line
            else settings.CSC_IMPORT_MAX_ROWS,
            columns=settings.CSC_IMPORT_MAX_COLUMNS,
            cell_chars=settings.CSC_IMPORT_MAX_CELL_CHARS,
            inflated_bytes=settings.CSC_XLSX_MAX_INFLATED_BYTES,
            ratio=settings.CSC_XLSX_MAX_COMPRESSION_RATIO,
        )

    def check_row(self, number: int, cells: list[str]) -> None:
        """Refuse a row beyond the limits: the whole file, since what follows cannot be
        trusted to be smaller."""
        if number > self.rows + 1:  # the header is row 1
            raise ImportFileError(
                f"The file has more than {self.rows:,} rows; the limit is {self.rows:,}."
            )
        if len(cells) > self.columns:
            raise ImportFileError(
                f"Row {number} has {len(cells):,} columns; the limit is {self.columns:,}."
            )
        for index, cell in enumerate(cells):
            if len(cell) > self.cell_chars:
                raise ImportFileError(
                    f"Row {number}, column {index + 1}: the cell has {len(cell):,} characters; "
                    f"the limit is {self.cell_chars:,}."
                )
            if "\x00" in cell:
                raise ImportFileError(
                    f"Row {number}, column {index + 1}: the cell holds a NUL byte (character "
                    "0), which no council system exports; the file may be damaged."
                )


def iter_rows(source, *, file_name: str = "", max_bytes: int | None = None):
    """(header, rows) of a CSV or XLSX binary file object, typed by content like read_table;
    rows yields (spreadsheet row number, [cell texts]) and skips blank rows. `max_bytes`
    defaults to the upload limit; the command line passes its own, larger one, and gets its
    own row limit with it. Every row is checked against Limits as it is read."""
    limit = max_bytes or max_upload_bytes()
    limits = Limits.for_import(command_line=max_bytes is not None)
    _, size = file_digest(source)
    if size > limit:
        raise ImportFileError(
            f"{file_name or 'The file'} is {size:,} bytes; the limit is {limit:,} bytes."
        )
    head = source.read(4096)
    source.seek(0)
    if not head.strip():
        raise ImportFileError(f"{file_name or 'The file'} is empty.")
    if head.startswith(XLSX_MAGIC):
        return _xlsx_rows(source, limits)
    if b"\x00" in head:
        raise ImportFileError("The file is neither a CSV file nor an Excel workbook.")
    return _csv_rows(source, limits)


class _Borrowed(io.RawIOBase):
    """The caller's file, read through a text wrapper that must never close it: a wrapper
    left unfinished (an importer that stops early) closes its file when collected, and the
    caller still needs it (to log the import)."""

    def __init__(self, source):
        self._source = source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._source.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _csv_rows(source, limits: Limits):
    import csv

    encoding = "utf-8-sig"
    try:  # decide the encoding on the whole file first, without holding it in memory
        decoder = codecs_incremental("utf-8-sig")
        for chunk in iter(lambda: source.read(1 << 20), b""):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        encoding = "cp1252"
    source.seek(0)
    text = io.TextIOWrapper(
        io.BufferedReader(_Borrowed(source)), encoding=encoding, newline="", errors="strict"
    )
    reader = csv.reader(text)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ImportFileError("The file is empty.") from None
    except UnicodeDecodeError:
        raise ImportFileError("The file's text is neither UTF-8 nor Windows-1252.") from None
    except csv.Error as exc:
        raise ImportFileError(f"The CSV file cannot be read: {exc}") from None
    limits.check_row(1, header)

    def rows():
        try:
            for number, row in enumerate(reader, start=2):
                limits.check_row(number, row)
                cells = [cell.strip() for cell in row]
                if any(cells):
                    yield number, cells
        except UnicodeDecodeError:
            raise ImportFileError("The file's text is neither UTF-8 nor Windows-1252.") from None
        except csv.Error as exc:
            raise ImportFileError(f"The CSV file cannot be read: {exc}") from None

    return header, rows()


def codecs_incremental(encoding: str):
    import codecs

    return codecs.getincrementaldecoder(encoding)()


def _xlsx_rows(source, limits: Limits):
    import openpyxl

    check_workbook(source, limits)
    source.seek(0)
    try:
        book = openpyxl.load_workbook(source, read_only=True, data_only=False)
        sheet = book.worksheets[0]
        # openpyxl pads every row to the width and height the sheet declares (<dimension>),
        # which a file may set to 16,384 columns; the real cells were checked above.
        if (sheet.max_column or 0) > limits.columns or (sheet.max_row or 0) > limits.rows + 1:
            sheet.reset_dimensions()
        values = sheet.iter_rows(values_only=True)
        first = next(values, None)
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise ImportFileError(f"The workbook cannot be read: {shorten(str(exc))}") from None
    if first is None:
        raise ImportFileError("The workbook's first sheet is empty.")
    header = [_cell_text(v) for v in first]
    limits.check_row(1, header)

    def rows():
        try:
            for number, row in enumerate(values, start=2):
                cells = [_cell_text(v) for v in row]
                limits.check_row(number, cells)
                if any(cells):
                    yield number, cells
        except ImportFileError:
            raise
        except Exception as exc:  # a damaged sheet found part way (zipfile's CRC check)
            raise ImportFileError(f"The workbook cannot be read: {shorten(str(exc))}") from None
        finally:
            book.close()

    return header, rows()


# --- Workbooks checked before openpyxl reads them ---------------------------------------------

_RELS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SMALL_PART = 16 * 1024 * 1024  # workbook.xml and .rels parts: a few kilobytes in real files


def check_workbook(source, limits: Limits) -> None:
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


def _scan_part(archive, info, budget: _Inflation, limits: Limits, *, sheet=False) -> None:
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


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def column_indexes(header: list[str], aliases: dict[str, list[str]], *, required: list[str]):
    """Our column name → its index in the file, tolerating the usual spellings."""
    by_canonical = {}
    for index, name in enumerate(header):
        by_canonical.setdefault(_canonical(str(name)), index)
    found = {}
    for ours, spellings in aliases.items():
        for spelling in [ours, *spellings]:
            if _canonical(spelling) in by_canonical:
                found[ours] = by_canonical[_canonical(spelling)]
                break
    missing = [name for name in required if name not in found]
    if missing:
        raise ImportFileError(
            f"Missing columns: {', '.join(missing)}. Found: {', '.join(map(str, header))}."
        )
    return found
