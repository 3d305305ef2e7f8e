"""Month and period arithmetic: the one home of every "first day", "last day" and "period of the
year" rule. Pure functions on dates; every app imports them from here.

A council's financial year starts on 1 April; period 1 is April and period 12 is March."""

import datetime

ONE_DAY = datetime.timedelta(days=1)


def month_of(start_year: int, period: int) -> datetime.date:
    """The first day of period `period` (1 = April) of the year starting in `start_year`."""
    month = (period + 2) % 12 + 1
    return datetime.date(start_year if month >= 4 else start_year + 1, month, 1)


def month_end(day: datetime.date) -> datetime.date:
    """The last day of `day`'s month."""
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - ONE_DAY


def period_end(start_year: int, period: int) -> datetime.date:
    """The last day of period `period` of the year starting in `start_year`."""
    return month_end(month_of(start_year, period))


def month_before(day: datetime.date) -> datetime.date:
    """The first day of the month before `day`'s month."""
    return (day.replace(day=1) - ONE_DAY).replace(day=1)


def is_month_end(day: datetime.date) -> bool:
    return (day + ONE_DAY).month != day.month


def month_ends(start: datetime.date, months: int) -> list[datetime.date]:
    """The next `months` month ends after `start` (the start's own when it is not one)."""
    result, day = [], start
    while len(result) < months:
        end = month_end(day)
        if end > start:
            result.append(end)
        day = end + ONE_DAY
    return result
