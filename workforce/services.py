"""The write functions of workforce. Each owns its transaction, the permission check, the
council and the audit row; the staffing scenarios page (and anything else that saves one) calls
these, and nothing else writes workforce.Scenario."""

from budgets.models import AuditEntry
from budgets.scenarios import ScenarioRefused
from budgets.scenarios import scenario_save as save_any_scenario
from workforce.models import Scenario

__all__ = ["ScenarioRefused", "scenario_save"]


def scenario_save(
    *, user, name: str, kind: str, parameters: dict, source=AuditEntry.Source.PAGE
) -> Scenario:
    """Save a workforce what-if (budgets.scenarios.scenario_save: permission, council lock,
    unique name, audit row)."""
    return save_any_scenario(
        model=Scenario, user=user, name=name, kind=kind, parameters=parameters, source=source
    )
