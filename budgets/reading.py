"""Reading the files councils' systems really produce, row by row (CSV in UTF-8 or
Windows-1252, or an XLSX workbook's first sheet), so memory stays flat however large the file,
within Limits checked as each row is read."""

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from budgets.importing import XLSX_MAGIC, ImportFileError, max_upload_bytes, shorten


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
    """(header, rows) of a CSV or XLSX binary file object, typed by content, whatever its name says;
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

    from budgets.workbook import check_workbook

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


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
