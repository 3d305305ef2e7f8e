"""The Committee page, its exports (Excel, Word, PDF, CSV), its print view, and the
administrator's choice of what the pack carries. Every format is built from the same Pack
(committee_pack.build_pack)."""

import django_tables2 as dt2
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from budgets import selectors
from budgets.access import Role, has_role, role_required, visible_services
from budgets.models import Council, Service
from budgets.numbers import parse_day
from csc_dashboard import committee, committee_pack
from csc_dashboard.committee_export import csv_text, display, workbook
from csc_dashboard.committee_forms import PackFormSet, VersionForm, entries_from

EXPORTERS = (Role.DIRECTOR, Role.ADMINISTRATOR, Role.FINANCE_OFFICER)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


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


def committee_date(request):
    """The meeting's date from `?committee_date=yyyy-mm-dd`; left off the pack when unreadable."""
    try:
        return (
            parse_day(request.GET.get("committee_date"))
            if request.GET.get("committee_date")
            else None
        )
    except ValueError:
        return None


def build_pack(request):
    """The pack for the year, period and service in the URL, as the council chose it."""
    period = selectors.resolve_period(request.GET.get("year"), request.GET.get("period"))
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
    pack = committee_pack.build_pack(
        council=council,
        period=period,
        services=services,
        service=service,
        produced=timezone.localtime(),
        committee_date=committee_date(request),
    )
    return period, service, list(services), pack


def as_django_table(table: committee.CommitteeTable) -> dt2.Table:
    """A django-tables2 table of the committee table's figures as the report writes them."""
    attrs = {}
    for key, header, kind in table.columns:
        numeric = " govuk-table__header--numeric" if kind != "text" else ""
        cell = " govuk-table__cell--numeric" if kind != "text" else ""
        attrs[key] = dt2.Column(
            verbose_name=header,
            footer=display(kind, table.total.get(key)) if table.total else None,
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
        {key: display(kind, row.get(key)) for key, _, kind in table.columns} for row in table.rows
    ]
    return cls(rows, show_footer=bool(table.total))


def _for_page(committee_tables):
    for table in committee_tables:
        table.rendered = as_django_table(table)
    return committee_tables


@role_required()
@require_GET
def committee_page(request):
    period, service, services, pack = build_pack(request)
    return render(
        request,
        "committee/index.html",
        {
            "period": period,
            "service": service,
            "services": services,
            "pack": pack,
            "tables": _for_page(pack.tables),
            "years": selectors.years_with_periods(),
            "can_export": has_role(request.user, *EXPORTERS),
            "can_choose": has_role(request.user, Role.ADMINISTRATOR),
            "query": request.GET.urlencode(),
        },
    )


@role_required()
@require_GET
def committee_print(request):
    from csc_dashboard.committee_pdf import drawn

    period, service, _, pack = build_pack(request)
    return render(
        request,
        "committee/print.html",
        {
            "period": period,
            "service": service,
            "pack": pack,
            "sections": drawn(pack),
            "produced": pack.produced,
        },
    )


def _check_export(request):
    if not has_role(request.user, *EXPORTERS):
        raise PermissionDenied("Scrutiny members can read the tables but not export them.")


def _name(period, ext: str) -> str:
    return f"committee-pack-{period.year.start_year}-p{period.number}.{ext}"


@role_required()
@require_GET
def export_pack(request):
    from csc_dashboard.committee_xlsx import pack_workbook

    _check_export(request)
    period, _, _, pack = build_pack(request)
    return _download(pack_workbook(pack), _name(period, "xlsx"), XLSX)


@role_required()
@require_GET
def export_docx(request):
    from csc_dashboard.committee_docx import pack_document

    _check_export(request)
    period, _, _, pack = build_pack(request)
    return _download(pack_document(pack), _name(period, "docx"), DOCX)


@role_required()
@require_GET
def export_pdf(request):
    """Every role may take the PDF: it is the report as read, not data to reuse."""
    from csc_dashboard.committee_pdf import pack_pdf

    period, _, _, pack = build_pack(request)
    return _download(pack_pdf(pack), _name(period, "pdf"), "application/pdf")


@role_required()
@require_GET
def export_table(request, key: str, fmt: str):
    _check_export(request)
    period, _, _, pack = build_pack(request)
    table = next((t for t in pack.tables if t.key == key), None)
    if table is None or fmt not in {"csv", "xlsx"}:
        raise Http404("No such table.")
    name = f"{key}-{period.year.start_year}-p{period.number}.{fmt}"
    if fmt == "csv":
        return _download(csv_text(table).encode("utf-8-sig"), name, "text/csv; charset=utf-8")
    data = workbook(
        [table],
        period_label=f"{period.year.label} period {period.number}",
        produced=pack.produced,
    )
    return _download(data, name, XLSX)


def _download(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@role_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def pack_settings(request):
    """The administrator chooses the pack's tables and charts, their order, titles and labels."""
    council = Council.objects.current().first()
    if council is None:
        raise Http404("No council has been set up yet.")
    entries = committee_pack.pack_entries(council)
    initial = [
        {
            "key": e.key,
            "position": e.position,
            "title": e.title,
            "label": e.label,
            "show_table": e.show_table,
            "show_chart": e.show_chart,
        }
        for e in entries
    ]
    errors = []
    if request.method == "POST":
        formset = PackFormSet(request.POST, initial=initial)
        version = VersionForm(request.POST)
        if formset.is_valid() and version.is_valid():
            try:
                committee_pack.pack_save(
                    user=request.user,
                    council=council,
                    entries=entries_from(formset),
                    based_on_version=version.cleaned_data["version"],
                )
            except (ValidationError, committee_pack.PackConflict) as error:
                errors = getattr(error, "messages", None) or [str(error)]
            else:
                messages.success(request, "The committee pack was saved.")
                return redirect("committee_pack_settings")
        else:
            errors = ["Check the pack: " + "; ".join(_form_errors(formset, version))]
    else:
        formset = PackFormSet(initial=initial)
        version = VersionForm(initial={"version": committee_pack.pack_version(council)})
    by_key = {e.key: e for e in entries}
    rows = [(form, by_key.get(form.initial.get("key") or form["key"].value())) for form in formset]
    return render(
        request,
        "committee/pack_settings.html",
        {
            "council": council,
            "formset": formset,
            "version_form": version,
            "rows": rows,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _form_errors(formset, version) -> list[str]:
    found = [str(e) for e in formset.non_form_errors()]
    for form in formset.forms:
        for field, problems in form.errors.items():
            found += [f"{form['key'].value()} {field}: {p}" for p in problems]
    if version.errors:
        found.append("the page is out of date: reload it")
    return found or ["the form is incomplete"]
