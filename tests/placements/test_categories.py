"""SSDA903 PLACE codes and their cost categories."""

import datetime

import pytest

from placements.categories import PLACE_CODES, CostCategory, category_for

D = datetime.date


EXPECTED = {
    **{f"U{n}": "in_house_fostering" for n in range(1, 7)},
    **{c: "residential" for c in ["K2", "R1", "P3", "S1"]},
    "K1": "secure",
    **{c: "semi_independent" for c in ["H5", "P2", "K3"]},
    "P1": "placed_with_parents",
    **{f"A{n}": "adoption" for n in range(3, 7)},
    **{c: "other" for c in ["R2", "R3", "R5", "T0", "T1", "T2", "T3", "T4", "Z1"]},
}


@pytest.mark.parametrize("place", sorted(PLACE_CODES))
def test_every_place_code_has_a_cost_category_with_an_in_house_provider(place):
    assert category_for(place, "PR1") == EXPECTED[place]


def test_agency_fostering_is_u4_to_u6_from_a_private_or_voluntary_provider():
    for place in ["U4", "U5", "U6"]:
        for provider in ["PR4", "PR5"]:
            assert category_for(place, provider) == CostCategory.IFA
        for provider in ["PR0", "PR1", "PR2", "PR3", ""]:
            assert category_for(place, provider) == CostCategory.IN_HOUSE_FOSTERING
    for place in ["U1", "U2", "U3"]:
        assert category_for(place, "PR4") == CostCategory.IN_HOUSE_FOSTERING


def test_the_code_list_is_the_ssda903_one():
    assert set(EXPECTED) == PLACE_CODES
