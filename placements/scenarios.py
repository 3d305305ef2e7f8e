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


def scenario_change(kind: str, parameters: dict, position) -> Decimal | None:
    """A saved scenario's change in full-year cost against `position` (a
    placements.selectors.PlacementPosition: costs by category, the LAC rate comparators, the
    population they are per 10,000 of, children looked after and their weekly cost). None:
    the comparator has no figure. Raises on parameters that are not usable."""
    p = parameters
    if kind == "move":
        source, target = position.costs[p["from"]], position.costs[p["to"]]
        count = Decimal(p.get("children") or 0) or children_for_percentage(
            count=source.children, percentage=Decimal(p.get("percentage") or 0)
        )
        return move_children(
            children=count, from_unit=source.unit_cost or 0, to_unit=target.unit_cost or 0
        )
    if kind == "unit_cost":
        row = position.costs[p["category"]]
        return change_unit_cost(
            children=row.children, unit=row.unit_cost or 0, percentage=Decimal(p["percentage"])
        )
    # The comparator's rate and the population it is per 10,000 of, both of the 31 March the
    # benchmark rule gives for the day (never a later year's rate beside this year's children).
    target = position.lac_rates.get(p["comparator"])
    population = position.rate_population
    lac = position.lac
    if target is None or not population or not lac:
        return None
    return match_lac_rate(
        children=lac,
        population=population,
        target_rate=target,
        weekly_cost_per_child=position.weekly_cost / lac,
    )
