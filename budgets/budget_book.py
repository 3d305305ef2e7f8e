"""Reading a budget book as finance systems export it (CSV or XLSX): one row per cost centre,
with its directorate and service, area of spend, original budget, virements and/or revised
budget, and optionally its Section 251 line and monthly profile.

Parsing only: every cell is checked and every problem is reported with the file's row number
and the file's own column header. The write is `budgets.council_setup.budget_book_import`.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from budgets.importing import (
    ImportFileError,
    RowError,
    column_indexes,
    iter_rows,
    parse_money,
)
from budgets.models import BudgetLine, Directorate, Service, parse_year_label

COLUMNS = {
    "directorate_code": ["directorate", "directorate code", "dir", "dir code"],
    "directorate_name": ["directorate name", "directorate description"],
    "service_code": ["service", "service code", "svc"],
    "service_name": ["service name", "service description"],
    "cost_centre": [
        "cost centre",
        "cost centre code",
        "cost center",
        "cost center code",
        "cc",
        "cost code",
    ],
    "description": [
        "cost centre description",
        "cost centre name",
        "cost center description",
        "description",
        "cc description",
    ],
    "area": ["area of spend", "area", "spend area"],
    "s251": ["section 251", "s251", "section 251 line", "s251 line"],
    "original": ["original budget", "original", "base budget"],
    "virements": ["virements", "virement", "budget virements"],
    "revised": [
        "revised budget",
        "current budget",
        "latest budget",
        "revised",
        "current",
        "latest",
        "working budget",
    ],
    "year": ["financial year", "year", "fin year"],
}

# How the columns are named in messages when the file has none of their spellings.
LABELS = {
    "directorate_code": "Directorate (code)",
    "directorate_name": "Directorate Name",
    "service_code": "Service (code)",
    "service_name": "Service Name",
    "cost_centre": "Cost Centre",
    "description": "Cost Centre Description",
    "area": "Area of Spend",
    "original": "Original Budget",
}
REQUIRED = list(LABELS)

MONTHS = ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar")
FULL_MONTHS = (
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "January",
    "February",
    "March",
)
MONTH_COLUMNS = {
    f"p{n}": [f"P{n:02d}", f"period {n}", MONTHS[n - 1], FULL_MONTHS[n - 1]] for n in range(1, 13)
}

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-/]*$")
_S251 = re.compile(r"^\d+(\.\d+)*$")


@dataclass
class BookRow:
    row: int
    directorate_code: str
    directorate_name: str
    service_code: str
    service_name: str
    cost_centre: str
    description: str
    area: str
    s251: str
    original: Decimal
    revised: Decimal
    profile: list[Decimal] | None
    year: str = ""


@dataclass
class BudgetBook:
    rows: list[BookRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # our name → the file's own header
    year_column: bool = False
    count: int = 0  # rows read, good or bad

    def header(self, name: str) -> str:
        return self.headers.get(name) or LABELS.get(name, name)


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def read_budget_book(source, *, file_name: str, max_bytes=None) -> BudgetBook:
    """Parse every row; raises ImportFileError when the file as a whole cannot be used."""
    header, rows = iter_rows(source, file_name=file_name, max_bytes=max_bytes)
    columns = column_indexes(header, COLUMNS, required=[])
    missing = [LABELS[name] for name in REQUIRED if name not in columns]
    if missing:
        raise ImportFileError(
            f"No column for {', '.join(missing)}. The file's columns are: "
            f"{', '.join(h for h in map(str, header) if h) or 'none'}."
        )
    months = column_indexes(header, MONTH_COLUMNS, required=[])
    if months and len(months) < 12:
        absent = [FULL_MONTHS[n - 1] for n in range(1, 13) if f"p{n}" not in months]
        raise ImportFileError(
            "The monthly profile must have all twelve months (P1 to P12 or Apr to Mar); "
            f"missing: {', '.join(absent)}."
        )
    book = BudgetBook(year_column="year" in columns)
    book.headers = {name: str(header[index]) for name, index in {**columns, **months}.items()}
    seen: dict[str, int] = {}
    for number, cells in rows:
        book.count += 1
        row = _parse_row(number, cells, columns, months, book)
        if row is None:
            continue
        first = seen.setdefault(row.cost_centre, number)
        if first != number:
            book.errors.append(
                RowError(
                    number,
                    f"cost centre {row.cost_centre} appears again (first on row {first})",
                    book.header("cost_centre"),
                )
            )
            continue
        book.rows.append(row)
    if not book.rows and not book.errors:
        raise ImportFileError(f"{file_name or 'The file'} has no budget lines.")
    _check_consistent_names(book)
    return book


def _parse_row(number, cells, columns, months, book: BudgetBook) -> BookRow | None:
    errors: list[RowError] = []

    def cell(name, index=None):
        index = columns.get(name) if index is None else index
        return cells[index].strip() if index is not None and index < len(cells) else ""

    def fail(name, message):
        errors.append(RowError(number, message, book.header(name)))

    texts = {}
    for name, model, model_field, what in [
        ("directorate_code", Directorate, "code", "directorate code"),
        ("directorate_name", Directorate, "name", "directorate name"),
        ("service_code", Service, "code", "service code"),
        ("service_name", Service, "name", "service name"),
        ("cost_centre", BudgetLine, "code", "cost centre"),
        ("description", BudgetLine, "name", "cost centre description"),
        ("area", None, None, "area of spend"),
    ]:
        value = cell(name)
        if name.endswith("code") or name == "cost_centre":
            value = value.upper()
        texts[name] = value
        if not value:
            fail(name, f"the {what} is missing")
        elif model is not None and len(value) > _max_length(model, model_field):
            fail(name, f"the {what} is longer than {_max_length(model, model_field)} characters")
        elif (name.endswith("code") or name == "cost_centre") and not _CODE.match(value):
            fail(name, f"{value!r} is not a code (letters, digits, - _ . /)")
    if len(texts["area"]) > 60:
        fail("area", "the area of spend is longer than 60 characters")
    s251 = cell("s251")
    if s251 and not _S251.match(s251):
        fail("s251", f"{s251!r} is not a Section 251 line like 3.1.4")

    def money(name):
        try:
            return parse_money(cell(name))
        except ValueError:
            what = book.header(name)
            fail(name, f"{cell(name)!r} is not an amount of money for {what}")
            return None

    original = money("original")
    virements = money("virements") if cell("virements") else None
    revised = money("revised") if cell("revised") else None
    if original is not None:
        if revised is not None and virements is not None:
            if revised != original + virements:
                fail(
                    "revised",
                    f"{book.header('revised')} {revised:,.2f} is not {book.header('original')} "
                    f"{original:,.2f} plus {book.header('virements')} {virements:,.2f} "
                    f"(= {original + virements:,.2f})",
                )
        elif revised is None:
            revised = original + (virements or Decimal("0"))
    profile = None
    if months:
        given = {n: cell(f"p{n}", months[f"p{n}"]) for n in range(1, 13)}
        if any(given.values()):
            profile = []
            for n in range(1, 13):
                name = f"p{n}"
                if not given[n]:
                    fail(name, "the monthly profile needs all twelve months: this one is empty")
                    profile.append(None)
                    continue
                try:
                    profile.append(parse_money(given[n]))
                except ValueError:
                    fail(name, f"{given[n]!r} is not an amount of money")
                    profile.append(None)
            if None not in profile and revised is not None and sum(profile) != revised:
                fail(
                    "p12",
                    f"the monthly profile adds up to {sum(profile):,.2f}, not the revised "
                    f"budget {revised:,.2f}",
                )
    year = cell("year")
    if year:
        try:
            parse_year_label(year)
        except ValueError as exc:
            fail("year", str(exc))
    book.errors.extend(errors)
    if errors:
        return None
    return BookRow(
        row=number,
        directorate_code=texts["directorate_code"],
        directorate_name=texts["directorate_name"],
        service_code=texts["service_code"],
        service_name=texts["service_name"],
        cost_centre=texts["cost_centre"],
        description=texts["description"],
        area=texts["area"],
        s251=s251,
        original=original,
        revised=revised,
        profile=profile,
        year=year,
    )


def _check_consistent_names(book: BudgetBook) -> None:
    """A directorate or service code must carry the same name on every row."""
    directorates: dict[str, BookRow] = {}
    services: dict[tuple[str, str], BookRow] = {}
    for row in book.rows:
        first = directorates.setdefault(row.directorate_code, row)
        if first.directorate_name != row.directorate_name:
            book.errors.append(
                RowError(
                    row.row,
                    f"directorate {row.directorate_code} is called {first.directorate_name!r} "
                    f"on row {first.row}",
                    book.header("directorate_name"),
                )
            )
        key = (row.directorate_code, row.service_code)
        first = services.setdefault(key, row)
        if first.service_name != row.service_name:
            book.errors.append(
                RowError(
                    row.row,
                    f"service {row.service_code} is called {first.service_name!r} "
                    f"on row {first.row}",
                    book.header("service_name"),
                )
            )
