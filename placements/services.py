"""The write functions of placements. Each owns its transaction, the permission check, the
council and the audit row; nothing else writes placements.Scenario."""

from functools import partial

from budgets.scenarios import ScenarioRefused, scenario_save
from placements.models import Scenario

__all__ = ["ScenarioRefused", "scenario_save"]

# Save a what-if of this app (budgets.scenarios.scenario_save: permission, council lock,
# unique name, audit row): scenario_save(user=, name=, kind=, parameters=, source=).
scenario_save = partial(scenario_save, model=Scenario)
