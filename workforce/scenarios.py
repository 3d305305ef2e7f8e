"""What-if arithmetic for staffing: the change in full-year cost (negative is a saving)."""

from decimal import ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")


def agency_to_target(
    *,
    agency_fte: Decimal,
    permanent_fte: Decimal,
    target_percent: Decimal,
    premiums_per_fte: list[Decimal],
) -> tuple[Decimal, Decimal]:
    """Convert agency posts to permanent until agency FTE is `target_percent` of the workforce.

    Returns (FTE converted, change in full-year cost). The posts with the highest premium per
    FTE are converted first, as a council would; converting saves that premium."""
    workforce = agency_fte + permanent_fte
    convert = max(agency_fte - workforce * target_percent / 100, Decimal("0"))
    left, saving = convert, Decimal("0")
    for premium in sorted(premiums_per_fte, reverse=True):
        if left <= 0:
            break
        share = min(left, Decimal("1"))
        saving += premium * share
        left -= share
    return convert.quantize(Decimal("0.1")), (-saving).quantize(PENNY, rounding=ROUND_HALF_UP)


def fill_vacancies(*, count: int, vacant_costs: list[Decimal]) -> Decimal:
    """Fill `count` vacant posts with permanent staff at their budgeted cost (cheapest first,
    the usual order of recruitment): a full-year cost increase."""
    return sum(sorted(vacant_costs)[:count], Decimal("0")).quantize(PENNY)


def change_agency_rates(*, agency_cost: Decimal, percent: Decimal) -> Decimal:
    """Change every agency rate by `percent`."""
    return (agency_cost * percent / 100).quantize(PENNY, rounding=ROUND_HALF_UP)


def scenario_change(kind: str, parameters: dict, position) -> Decimal:
    """A saved scenario's change in full-year cost against `position` (a
    workforce.selectors.StaffingPosition: FTE by status, agency premiums per FTE, the agency
    cost, the budgeted cost of each vacant post). Raises on parameters that are not usable."""
    if kind == "agency_target":
        return agency_to_target(
            agency_fte=position.fte["agency"],
            permanent_fte=position.fte["permanent"],
            target_percent=Decimal(parameters["target"]),
            premiums_per_fte=position.premiums_per_fte,
        )[1]
    if kind == "fill":
        return fill_vacancies(count=int(parameters["count"]), vacant_costs=position.vacant_costs)
    return change_agency_rates(
        agency_cost=position.agency_cost, percent=Decimal(parameters["percent"])
    )
