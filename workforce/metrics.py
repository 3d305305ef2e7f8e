"""The staffing numbers: pure arithmetic on what workforce.selectors read. No queries here (an
import-linter contract forbids models): values in, values out, tested with small examples.

FTE by status is a dict keyed by the filling status values ("permanent", "agency", "vacant").
"""

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
PENNY = Decimal("0.01")
# An agency day rate becomes an annual cost over the days a full-time worker works: 52 weeks of
# 5 days less 8 bank holidays and 24 days' leave (agency workers are paid only for days worked).
WORKING_DAYS = 228


def annual_from_rates(*, fte: Decimal, day_rate=None, hourly_rate=None, hours_per_day="7.4"):
    if day_rate is not None:
        return (Decimal(day_rate) * WORKING_DAYS * fte).quantize(PENNY)
    if hourly_rate is not None:
        return (Decimal(hourly_rate) * Decimal(hours_per_day) * WORKING_DAYS * fte).quantize(PENNY)
    return None


def staff_in_post(fte: dict[str, Decimal]) -> Decimal:
    """FTE in post: permanent and agency workers (a vacant post has nobody in it)."""
    return fte["agency"] + fte["permanent"]


def agency_ratio(fte: dict[str, Decimal]) -> Decimal | None:
    """Agency FTE ÷ (agency + permanent FTE), as a percentage to one decimal."""
    worked = staff_in_post(fte)
    if not worked:
        return None
    return (fte["agency"] * 100 / worked).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def vacancy_rate(fte: dict[str, Decimal]) -> Decimal | None:
    """Vacant FTE ÷ all establishment FTE, as a percentage (the DfE's definition)."""
    total = sum(fte.values(), ZERO)
    if not total:
        return None
    return (fte["vacant"] * 100 / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def premium(*, annual_cost: Decimal, budgeted_cost: Decimal, fte: Decimal, post_fte: Decimal):
    """What a filling costs a year above the budgeted permanent cost of its share of the post
    (an agency worker's premium)."""
    return annual_cost - budgeted_cost * fte / post_fte


def caseload(cases: int | None, case_holding_fte: Decimal | None) -> Decimal | None:
    """Average cases per case-holding FTE, whole (None: not reported)."""
    if cases is None or not case_holding_fte:
        return None
    return (Decimal(cases) / case_holding_fte).quantize(Decimal("1"))


def establishment_outturn(
    *, spent: dict[int, Decimal], annual_costs: dict[int, Decimal], fraction: Decimal
) -> dict[int, Decimal]:
    """Staffing outturn per budget line: spend to date plus the annual cost of the posts as
    filled at the period end for `fraction` of a year (vacant posts cost nothing)."""
    return {
        line: (spent.get(line, ZERO) + total * fraction).quantize(PENNY)
        for line, total in annual_costs.items()
    }


def census_problems(totals: dict, *, tags: dict[str, str] | None = None) -> list[str]:
    """What a census return's totals say that cannot be: a negative count, or more agency FTE
    than the FTE of every worker in the return (agency workers are among its workers). Warned
    on import and on the page, not refused: the council may know why. `tags` names a total by
    the return's own element."""
    tags = tags or {
        "vacancies": "Vacancies",
        "agency_fte": "Agency FTE",
        "agency_headcount": "Agency headcount",
    }
    problems = [
        f"{tags.get(name, name)} is {value}: a count cannot be negative, so it is kept as not "
        "reported."
        for name in ("vacancies", "agency_fte", "agency_headcount")
        if (value := totals.get(name)) is not None and value < 0
    ]
    agency, fte = totals.get("agency_fte"), totals.get("worker_fte")
    if agency is not None and fte is not None and agency > fte:
        problems.append(
            f"{tags.get('agency_fte', 'Agency FTE')} {agency} is more than the FTE of all the "
            f"return's workers ({fte}): check the return."
        )
    return problems
