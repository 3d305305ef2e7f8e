"""SSDA903 placement types grouped into the cost categories finance teams budget by.

PLACE codes are the DfE's (Children looked after return, SSDA903, placement type); PLACE_PROVIDER
PR0–PR3 are the council's own or another council's provision, PR4 a private provider, PR5 a
voluntary or third-sector one.
"""

from django.db import models


class CostCategory(models.TextChoices):
    IN_HOUSE_FOSTERING = "in_house_fostering", "In-house fostering"
    IFA = "ifa", "Independent fostering agency"
    RESIDENTIAL = "residential", "Residential"
    SECURE = "secure", "Secure"
    SEMI_INDEPENDENT = "semi_independent", "Semi-independent and supported"
    PLACED_WITH_PARENTS = "placed_with_parents", "Placed with parents"
    ADOPTION = "adoption", "Placed for adoption"
    OTHER = "other", "Other"


# Every PLACE code of the SSDA903 guidance, so an unknown code is refused on import.
PLACE_CODES = {
    "A3",
    "A4",
    "A5",
    "A6",  # placed for adoption
    "H5",  # semi-independent living
    "K1",
    "K2",
    "K3",  # secure children's home, children's home, other residential (supported)
    "P1",
    "P2",
    "P3",  # with parents, independent living, residential employment
    "R1",
    "R2",
    "R3",
    "R5",  # residential care home, NHS/health, family centre, YOI or prison
    "S1",  # all residential schools
    "T0",
    "T1",
    "T2",
    "T3",
    "T4",  # temporary placements
    "U1",
    "U2",
    "U3",
    "U4",
    "U5",
    "U6",  # foster placements
    "Z1",  # other
}
PROVIDER_CODES = {"PR0", "PR1", "PR2", "PR3", "PR4", "PR5"}
FOSTERING = {"U1", "U2", "U3", "U4", "U5", "U6"}


def category_for(place: str, provider: str) -> CostCategory:
    """The cost category of a placement (issue #4's mapping).

    Fostering is in-house when the council (or another council) provides it, PR0–PR3, and an
    independent fostering agency when a private or voluntary provider does, PR4–PR5; only
    U4–U6 can be agency placements, so U1–U3 are always in-house.
    """
    place, provider = place.strip().upper(), provider.strip().upper()
    if place in FOSTERING:
        if place in {"U4", "U5", "U6"} and provider in {"PR4", "PR5"}:
            return CostCategory.IFA
        return CostCategory.IN_HOUSE_FOSTERING
    if place in {"K2", "R1", "P3", "S1"}:
        return CostCategory.RESIDENTIAL
    if place == "K1":
        return CostCategory.SECURE
    if place in {"H5", "P2", "K3"}:
        return CostCategory.SEMI_INDEPENDENT
    if place == "P1":
        return CostCategory.PLACED_WITH_PARENTS
    if place in {"A3", "A4", "A5", "A6"}:
        return CostCategory.ADOPTION
    return CostCategory.OTHER
