"""How committee reports write money (£m to one decimal place, underspends in brackets), and
how pages name people and times."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

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


def money_input(amount: Decimal | None) -> str:
    """An amount as a forecast input shows it: pounds and pence with thousands separators,
    `11904770.3` → `11,904,770.30`, that parse_money reads back as the same figure."""
    if amount is None:
        return ""
    return f"{amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


def pence(amount: Decimal | None) -> str:
    """An amount in whole pence, for the forecast page's script (which adds integers, so no
    figure drifts as floats would): `1234.5` → `123450`; None → ``."""
    if amount is None:
        return ""
    return str(int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP)))


def person(user) -> str:
    """A user as pages name them: their full name, else their username."""
    if user is None:
        return ""
    return user.get_full_name() or user.username


def when(moment) -> str:
    """A time as pages show it, in the council's time zone: `5 Jun 2024 14:02`."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{local.day} {local:%b %Y %H:%M}"


def sign_off_summary(sign_off) -> str:
    """Who submitted a service's forecast and when, then who signed it off or returned it:
    "Submitted by Amina Okafor on 5 Jun 2024 14:02; signed off by Ravi Shah on 6 Jun 2024 09:30".
    """
    if sign_off is None:
        return ""
    text = f"Submitted by {person(sign_off.submitted_by)} on {when(sign_off.submitted_at)}"
    if sign_off.signed_off_by_id:
        text += (
            f"; signed off by {person(sign_off.signed_off_by)} on {when(sign_off.signed_off_at)}"
        )
    if sign_off.returned_by_id:
        text += f"; returned by {person(sign_off.returned_by)} on {when(sign_off.returned_at)}"
    return text
