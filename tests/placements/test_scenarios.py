"""Placement what-if scenarios: the arithmetic and the saved scenarios page."""

import datetime
from decimal import Decimal

import pytest

from placements import scenarios

D = datetime.date


def test_moving_children_from_ifa_to_in_house_fostering():
    assert scenarios.move_children(
        children=Decimal(10), from_unit=Decimal("911"), to_unit=Decimal("426")
    ) == Decimal("-252200.00")


def test_a_percentage_of_a_category_in_whole_children():
    assert scenarios.children_for_percentage(count=198, percentage=Decimal("10")) == 20


def test_changing_a_unit_cost_by_a_percentage():
    assert scenarios.change_unit_cost(
        children=35, unit=Decimal("3741"), percentage=Decimal("-10")
    ) == Decimal("-680862.00")


def test_bringing_the_lac_rate_to_a_comparators():
    # 494 children, 68,845 aged 0-17, target 63.8 per 10,000 → 439.2311 children: 54.7689
    # fewer at £1,200 a week for 52 weeks = £3,417,579.36 less.
    change = scenarios.match_lac_rate(
        children=494,
        population=68845,
        target_rate=Decimal("63.8"),
        weekly_cost_per_child=Decimal("1200"),
    )
    assert change == Decimal("-3417579.36")


@pytest.mark.django_db
def test_a_saved_scenario_shows_its_result(client_for, finance):
    client = client_for(finance)
    response = client.post(
        "/placements/scenarios/?date=2017-09-30",
        {
            "name": "Ten IFA to in-house",
            "kind": "move",
            "from": "ifa",
            "to": "in_house_fostering",
            "children": "10",
        },
    )
    assert response.status_code == 302
    html = client.get("/placements/scenarios/?date=2017-09-30").content.decode()
    assert "Ten IFA to in-house" in html
    assert "(£252,200)" in html
