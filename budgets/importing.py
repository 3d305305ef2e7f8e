"""What every import shares: row-numbered errors, the report, parsing the money and dates
councils' files hold, and finding the file's own columns.

Imports are all or nothing: an importer validates every row, collects every error with its row
number, and writes only when there are none, inside one transaction. Reading the files lives in
budgets/reading.py (and budgets/workbook.py for the checks on XLSX workbooks), the import log in
budgets/import_log.py; their public names are importable from here too.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

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


def _canonical(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


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


# The public names of the modules split out of this one stay importable from here, looked up
# when first asked for (those modules import this one, so importing them here would be a cycle).
_MOVED = {
    "declare_personal_import": "budgets.import_log",
    "import_started": "budgets.import_log",
    "logged_import": "budgets.import_log",
    "record_import": "budgets.import_log",
    "redact": "budgets.import_log",
    "redact_report": "budgets.import_log",
    "Limits": "budgets.reading",
    "file_digest": "budgets.reading",
    "iter_rows": "budgets.reading",
    "check_workbook": "budgets.workbook",
}


def __getattr__(name: str):
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
