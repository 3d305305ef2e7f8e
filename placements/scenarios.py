"""What-if arithmetic for placements: each returns the change in full-year cost, in pounds
(negative is a saving), against the current position. Pure functions of the numbers given."""

from decimal import ROUND_HALF_UP, Decimal

WEEKS = Decimal("52")
PENNY = Decimal("0.01")


def move_children(*, children: Decimal, from_unit: Decimal, to_unit: Decimal) -> Decimal:
    """Move `children` placements from one category to another (e.g. IFA to in-house)."""
    return (children * (to_unit - from_unit) * WEEKS).quantize(PENNY, rounding=ROUND_HALF_UP)


def children_for_percentage(*, count: int, percentage: Decimal) -> Decimal:
    """A percentage of a category's children, in whole children (rounded half up)."""
    return (Decimal(count) * percentage / 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def change_unit_cost(*, children: int, unit: Decimal, percentage: Decimal) -> Decimal:
    """Change a category's weekly unit cost by `percentage` for every child placed in it."""
    return (Decimal(children) * unit * percentage / 100 * WEEKS).quantize(
        PENNY, rounding=ROUND_HALF_UP
    )


def match_lac_rate(
    *, children: int, population: int, target_rate: Decimal, weekly_cost_per_child: Decimal
) -> Decimal:
    """Bring the number looked after to `target_rate` per 10,000 children at today's average
    weekly cost per child (the committee report's 10.2)."""
    target = Decimal(population) * target_rate / 10000
    return ((target - children) * weekly_cost_per_child * WEEKS).quantize(
        PENNY, rounding=ROUND_HALF_UP
    )
