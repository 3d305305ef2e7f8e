"""Numbers typed into forms (scenario percentages, amounts, counts): one parser that refuses
what Python's Decimal would accept but no person means and the database cannot hold or the
pages cannot compute with: NaN, Infinity, exponents (1e400), 29 nines, too many decimals."""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.http import Http404

# Plain digits with an optional sign and decimals, nothing else: no exponent, no NaN/Infinity,
# no thousands separators (a form is not a ledger; parse_money reads those).
_PLAIN = re.compile(r"[+-]?\d{1,15}(?:\.\d{1,15})?\Z")
_WHOLE = re.compile(r"[+-]?\d{1,15}\Z")

# The same shapes, as PostgreSQL regular expressions for check constraints on stored values.
DECIMAL_SQL_REGEX = r"^-?[0-9]{1,6}(\.[0-9]{1,6})?$"
WHOLE_SQL_REGEX = r"^[0-9]{1,6}$"


def parse_decimal(
    text: str | None,
    *,
    minimum: Decimal | int,
    maximum: Decimal | int,
    places: int = 2,
    what: str = "the number",
) -> Decimal:
    """A finite number from `minimum` to `maximum` with at most `places` decimals; raises
    ValueError with a message a person can act on."""
    value = (text or "").strip()
    if not value:
        raise ValueError(f"Enter {what}.")
    if not _PLAIN.match(value):
        raise ValueError(f"Enter {what} as a number, like 12.5.")
    number = Decimal(value)
    if not minimum <= number <= maximum:
        raise ValueError(f"Enter {what} from {minimum} to {maximum}.")
    if -number.as_tuple().exponent > places:
        raise ValueError(f"Enter {what} with at most {places} decimal places.")
    return number


def parse_whole(text: str | None, *, minimum: int, maximum: int, what: str = "the number") -> int:
    """A whole number from `minimum` to `maximum`; raises ValueError with a message."""
    value = (text or "").strip()
    if not value:
        raise ValueError(f"Enter {what}.")
    if not _WHOLE.match(value):
        raise ValueError(f"Enter {what} as a whole number, like 3.")
    number = int(value)
    if not minimum <= number <= maximum:
        raise ValueError(f"Enter {what} from {minimum} to {maximum}.")
    return number


# What a page shows in place of a saved what-if whose stored figures cannot be worked with
# (saved before these checks, or written around them): the page still answers.
UNUSABLE = "Cannot be worked out: its saved figures are not usable numbers."


def safely(compute):
    """compute() → (result, None), or (None, UNUSABLE) when a stored figure breaks it."""
    try:
        result = compute()
    except (ArithmeticError, ValueError, KeyError, TypeError):
        return None, UNUSABLE
    if isinstance(result, Decimal) and not result.is_finite():  # NaN spreads without raising
        return None, UNUSABLE
    return result, None


def parse_name(text: str | None, *, max_length: int, what: str = "a name") -> str:
    """A short piece of text (a scenario's name): present and no longer than the column."""
    value = (text or "").strip()
    if not value:
        raise ValueError(f"Enter {what}.")
    if len(value) > max_length:
        raise ValueError(f"Enter {what} of at most {max_length} characters.")
    return value


# Dates a page is asked about: the years any council's records could cover. Outside them
# date arithmetic (a year before 0001-01-01) fails and no figure could exist anyway.
EARLIEST_DAY, LATEST_DAY = date(1990, 1, 1), date(2100, 12, 31)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def parse_day(text: str | None) -> date:
    """An ISO date (yyyy-mm-dd) from 1990 to 2100; raises ValueError with a message."""
    value = (text or "").strip()
    day = None
    if _ISO_DAY.match(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
    if day is None:
        raise ValueError(f"{value[:20]!r} is not a date: use yyyy-mm-dd.")
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(f"Choose a date from {EARLIEST_DAY:%Y} to {LATEST_DAY:%Y}.")
    return day


def query_day(request, default, name: str = "date") -> date:
    """The date a page is asked for in its query (`?date=`), or default() when none is given;
    a date that cannot be read or is out of range is a 404 with the reason."""
    choice = query_date(request, default, name)
    if choice.error:
        raise Http404(choice.error)
    return choice.day


# The GOV.UK date-input pattern: `?day=31&month=3&year=2024`, three fields, each message the
# Design System's own. `?date=2024-03-31` (links, bookmarks) is read as before.
_DIGITS = re.compile(r"\d{1,4}\Z")
DATE_PARTS = ("day", "month", "year")


@dataclass
class DateChoice:
    """The date a page shows, what was typed in each field (to show it again), and when the
    typing could not be read, the message and the fields it is about."""

    day: date
    fields: dict = field(default_factory=dict)
    error: str | None = None
    error_fields: tuple = ()

    @property
    def iso(self) -> str:
        return self.day.isoformat()


def parse_date_parts(day: str | None, month: str | None, year: str | None) -> date:
    """A date from the three fields of a GOV.UK date input; raises DateError with the Design
    System's message and the fields it is about."""
    parts = {
        "day": (day or "").strip(),
        "month": (month or "").strip(),
        "year": (year or "").strip(),
    }
    missing = [name for name in DATE_PARTS if not parts[name]]
    if len(missing) == 3:
        raise DateError("Enter a date", DATE_PARTS)
    if missing:
        raise DateError(f"Date must include a {' and '.join(missing)}", tuple(missing))
    wrong = tuple(name for name in DATE_PARTS if not _DIGITS.match(parts[name]))
    if wrong:
        raise DateError("Date must be a real date", wrong)
    if len(parts["year"]) != 4:
        raise DateError("Year must include 4 numbers", ("year",))
    try:
        chosen = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        raise DateError("Date must be a real date", DATE_PARTS) from None
    if not EARLIEST_DAY <= chosen <= LATEST_DAY:
        raise DateError(f"Date must be between {EARLIEST_DAY:%Y} and {LATEST_DAY:%Y}", ("year",))
    return chosen


class DateError(ValueError):
    def __init__(self, message: str, fields: tuple):
        super().__init__(message)
        self.fields = fields


def query_date(request, default, name: str = "date") -> DateChoice:
    """The date a page is asked for: `?day=&month=&year=` (the date input) or `?date=` (ISO),
    else default(). Input that cannot be read gives default() with the error to show (the page
    answers 400)."""
    get = request.GET
    if any(get.get(part) is not None for part in DATE_PARTS):
        typed = {part: (get.get(part) or "")[:20] for part in DATE_PARTS}
        try:
            chosen = parse_date_parts(typed["day"], typed["month"], typed["year"])
        except DateError as exc:
            return DateChoice(default(), typed, str(exc), exc.fields)
        return DateChoice(chosen, typed)
    text = get.get(name)
    if text:
        try:
            chosen = parse_day(text)
        except ValueError as exc:
            return DateChoice(default(), dict.fromkeys(DATE_PARTS, ""), str(exc), DATE_PARTS)
    else:
        chosen = default()
    return DateChoice(
        chosen, {"day": str(chosen.day), "month": str(chosen.month), "year": str(chosen.year)}
    )
