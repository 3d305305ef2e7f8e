"""The ways finance systems name the period of a ledger row, read into (financial year start,
period number). Pure functions, no database: the importer caches them per distinct spelling, so
a million-row extract parses a few dozen periods.

Spellings understood (any case):

- a year label and a period number: `2024/25` (`2024-25`, `2024/2025`, `FY 2024/25`) with
  `6`, `P6`, `P06`; the year may instead come with the file (`--year`, the page's year field);
- Oracle period names, month and calendar year: `APR-24`, `Apr-2024`, `April 2024`
  (April 2024 is 2024/25 P1; March 2025 is 2024/25 P12);
- Unit4 (Agresso) year and period: `202401` is period 1 of the year beginning in 2024,
  `202412` its period 12;
- a date: in the year column (the period-end date), in the period column, or a posting date.

Periods 13 to 16 are the year-end adjustment periods of Unit4, Oracle and Civica ledgers
(`202413`, `P13`): they are returned as they are, and the importer adds them to period 12,
because the dashboard reports twelve months and adjustments are March's business.
"""

import datetime
import re

from budgets.importing import parse_date

LAST_PERIOD = 12
LAST_ADJUSTMENT_PERIOD = 16

_MONTHS = [
    *("january", "february", "march", "april", "may", "june"),
    *("july", "august", "september", "october", "november", "december"),
]

# `2024/25`, and the spellings ledgers print for it: `2024-25`, `2024/2025`, `FY 2024/25`.
_YEAR_LABEL = re.compile(r"^(?:FY\s*)?(\d{4})\s*[/-]\s*(\d{2}|\d{4})$", re.IGNORECASE)
# Oracle period names: `APR-24`, `Apr-2024`, `April 2024`, `Sept 24`.
_MONTH_NAME = re.compile(r"^([A-Za-z]{3,9})\.?[\s/-]*(\d{2}|\d{4})$")
# Unit4 accounting periods: four-digit year beginning, two-digit period.
_YEAR_AND_PERIOD = re.compile(r"^(\d{4})(\d{2})$")
_PERIOD_NUMBER = re.compile(r"^(?:P(?:ERIOD)?\s*)?(\d{1,2})$", re.IGNORECASE)


