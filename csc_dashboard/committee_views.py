"""The Committee page, its exports and its print view."""

import django_tables2 as dt2
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from budgets import metrics
from budgets.access import Role, has_role, role_required, visible_services
from budgets.formatting import millions, pounds
from budgets.models import Council, Service
from csc_dashboard import committee
from csc_dashboard.committee_export import csv_text, workbook

EXPORTERS = (Role.DIRECTOR, Role.ADMINISTRATOR, Role.FINANCE_OFFICER)


def choose_service(request, services, period):
    """The service named in the URL (`service`, as `DIRECTORATE/SERVICE` or a bare service
    code with an optional `directorate`) among those the reader may see; by default, or when
    the URL names one they may not see, the first with a budget in the period's year."""
    wanted = request.GET.get("service") or ""
    directorate = request.GET.get("directorate") or ""
    if "/" in wanted:
        directorate, wanted = wanted.split("/", 1)
    if wanted:
        named = services.filter(code=wanted)
        if directorate:
            named = named.filter(directorate__code=directorate)
        service = named.first()
        if service is not None:
            return service
    return (
        services.filter(lines__budgets__year_id=period.year_id).distinct().first()
        or services.first()
    )


def build_pack(request):
    """The tables for the year, period and service in the URL."""
    period = metrics.resolve_period(request.GET.get("year"), request.GET.get("period"))
    if period is None:
        raise Http404("No such financial year and period.")
    council = Council.objects.current().first()
    if council is None:
        raise Http404("No council has been set up yet.")
    services = visible_services(request.user, Service.objects.select_related("directorate"))
    services = services.order_by("directorate__code", "code")
    service = choose_service(request, services, period)
    if service is None:
        raise Http404("No service to report on.")
    tables = committee.committee_pack(period, services, service=service, council=council)
    return period, service, list(services), tables


def _display(kind, value) -> str:
    if value is None or value == "":
        return ""
    if kind == "millions":
        return millions(value)
    if kind == "pounds":
        return pounds(value)
    return str(value)


def as_django_table(table: committee.CommitteeTable) -> dt2.Table:
    """A django-tables2 table of the committee table's figures as the report writes them."""
    attrs = {}
    for key, header, kind in table.columns:
        numeric = " govuk-table__header--numeric" if kind != "text" else ""
        cell = " govuk-table__cell--numeric" if kind != "text" else ""
        attrs[key] = dt2.Column(
            verbose_name=header,
            footer=_display(kind, table.total.get(key)) if table.total else None,
            attrs={
                "th": {"class": "govuk-table__header" + numeric, "scope": "col"},
                "td": {"class": "govuk-table__cell" + cell},
                "tf": {"class": "govuk-table__header" + numeric},
            },
        )
    attrs["Meta"] = type(
        "Meta", (), {"attrs": {"class": "govuk-table csc-money-table"}, "orderable": False}
    )
    cls = type(f"{table.key.title()}Table", (dt2.Table,), attrs)
    rows = [
        {key: _display(kind, row.get(key)) for key, _, kind in table.columns} for row in table.rows
    ]
    return cls(rows, show_footer=bool(table.total))


def _for_page(committee_tables):
    for table in committee_tables:
        table.rendered = as_django_table(table)
    return committee_tables


@role_required()
@require_GET
def committee_page(request):
    period, service, services, tables = build_pack(request)
    return render(
        request,
        "committee/index.html",
        {
            "period": period,
            "service": service,
            "services": services,
            "tables": _for_page(tables),
            "years": metrics.years_with_periods(),
            "can_export": has_role(request.user, *EXPORTERS),
            "query": request.GET.urlencode(),
        },
    )


@role_required()
@require_GET
def committee_print(request):
    period, service, _, tables = build_pack(request)
    return render(
        request,
        "committee/print.html",
        {
            "period": period,
            "service": service,
            "tables": _for_page(tables),
            "produced": timezone.localtime(),
        },
    )


def _check_export(request):
    if not has_role(request.user, *EXPORTERS):
        raise PermissionDenied("Scrutiny members can read the tables but not export them.")


@role_required()
@require_GET
def export_pack(request):
    _check_export(request)
    period, service, _, tables = build_pack(request)
    data = workbook(
        tables,
        period_label=f"{period.year.label} period {period.number} ({period.month_name})",
        produced=timezone.localtime(),
    )
    return _download(
        data,
        f"committee-pack-{period.year.start_year}-p{period.number}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@role_required()
@require_GET
def export_table(request, key: str, fmt: str):
    _check_export(request)
    period, _, _, tables = build_pack(request)
    table = next((t for t in tables if t.key == key), None)
    if table is None or fmt not in {"csv", "xlsx"}:
        raise Http404("No such table.")
    name = f"{key}-{period.year.start_year}-p{period.number}.{fmt}"
    if fmt == "csv":
        return _download(csv_text(table).encode("utf-8-sig"), name, "text/csv; charset=utf-8")
    data = workbook(
        [table],
        period_label=f"{period.year.label} period {period.number}",
        produced=timezone.localtime(),
    )
    return _download(
        data, name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def _download(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
