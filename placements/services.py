"""The write functions of placements. Each owns its transaction, the permission check, the
council and the audit row; the scenarios page (and anything else that saves a scenario) calls
these, and nothing else writes placements.Scenario."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from budgets.access import Role, has_role
from budgets.models import AuditEntry, Council
from budgets.services import audit
from placements.models import Scenario


class ScenarioRefused(ValueError):
    """The scenario cannot be saved as given (a message a person can act on)."""


def scenario_save(
    *, user, name: str, kind: str, parameters: dict, source=AuditEntry.Source.PAGE
) -> Scenario:
    """Save a what-if scenario for the current council. Finance officers and directors save
    scenarios; `parameters` have been through the kind's parser. Raises PermissionDenied or
    ScenarioRefused (no council set up, the name taken, an unknown kind)."""
    if not has_role(user, Role.FINANCE_OFFICER, Role.DIRECTOR):
        raise PermissionDenied("Only finance officers and directors save scenarios.")
    if kind not in Scenario.Kind.values:
        raise ScenarioRefused("Choose the kind of scenario.")
    with transaction.atomic():
        council = (
            Council.objects.select_for_update()
            .filter(pk__in=Council.objects.current().values("pk"))
            .first()
        )
        if council is None:
            raise ScenarioRefused("Set up the council before saving scenarios.")
        # The council row lock serialises saves, so two people cannot take one name at once.
        if Scenario.objects.filter(council=council, name=name).exists():
            raise ScenarioRefused("A scenario with that name exists already.")
        scenario = Scenario.objects.create(
            council=council, name=name, kind=kind, parameters=parameters, created_by=user
        )
        audit(
            user=user,
            source=source,
            action="create",
            obj=scenario,
            field="parameters",
            new=f"{kind}: {parameters}",
        )
        return scenario
