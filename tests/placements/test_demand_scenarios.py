"""Demand scenarios: saved changes to the demand model's rates, shown against the base
projection in children and in money; one parser that refuses bad input, one service that saves.
On a second council set up through the commands
(tests.placements.test_demand_page's southwark: three children, one exit), worked by hand."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.test import override_settings

from budgets.models import AuditEntry
from placements import demand_inputs, demand_scenarios, services
from placements.models import Scenario
from tests.parsed_html import parse
from tests.placements import test_demand_page

southwark = test_demand_page.southwark  # the second council, set up through the commands

pytestmark = pytest.mark.django_db

URL = "/placements/scenarios/"
HALVED_EXIT = {
    "grouping": "cost",
    "adjustments": [{"from": "residential", "to": "exit", "factor": "0.5"}],
}


def user(username):
    return get_user_model().objects.get(username=username)


def hand_worked_year(exit_rate: float) -> tuple[float, float]:
    """From 1 March 2024 (the last day of data: B left residential care), rates from the three
    years to it, 2 March 2021 to 1 March 2024 (1,096 days): 2 entries into in-house fostering,
    1 into residential, and B's exit over the 60 days (2 January to 1 March 2024) on which a
    child was in residential care the day before: 1/60 a day. On 1 March: 2 in in-house
    fostering, none in residential. In-house: 2 + 2t/1096; residential:
    r(t) = (e/k)(1 − (1 − k)^t), e = 1/1096, k the exit rate. Twelve month ends: the last
    28 February 2025, day 364. Every child costs £100 a day (in-house £700 a week; residential
    has no open placement and takes the council's average, also £700).
    Returns (children on day 364, the cost of days 1 to 364)."""
    e = 1 / 1096
    in_house = [2 + 2 * t / 1096 for t in range(365)]
    residential = [e / exit_rate * (1 - (1 - exit_rate) ** t) for t in range(365)]
    cost = sum(100 * (in_house[t] + residential[t]) for t in range(1, 365))
    return in_house[364] + residential[364], cost


# --- the parser --------------------------------------------------------------------------


def test_the_parser_turns_group_changes_into_rate_adjustments_for_every_age():
    parsed = demand_scenarios.parse_parameters(
        {
            "adjustments": [
                {"from": "ifa", "to": "in_house_fostering", "factor": "2"},
                {"from": "entry", "to": "10-16 residential", "factor": "0.9"},
                {"from": "5-10 residential", "to": "exit", "addition": "36.5"},
            ]
        }
    )
    assert parsed.grouping == "cost"
    n = len(demand_inputs.group_names("cost"))  # 7 cost categories, 35 states
    ifa, in_house, residential = (
        demand_inputs.group_names("cost").index(g)
        for g in ("ifa", "in_house_fostering", "residential")
    )
    adjustments = parsed.adjustments()
    # IFA to in-house doubled, in each of the five age brackets, within the bracket.
    assert [(a.source, a.target, a.multiply) for a in adjustments[:5]] == [
        (age * n + ifa, age * n + in_house, 2.0) for age in range(5)
    ]
    entry = adjustments[5]
    assert (entry.source, entry.target, entry.multiply) == (3 * n + residential, None, 0.9)
    exit_ = adjustments[6]
    # 36.5 a year is 0.1 a day, added to the 5-10 residential state's rate of leaving care.
    assert (exit_.source, exit_.target, exit_.add) == (2 * n + residential, 5 * n, 0.1)
    assert parsed.describe() == (
        "Independent fostering agency to In-house fostering × 2; "
        "entries into 10-16 Residential × 0.9; 5-10 Residential to leaving care +36.5 a year"
    )


@pytest.mark.parametrize(
    "change, message",
    [
        ({"from": "ifa", "to": "residential", "factor": "nan"}, "Change 1: Enter the factor"),
        ({"from": "ifa", "to": "residential", "factor": "inf"}, "Change 1: Enter the factor"),
        ({"from": "ifa", "to": "residential", "factor": "1e400"}, "Change 1: Enter the factor"),
        ({"from": "ifa", "to": "residential", "factor": "-0.5"}, "the factor from 0 to 100"),
        ({"from": "ifa", "to": "castle", "factor": "2"}, "'castle' is not a placement group"),
        ({"from": "17-18 ifa", "to": "exit", "factor": "2"}, "'17-18 ifa' is not a placement"),
        ({"from": "ifa", "to": "ifa", "factor": "2"}, "two different groups or states"),
        ({"from": "entry", "to": "exit", "factor": "2"}, "choose the group children enter"),
        ({"from": "exit", "to": "ifa", "factor": "2"}, "not the reverse"),
        ({"from": "ifa", "to": "exit"}, "either a factor or an addition"),
        ({"from": "ifa", "to": "exit", "factor": "1", "addition": "1"}, "either a factor"),
        ({"from": "ifa", "to": "exit", "addition": "99999"}, "from -10000 to 10000"),
        ({"from": "", "to": "exit", "factor": "1"}, "choose where children move from and to"),
        ("ifa to exit", "Change 1: not readable."),
    ],
)
def test_the_parser_refuses_bad_input_with_a_message(change, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        demand_scenarios.parse_parameters({"adjustments": [change]})


@pytest.mark.parametrize(
    "raw, message",
    [
        (None, "not readable"),
        ({"adjustments": []}, "at least one rate"),
        ({"grouping": "nonsense", "adjustments": [{}]}, "Choose the placement groups"),
        ({"adjustments": [{"from": "ifa", "to": "exit", "factor": "1"}] * 13}, "at most 12"),
    ],
)
def test_the_parser_refuses_unreadable_parameters(raw, message):
    with pytest.raises(ValueError, match=message):
        demand_scenarios.parse_parameters(raw)


def test_every_bad_change_is_listed():
    with pytest.raises(ValueError) as refused:
        demand_scenarios.parse_parameters(
            {"adjustments": [{"from": "ifa", "to": "exit", "factor": "-1"}, {"from": "x"}]}
        )
    assert "Change 1:" in str(refused.value) and "Change 2:" in str(refused.value)


# --- the outcome, worked by hand ------------------------------------------------------------


def test_halving_the_only_exit_rate_keeps_more_children_in_residential_care(southwark):
    base_children, base_cost = hand_worked_year(1 / 60)
    children, cost = hand_worked_year(1 / 120)
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        arrays = demand_inputs.episode_arrays()
        assert arrays.latest_day == datetime.date(2024, 3, 1)
        outcome = demand_scenarios.outcome(
            demand_scenarios.parse_parameters(HALVED_EXIT), arrays=arrays, latest=arrays.latest_day
        )
    assert outcome.end == datetime.date(2025, 2, 28)
    assert outcome.base_children == pytest.approx(base_children)
    assert outcome.children == pytest.approx(children)
    assert outcome.change_in_children > 0
    # Twelve months' costs, each rounded to the penny: within 6p of the unrounded sum.
    assert abs(outcome.base_cost - Decimal(repr(base_cost))) <= Decimal("0.06")
    assert abs(outcome.cost - Decimal(repr(cost))) <= Decimal("0.06")
    assert abs(outcome.change_in_cost - Decimal(repr(cost - base_cost))) <= Decimal("0.12")


# --- saving: the service and the page -------------------------------------------------------


def test_the_service_saves_for_the_council_with_an_audit_row(southwark):
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        scenario = services.scenario_save(
            user=user("r.shah"), name="Fewer exits", kind="demand", parameters=HALVED_EXIT
        )
        assert scenario.council.la_code == "210"
        entry = AuditEntry.objects.get(object_type="placements.Scenario", object_id=scenario.pk)
        assert entry.user == user("r.shah") and entry.action == "create"
        with pytest.raises(services.ScenarioRefused, match="exists already"):
            services.scenario_save(
                user=user("a.okafor"), name="Fewer exits", kind="demand", parameters=HALVED_EXIT
            )
        with pytest.raises(PermissionDenied):
            services.scenario_save(
                user=user("cllr.adeyemi"), name="Other", kind="demand", parameters=HALVED_EXIT
            )
    assert Scenario.objects.filter(council__la_code="210").count() == 1


def test_the_page_saves_a_demand_scenario_and_shows_it_against_the_base(southwark, client):
    base_children, base_cost = hand_worked_year(1 / 60)
    children, cost = hand_worked_year(1 / 120)
    form = {
        "name": "Half the exits from residential",
        "kind": "demand",
        "change-from-1": "residential",
        "change-to-1": "exit",
        "change-factor-1": "0.5",
    }
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        client.force_login(user("a.okafor"))
        assert client.post(URL, form).status_code == 302
        saved = Scenario.objects.current().get()
        assert (saved.kind, saved.parameters) == ("demand", HALVED_EXIT)
        client.force_login(user("cllr.adeyemi"))
        response = client.get(URL)
        assert client.post(URL, {**form, "name": "Again"}).status_code == 403
    assert response.status_code == 200
    table = parse(response.content).table("Demand scenarios against the demand model")
    row = table.record("Half the exits from residential")
    assert row["Rates changed"] == "Residential to leaving care × 0.5"
    assert row["Children, base"] == f"{base_children:.1f}"
    assert row["Children, scenario"] == f"{children:.1f}"
    [_, outcome, _, _] = response.context["demand_rows"][0]
    assert abs(outcome.change_in_cost - Decimal(repr(cost - base_cost))) <= Decimal("0.12")


@pytest.mark.parametrize(
    "fields, message",
    [
        (
            {"change-from-1": "residential", "change-to-1": "exit", "change-factor-1": "-2"},
            "from 0",
        ),
        ({"change-from-1": "castle", "change-to-1": "exit", "change-factor-1": "2"}, "castle"),
        ({}, "Give at least one rate to change."),
    ],
)
def test_the_page_refuses_a_bad_demand_scenario_and_saves_nothing(
    southwark, client, fields, message
):
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        client.force_login(user("a.okafor"))
        response = client.post(URL, {"name": "Bad", "kind": "demand", **fields})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert message in response.content.decode()
    assert not Scenario.objects.filter(name="Bad").exists()


def test_a_stored_scenario_that_cannot_be_read_is_said_so_not_a_500(southwark, client):
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        services.scenario_save(
            user=user("r.shah"),
            name="Broken",
            kind="demand",
            parameters={"adjustments": [{"from": "ifa", "to": "exit", "factor": "NaN"}]},
        )
        client.force_login(user("cllr.adeyemi"))
        response = client.get(URL)
    assert response.status_code == 200
    assert "Cannot be worked out" in response.content.decode()