class PeriodCellError(ValueError):
    """A row's period cannot be read; `key` names the cell at fault (year, period or
    posting_date), so the importer can quote that column's own header."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key


def label_of(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


def period_of(day: datetime.date) -> tuple[int, int]:
    """(financial year start, period) of a date: April is period 1."""
    start = day.year if day.month >= 4 else day.year - 1
    return start, (day.month - 4) % 12 + 1


def parse_financial_year(text: str) -> int:
    """A financial year given with the file (`2024/25`, `2024-25`, `FY 2024/2025`) → 2024.
    A bare `2024` is refused: ledgers mean the calendar year by it as often as the financial."""
    value = text.strip()
    match = _YEAR_LABEL.match(value)
    if not match:
        raise ValueError(f"{text!r} is not a financial year (use 2024/25)")
    return _checked_label(text, match)


def year_and_period(
    year: str, period: str, posting_date: str, default_year: int | None = None
) -> tuple[int, int]:
    """(financial year start, period 1..16) of a row from its year, period and posting-date
    cells (each may be empty); `default_year` is the year given with the file, used when a row
    has a period number and no year. Raises PeriodCellError naming the cell at fault."""
    if period:
        named = _named_period(period)
        if named is not None:
            if year:
                start = _year_cell(year)[0]
                if start != named[0]:
                    raise PeriodCellError(
                        "period",
                        f"{period} is in {label_of(named[0])}, not in {year} as the year says",
                    )
            return named
        if year:
            start = _year_cell(year)[0]
        elif default_year is not None:
            start = default_year
        elif _PERIOD_NUMBER.match(period.strip()):
            raise PeriodCellError(
                "period",
                f"period {period} needs a financial year: add a year column, or give the year "
                "with the file",
            )
        else:  # a date in the period column says its year, or the text is no period at all
            return period_of(_date_cell("period", period, message=_not_a_period(period)))
        return start, _period_in(start, period)
    if year:
        start, day = _year_cell(year)
        if day is not None:
            return period_of(day)
        if posting_date:
            day = _date_cell("posting_date", posting_date)
            if period_of(day)[0] != start:
                raise PeriodCellError(
                    "posting_date", f"the posting date {posting_date} is not in {year}"
                )
            return period_of(day)
        raise PeriodCellError("period", "the period is missing")
    if posting_date:
        return period_of(_date_cell("posting_date", posting_date))
    raise PeriodCellError("period", "the financial year and period (or a posting date) are missing")


def _named_period(text: str) -> tuple[int, int] | None:
    """A period that names its own year (Oracle `APR-24`, Unit4 `202401`), or None when the
    text is some other spelling. Raises PeriodCellError for a near miss (`202417`)."""
    value = text.strip()
    match = _YEAR_AND_PERIOD.match(value)
    if match:
        start, number = int(match.group(1)), int(match.group(2))
        if not 1 <= number <= LAST_ADJUSTMENT_PERIOD or not 2000 <= start <= 2099:
            raise PeriodCellError(
                "period",
                f"{text!r} is not a year and period like 202401 (periods 01 to 12, "
                "and 13 to 16 for year-end adjustments)",
            )
        return start, number
    match = _MONTH_NAME.match(value)
    if match:
        name, digits = match.group(1).lower(), match.group(2)
        months = [i for i, month in enumerate(_MONTHS, start=1) if month.startswith(name)]
        if len(months) == 1:  # three letters or more name one month at most
            calendar_year = int(digits) + (2000 if len(digits) == 2 else 0)
            if not 2000 <= calendar_year <= 2100:
                raise PeriodCellError("period", f"{text!r} is not a month of this century")
            return period_of(datetime.date(calendar_year, months[0], 1))
    return None


def _year_cell(text: str) -> tuple[int, datetime.date | None]:
    """The financial year's start, and the date when the cell held a date rather than a label."""
    value = text.strip()
    match = _YEAR_LABEL.match(value)
    if match:
        return _checked_label(text, match, key="year"), None
    try:
        day = parse_date(value)
    except ValueError:
        raise PeriodCellError(
            "year", f"{text!r} is not a financial year (use 2024/25, or a date like 30/09/2024)"
        ) from None
    return period_of(day)[0], day


def _checked_label(text: str, match: re.Match, *, key: str = "year") -> int:
    start, end = int(match.group(1)), match.group(2)
    if end != (str(start + 1) if len(end) == 4 else f"{(start + 1) % 100:02d}"):
        raise PeriodCellError(
            key, f"{text!r} is not a financial year: the years must be consecutive"
        )
    return start


def _date_cell(key: str, text: str, *, message: str = "") -> datetime.date:
    try:
        return parse_date(text)
    except ValueError as exc:
        raise PeriodCellError(key, message or str(exc)) from None


def _not_a_period(text: str) -> str:
    return (
        f"{text!r} is not a period from 1 to 12 (13 to 16 for year-end adjustments), a month "
        "like APR-24 or a year and period like 202401"
    )


def _period_in(start: int, text: str) -> int:
    """A period number (`6`, `P06`, `13`), or a date in the period (a month column of dates)."""
    match = _PERIOD_NUMBER.match(text.strip())
    if match:
        number = int(match.group(1))
        if 1 <= number <= LAST_ADJUSTMENT_PERIOD:
            return number
    else:
        try:
            day = parse_date(text)
        except ValueError:
            day = None
        if day is not None:
            if period_of(day)[0] != start:
                raise PeriodCellError(
                    "period", f"{text} is not in the financial year {label_of(start)}"
                )
            return period_of(day)[1]
    raise PeriodCellError("period", _not_a_period(text))
