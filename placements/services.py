"""The write functions of placements. Each owns its transaction, the permission check, the
council and the audit row; the scenarios page (and anything else that saves a scenario) calls
these, and nothing else writes placements.Scenario."""

from budgets.models import AuditEntry
from budgets.scenarios import ScenarioRefused
from budgets.scenarios import scenario_save as save_any_scenario
from placements.models import Scenario

__all__ = ["ScenarioRefused", "scenario_save"]


def scenario_save(
    *, user, name: str, kind: str, parameters: dict, source=AuditEntry.Source.PAGE
) -> Scenario:
    """Save a placements what-if (budgets.scenarios.scenario_save: permission, council lock,
    unique name, audit row)."""
    return save_any_scenario(
        model=Scenario, user=user, name=name, kind=kind, parameters=parameters, source=source
    )
