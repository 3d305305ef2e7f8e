"""Staffing what-if scenarios: the arithmetic and the saved scenarios page."""

from decimal import Decimal

import pytest

from tests.parsed_html import parse
from workforce import scenarios

D = Decimal
pytestmark = pytest.mark.django_db


def test_bringing_agency_to_a_target_converts_the_dearest_posts_first():
    fte, saving = scenarios.agency_to_target(
        agency_fte=D("3"),
        permanent_fte=D("7"),
        target_percent=D("10"),
        premiums_per_fte=[D("5000"), D("8000"), D("2000")],
    )
    # 3 of 10 are agency; 10% means 1: convert 2 FTE, the £8,000 and £5,000 ones.
    assert (fte, saving) == (D("2.0"), D("-13000.00"))


def test_filling_vacancies_and_changing_agency_rates():
    assert scenarios.fill_vacancies(
        count=2, vacant_costs=[D("56000"), D("50000"), D("32000")]
    ) == D("82000.00")
    assert scenarios.change_agency_rates(agency_cost=D("6000000"), percent=D("-5")) == D(
        "-300000.00"
    )


def test_the_london_best_scenario_saves_about_half_a_million(client_for, director):
    client = client_for(director)
    response = client.post(
        "/workforce/scenarios/?date=2018-08-31",
        {"name": "London best", "kind": "agency_target", "target": "11"},
    )
    assert response.status_code == 302
    page = parse(client.get("/workforce/scenarios/?date=2018-08-31").content)
    saving = page.table("Saved scenarios").record("London best")["Change in full-year cost"]
    amount = D(saving.strip("()£").replace(",", ""))
    assert saving.startswith("(") and D("400000") < amount < D("700000")


def test_scrutiny_members_cannot_save_scenarios(client_for, scrutiny):
    response = client_for(scrutiny).post(
        "/workforce/scenarios/", {"name": "x", "kind": "fill", "count": "1"}
    )
    assert response.status_code == 403


def test_staffing_scenarios_are_each_councils_own(southwark, client_for, director):
    """A scenario saved for one council is neither shown to another nor blocks its names."""
    from django.test import override_settings

    from workforce.models import Scenario

    form = {"name": "Fill ten", "kind": "fill", "count": "10"}
    client = client_for(director)
    with override_settings(CSC_COUNCIL_LA_CODE="209"):
        assert client.post("/workforce/scenarios/", form).status_code == 302
        assert [s.name for s, *_ in client.get("/workforce/scenarios/").context["saved"]] == [
            "Fill ten"
        ]
    assert Scenario.objects.get().council.la_code == "209"
    assert client.get("/workforce/scenarios/").context["saved"] == []
    assert client.post("/workforce/scenarios/", form).status_code == 302  # same name, own council
    assert sorted(s.council.la_code for s in Scenario.objects.all()) == ["209", "210"]
