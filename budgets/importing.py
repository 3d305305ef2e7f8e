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


@dataclass(frozen=True)
class RowError:
    row: int  # the row number a person sees in a spreadsheet (the header is row 1)
    message: str
    column: str = ""

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    """What an import did, or why it did nothing."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    errors: list[RowError] = field(default_factory=list)
    file_error: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_error

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted

    def summary(self) -> str:
        if self.file_error:
            return f"Nothing was imported: {self.file_error}"
        if self.errors:
            rows = len({error.row for error in self.errors})
            return f"Nothing was imported: {rows} rows have errors."
        return (
            f"Imported {self.rows} rows: {self.created} new, {self.updated} changed, "
            f"{self.unchanged} unchanged, {self.deleted} removed."
        )


def max_upload_bytes() -> int:
    return settings.CSC_MAX_UPLOAD_BYTES


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_table(data: bytes, *, file_name: str = "") -> pd.DataFrame:
    """Read a CSV or XLSX file into a DataFrame of strings, whatever its name says.

    The type is decided by content: an XLSX file is a zip archive holding `xl/workbook.xml`.
    CSV text may be UTF-8 (with or without a byte-order mark) or Windows-1252, as exports from
    older finance systems are (the £ sign is byte 0xA3 there). Blank rows are dropped; the
    index of the frame is the spreadsheet row number (header = row 1).
    """
    if len(data) > max_upload_bytes():
        raise ImportFileError(
            f"{file_name or 'The file'} is {len(data):,} bytes; the limit is "
            f"{max_upload_bytes():,} bytes."
        )
    if not data.strip():
        raise ImportFileError(f"{file_name or 'The file'} is empty.")
    frame = _read_xlsx(data) if data.startswith(XLSX_MAGIC) else _read_csv(data)
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.fillna("").astype(str).map(str.strip)
    frame.index = range(2, len(frame) + 2)
    return frame[(frame != "").any(axis=1)]


def _read_xlsx(data: bytes) -> pd.DataFrame:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise ImportFileError("The file is neither a CSV file nor an Excel workbook.") from None
    if "xl/workbook.xml" not in names:
        raise ImportFileError("The file is a zip archive but not an Excel workbook.")
    if any(name.startswith("xl/externalLinks/") for name in names):
        raise ImportFileError("The workbook links to other files; save it without links.")
    # openpyxl parses with defusedxml when it is installed (it is a dependency), which stops
    # entity-expansion ("billion laughs") attacks; cell formulas are read as text, never run.
    try:
        return pd.read_excel(io.BytesIO(data), dtype=str, engine="openpyxl", keep_default_na=False)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise ImportFileError(f"The workbook cannot be read: {exc}") from None


def _read_csv(data: bytes) -> pd.DataFrame:
    if b"\x00" in data[:4096]:
        raise ImportFileError("The file is neither a CSV file nor an Excel workbook.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ImportFileError("The file's text is neither UTF-8 nor Windows-1252.") from None
    try:
        return pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ImportFileError(f"The CSV file cannot be read: {exc}") from None


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
        raise ValueError(f"{raw!r} is not an amount of money")
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


# Errors kept in the log per import: enough to act on, bounded for a million-row file.
LOGGED_ERRORS = 1000


def record_import(
    *, kind: str, file_name: str, data: bytes | None = None, digest: str = "", user, report
):
    """Write the import log row. Call it outside the import's transaction, so that a refused
    import is logged even though its rows were rolled back."""
    from budgets.models import ImportRecord

    return ImportRecord.objects.create(
        kind=kind,
        file_name=file_name[:255],
        sha256=digest or sha256(data),
        user=user if user is not None and user.is_authenticated else None,
        rows=report.rows,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        deleted=report.deleted,
        outcome=ImportRecord.Outcome.SUCCESS if report.ok else ImportRecord.Outcome.FAILED,
        message=report.summary(),
        errors=[str(e) for e in report.errors[:LOGGED_ERRORS]]
        + ([report.file_error] if report.file_error else []),
    )


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


def iter_rows(source, *, file_name: str = "", max_bytes: int | None = None):
    """(header, rows) of a CSV or XLSX binary file object, typed by content like read_table;
    rows yields (spreadsheet row number, [cell texts]) and skips blank rows. `max_bytes`
    defaults to the upload limit; the command line passes its own, larger one."""
    limit = max_bytes or max_upload_bytes()
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
        return _xlsx_rows(source)
    if b"\x00" in head:
        raise ImportFileError("The file is neither a CSV file nor an Excel workbook.")
    return _csv_rows(source)


def _csv_rows(source):
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
    text = io.TextIOWrapper(source, encoding=encoding, newline="", errors="strict")
    reader = csv.reader(text)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ImportFileError("The file is empty.") from None
    except UnicodeDecodeError:
        raise ImportFileError("The file's text is neither UTF-8 nor Windows-1252.") from None

    def rows():
        try:
            for number, row in enumerate(reader, start=2):
                cells = [cell.strip() for cell in row]
                if any(cells):
                    yield number, cells
        except UnicodeDecodeError:
            raise ImportFileError("The file's text is neither UTF-8 nor Windows-1252.") from None
        except csv.Error as exc:
            raise ImportFileError(f"The CSV file cannot be read: {exc}") from None
        finally:
            text.detach()

    return header, rows()


def codecs_incremental(encoding: str):
    import codecs

    return codecs.getincrementaldecoder(encoding)()


def _xlsx_rows(source):
    import openpyxl

    _read_xlsx_names(source)
    source.seek(0)
    try:
        book = openpyxl.load_workbook(source, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise ImportFileError(f"The workbook cannot be read: {exc}") from None
    sheet = book.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    try:
        header = [_cell_text(v) for v in next(values)]
    except StopIteration:
        raise ImportFileError("The workbook's first sheet is empty.") from None

    def rows():
        for number, row in enumerate(values, start=2):
            cells = [_cell_text(v) for v in row]
            if any(cells):
                yield number, cells
        book.close()

    return header, rows()


def _read_xlsx_names(source) -> None:
    try:
        with zipfile.ZipFile(source) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise ImportFileError("The file is neither a CSV file nor an Excel workbook.") from None
    if "xl/workbook.xml" not in names:
        raise ImportFileError("The file is a zip archive but not an Excel workbook.")
    if any(name.startswith("xl/externalLinks/") for name in names):
        raise ImportFileError("The workbook links to other files; save it without links.")


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
