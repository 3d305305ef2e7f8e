"""The statistical neighbours' average: the one rule every benchmark uses (LAC rates, workforce
indicators, Section 251 unit costs).

DfE statistics suppress small figures; a neighbour whose figure is suppressed or missing is left
out of the average, never counted as 0. Rounded half up, as the committee tables round."""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal


def neighbours_average(
    values: Iterable[Decimal | None], *, places: Decimal | None = Decimal("0.1")
) -> Decimal | None:
    """The mean of the known values (None: no neighbour has one), rounded to `places`
    (None: not rounded)."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    average = sum(known, Decimal("0")) / len(known)
    return average if places is None else average.quantize(places, rounding=ROUND_HALF_UP)
