"""What the dashboard's pages share: the scope filter (directorate or service) and its
default, the period in the URL, and whose figures a cached page holds. Not a view module:
views import it, and no view imports another module's view."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from budgets import selectors
from budgets.access import Role, has_role, visible_services
from budgets.cache import cached
from budgets.models import Service


@dataclass
class Scope:
    value: str
    label: str
    name: str
    services: QuerySet


def reader_key(user) -> str:
    """Whose figures these are, for the cache: everyone who reads everything sees the same;
    a finance officer sees their own services only."""
    return "all" if has_role(user, *Role.READ_EVERYTHING) else f"user:{user.pk}"


def period_or_404(request):
    period = selectors.resolve_period(request.GET.get("year"), request.GET.get("period"))
    if period is None and (request.GET.get("year") or request.GET.get("period")):
        raise Http404("No such financial year and period.")
    return period


def scopes(user, *, directorates: bool) -> list[Scope]:
    """The directorates (for readers of everything: a finance officer sees only part of one)
    and services this user may choose. One query."""
    services = list(
        visible_services(user, Service.objects.select_related("directorate")).order_by(
            "directorate__code", "code"
        )
    )
    result = []
    seen = set()
    for service in services:
        directorate = service.directorate
        if directorates and has_role(user, *Role.READ_EVERYTHING) and directorate.pk not in seen:
            seen.add(directorate.pk)
            result.append(
                Scope(
                    directorate.code,
                    f"{directorate.name} (directorate)",
                    directorate.name,
                    Service.objects.filter(directorate=directorate),
                )
            )
        result.append(
            Scope(
                f"{directorate.code}/{service.code}",
                f"{service.name} ({directorate.code})",
                service.name,
                Service.objects.filter(pk=service.pk),
            )
        )
    return result


def chosen_scope(request, period, options: list[Scope]) -> Scope | None:
    """The scope named in the URL; by default the service with the largest forecast
    overspend at the period, the one scrutiny asks about first."""
    wanted = request.GET.get("scope")
    if wanted:
        for option in options:
            if option.value == wanted:
                return option
        raise Http404("No such directorate or service, or not one you may see.")
    services = [o for o in options if "/" in o.value]
    if not services or period is None:
        return services[0] if services else None

    def build():
        positions = selectors.directorate_positions(
            period, visible_services(request.user, Service.objects.all())
        )
        return {f"{d.key}/{s.key}": s.variance for d in positions for s in d.children}

    variances = cached(
        ("service variances", period.pk, reader_key(request.user)), build, request=request
    )
    return max(services, key=lambda o: variances.get(o.value, 0))


def scoped_context(request, page: str, build, *, directorates: bool) -> dict:
    """The context of a page filtered by period and scope: the filter's choices, and what
    build(period, scope) gives for the chosen ones, cached per data version as (page, period,
    scope). A 404 for a period or scope that does not exist or the user may not see."""
    period = period_or_404(request)
    options = scopes(request.user, directorates=directorates)
    scope = chosen_scope(request, period, options)
    context = {"period": period, "years": selectors.years_with_periods(), "scopes": options}
    if period is not None and scope is not None:
        context["scope"] = scope
        context.update(
            cached((page, period.pk, scope.value), lambda: build(period, scope), request=request)
        )
    return context
