"""Roles and who may read and write what.

Roles are Django groups. This module sits in `budgets`, the lowest layer, because the write
functions here check permission themselves (a view is never the only guard) and the apps above
(`placements`, `workforce`, `csc_dashboard`) use the same rules and decorators.
"""

from collections.abc import Callable, Iterable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet


class Role:
    FINANCE_OFFICER = "Finance officer"
    SCRUTINY_MEMBER = "Scrutiny member"
    DIRECTOR = "Director"
    ADMINISTRATOR = "Administrator"

    ALL = (FINANCE_OFFICER, SCRUTINY_MEMBER, DIRECTOR, ADMINISTRATOR)
    # Read-only access to every directorate's position.
    READ_EVERYTHING = (SCRUTINY_MEMBER, DIRECTOR, ADMINISTRATOR)


def roles_of(user) -> set[str]:
    """The user's role names, cached on the user object for the request."""
    if not user.is_authenticated or not user.is_active:
        return set()
    cached = getattr(user, "_csc_roles", None)
    if cached is None:
        cached = set(user.groups.filter(name__in=Role.ALL).values_list("name", flat=True))
        user._csc_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def can_edit_service(user, service) -> bool:
    """Only a finance officer assigned to the service may change its figures."""
    if not has_role(user, Role.FINANCE_OFFICER):
        return False
    return service.finance_officers.filter(pk=user.pk).exists()


def can_sign_off_service(user, service) -> bool:
    """Only a director of the service's own directorate may sign off or return its forecast."""
    if not has_role(user, Role.DIRECTOR):
        return False
    return service.directorate.directors.filter(pk=user.pk).exists()


def visible_services(user, services: QuerySet) -> QuerySet:
    """Scrutiny members, directors and administrators read everything of this deployment's
    council; a finance officer reads the services assigned to them."""
    from budgets.models import Council

    services = services.filter(directorate__council__in=Council.objects.current().values("pk"))
    if has_role(user, *Role.READ_EVERYTHING):
        return services
    if has_role(user, Role.FINANCE_OFFICER):
        return services.filter(finance_officers=user)
    return services.none()


def role_required(*roles: str) -> Callable:
    """View decorator: the signed-in user must hold one of `roles` (any role when none given).

    Anonymous users never reach here: LoginRequiredMiddleware sends them to the login page.
    """
    allowed: Iterable[str] = roles or Role.ALL

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *allowed):
                raise PermissionDenied("Your account does not have a role that may see this page.")
            return view(request, *args, **kwargs)

        wrapped.csc_roles = tuple(allowed)
        return wrapped

    return decorator


def may_load_service(user, service) -> bool:
    """May `user` load a file that writes `service`'s figures? The service must be this
    deployment's council's; an administrator may load any of its services, a finance officer
    only those assigned to them. `user` None is an operator at the command line."""
    from budgets.models import Council

    council = Council.objects.current().first()
    if council is None or service.directorate.council_id != council.pk:
        return False
    if user is None or has_role(user, Role.ADMINISTRATOR):
        return True
    return can_edit_service(user, service)


def may_load_council_data(user) -> bool:
    """May `user` load council-wide data (placements, the workforce census) for this
    deployment's council? An administrator, or a finance officer assigned to at least one of
    its services; `user` None is an operator at the command line."""
    from budgets.models import Council, Service

    if user is None or has_role(user, Role.ADMINISTRATOR):
        return True
    return has_role(user, Role.FINANCE_OFFICER) and (
        Service.objects.filter(
            directorate__council__in=Council.objects.current().values("pk"), finance_officers=user
        ).exists()
    )
