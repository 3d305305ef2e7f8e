"""How committee reports write money: £m to one decimal place, underspends in brackets."""

from decimal import ROUND_HALF_UP, Decimal

MILLION = Decimal("1000000")


def to_millions(amount: Decimal) -> Decimal:
    """Pounds → £m rounded to one decimal, half away from zero as finance teams round."""
    return (amount / MILLION).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def millions(amount: Decimal | None, *, brackets: bool = True) -> str:
    """`12_900_000` → `12.9`; `-400_000` → `(0.4)` (or `-0.4` without brackets)."""
    if amount is None:
        return ""
    value = to_millions(amount)
    if value < 0 and brackets:
        return f"({-value:,.1f})"
    if value == 0:
        value = abs(value)  # never show "-0.0"
    return f"{value:,.1f}"


def pounds_millions(amount: Decimal | None) -> str:
    """`41_600_000` → `£41.6m`; `-400_000` → `(£0.4m)`."""
    if amount is None:
        return ""
    value = to_millions(amount)
    if value < 0:
        return f"(£{-value:,.1f}m)"
    return f"£{abs(value):,.1f}m"


def pounds(amount: Decimal | None) -> str:
    """Whole pounds with thousands separators, negatives in brackets: `(1,234)`."""
    if amount is None:
        return ""
    value = amount.quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    if value < 0:
        return f"(£{-value:,})"
    return f"£{abs(value):,}"
