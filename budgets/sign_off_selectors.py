"""The month's sign-off reads: where each service's forecast stands at a period (the month-end
page, the budgets list's status tags, the forecast page's status line). Each function runs a
fixed number of queries, however many services."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce

from budgets.models import (
    IN_PROGRESS,
    NO_FORECASTS,
    STAGE_LABELS,
    Period,
    Service,
    SignOff,
)
from budgets.selectors import budgeted_lines


def stage_of(sign_off_status: str | None, forecast: bool) -> str:
    """A service's stage in the month: its sign-off's status once submitted; before that, in
    progress if any of its budgeted lines has a forecast at the period, else no forecasts yet."""
    if sign_off_status:
        return sign_off_status
    return IN_PROGRESS if forecast else NO_FORECASTS


def _count_per_service(lines) -> Subquery:
    counts = lines.filter(service=OuterRef("pk")).order_by().values("service")
    return Coalesce(Subquery(counts.annotate(n=Count("pk")).values("n")), Value(0))


def _by_name(user) -> tuple:
    return (user.last_name, user.first_name, user.username)


@dataclass
class MonthEndRow:
    """One service at month end: how far its forecast has got, and who is involved."""

    service: Service
    lines: int  # lines with a budget in the year (budgeted_lines)
    forecast: int  # of those, lines with a forecast at the period
    sign_off: SignOff | None
    finance_officers: list
    directors: list

    @property
    def stage(self) -> str:
        return stage_of(self.sign_off.status if self.sign_off else None, bool(self.forecast))

    @property
    def stage_label(self) -> str:
        return STAGE_LABELS[self.stage]


def month_end(period: Period, services) -> list[MonthEndRow]:
    """Every one of `services` with its stage at the period, lines forecast of lines budgeted,
    its finance officers and its directorate's directors. Four queries, however many services:
    the services with both counts, the officers, the directors, the period's sign-offs."""
    lines = budgeted_lines(period)
    rows = (
        services.select_related("directorate")
        .annotate(
            lines_budgeted=_count_per_service(lines),
            lines_forecast=_count_per_service(lines.filter(forecasts__period=period)),
        )
        .prefetch_related(
            Prefetch("finance_officers", to_attr="officers"),
            Prefetch("directorate__directors", to_attr="director_list"),
        )
        .order_by("directorate__code", "code")
    )
    sign_offs = {
        s.service_id: s
        for s in SignOff.objects.filter(period=period, service__in=services).select_related(
            "submitted_by", "signed_off_by", "returned_by"
        )
    }
    return [
        MonthEndRow(
            service=service,
            lines=service.lines_budgeted,
            forecast=service.lines_forecast,
            sign_off=sign_offs.get(service.pk),
            finance_officers=sorted(service.officers, key=_by_name),
            directors=sorted(service.directorate.director_list, key=_by_name),
        )
        for service in rows
    ]


def service_stages(period: Period, services) -> dict[tuple[str, str], str]:
    """Each of `services`' stage at the period (stage_of), by (directorate code, service code).
    One query."""
    status = SignOff.objects.filter(period=period, service=OuterRef("pk")).values("status")
    forecast = budgeted_lines(period).filter(service=OuterRef("pk"), forecasts__period=period)
    rows = services.annotate(status=Subquery(status[:1]), forecast=Exists(forecast)).values_list(
        "directorate__code", "code", "status", "forecast"
    )
    return {
        (directorate, service): stage_of(status, forecast)
        for directorate, service, status, forecast in rows
    }


def sign_off_at(service, period: Period) -> SignOff | None:
    """The service's sign-off row at the period, with the people on it. One query."""
    return (
        SignOff.objects.filter(service=service, period=period)
        .select_related("submitted_by", "signed_off_by", "returned_by")
        .first()
    )
