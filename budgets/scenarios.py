"""Saved what-if scenarios: what the placements and workforce scenarios share.

Both apps save a scenario the same way (a council's named kind and parameters, the result worked
out when shown), so the columns live in one abstract model and the write in one function; each
app's model adds its kinds and the database checks on its parameters, and each app's
`services.scenario_save` calls `scenario_save` here with its model. Lives in budgets because
placements and workforce may not import each other."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction

from budgets.access import Role, has_role
from budgets.models import AuditEntry, Council, CouncilOwnedQuerySet
from budgets.services import audit

SCENARIO_WRITERS = (Role.FINANCE_OFFICER, Role.DIRECTOR)


class SavedScenario(models.Model):
    """A council's saved what-if: a name, a kind and its parameters."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100)
    parameters = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CouncilOwnedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class ScenarioRefused(ValueError):
    """The scenario cannot be saved as given (a message a person can act on)."""


def may_save_scenarios(user) -> bool:
    return has_role(user, *SCENARIO_WRITERS)


def scenario_save(
    *, model, user, name: str, kind: str, parameters: dict, source=AuditEntry.Source.PAGE
):
    """Save a what-if scenario of `model` (a SavedScenario) for the current council. Finance
    officers and directors save scenarios; `parameters` have been through the kind's parser.
    Raises PermissionDenied or ScenarioRefused (no council set up, the name taken, an unknown
    kind)."""
    if not may_save_scenarios(user):
        raise PermissionDenied("Only finance officers and directors save scenarios.")
    if kind not in model.Kind.values:
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
        if model.objects.filter(council=council, name=name).exists():
            raise ScenarioRefused("A scenario with that name exists already.")
        scenario = model.objects.create(
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


def save_from_form(request, form, save) -> list[str]:
    """Save the scenario a bound scenario form describes through `save` (an app's
    services.scenario_save): the form's or the service's messages, or none and a note that it
    was saved. Both scenarios pages post through this; only scenario writers may post."""
    if not may_save_scenarios(request.user):
        raise PermissionDenied("Only finance officers and directors save scenarios.")
    if not form.is_valid():
        return list(form.non_field_errors())
    name = form.cleaned_data["name"]
    try:
        save(
            user=request.user,
            name=name,
            kind=form.cleaned_data["kind"],
            parameters=form.cleaned_data["parameters"],
        )
    except ScenarioRefused as exc:
        return [str(exc)]
    messages.success(request, f"Saved scenario {name!r}.")
    return []
