"""Write the committee pack (Excel, Word or PDF) from the command line: the same pack, built by
committee_pack.build_pack from the council's choice, as the Committee page's downloads."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from budgets.models import Council, Service
from budgets.numbers import parse_day
from budgets.selectors import resolve_period
from csc_dashboard.committee_pack import build_pack

FORMATS = ("xlsx", "docx", "pdf")


def render(pack, fmt: str) -> bytes:
    if fmt == "pdf":
        from csc_dashboard.committee_pdf import pack_pdf

        return pack_pdf(pack)
    if fmt == "docx":
        from csc_dashboard.committee_docx import pack_document

        return pack_document(pack)
    from csc_dashboard.committee_xlsx import pack_workbook

    return pack_workbook(pack)


class Command(BaseCommand):
    help = (
        "Export the committee pack for a year, period and service as an Excel workbook, a Word "
        "document or a PDF (--format, or the --out file's extension). "
        "--service may be left out when the council has only one service with a budget."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="financial year, like 2024/25")
        parser.add_argument("--period", required=True, help="1 (April) to 12 (March)")
        parser.add_argument(
            "--service",
            help="the service's code, or DIRECTORATE/SERVICE when two directorates share a code",
        )
        parser.add_argument(
            "--directorate", help="the service's directorate code, when its code is shared"
        )
        parser.add_argument("--out", required=True)
        parser.add_argument(
            "--format", choices=FORMATS, help="xlsx, docx or pdf (default: from --out, else xlsx)"
        )
        parser.add_argument("--committee-date", help="the meeting's date, yyyy-mm-dd")

    def handle(
        self, *args, year, period, service, directorate, out, format, committee_date, **options
    ):
        suffix = Path(out).suffix.lower().lstrip(".")
        fmt = format or (suffix if suffix in FORMATS else "xlsx")
        try:
            meeting = parse_day(committee_date) if committee_date else None
        except ValueError as error:
            raise CommandError(f"--committee-date: {error}") from error
        found = resolve_period(year, period)
        if found is None:
            raise CommandError(f"No period {period} in financial year {year}.")
        council = Council.objects.current().first()
        if council is None:
            raise CommandError("No council has been set up yet.")
        services = Service.objects.filter(directorate__council=council).select_related(
            "directorate"
        )
        chosen = choose(services, found, service=service, directorate=directorate)
        pack = build_pack(
            council=council,
            period=found,
            services=services,
            service=chosen,
            produced=timezone.localtime(),
            committee_date=meeting,
        )
        Path(out).write_bytes(render(pack, fmt))
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote the committee pack ({len(pack.sections)} sections, {fmt}) "
                f"for {chosen.name} to {out}"
            )
        )


def choose(services, period, *, service: str | None, directorate: str | None) -> Service:
    """The service named, or the only one with a budget in the period's year; otherwise an
    error that lists the choices."""
    budgeted = list(
        services.filter(lines__budgets__year_id=period.year_id)
        .distinct()
        .order_by("directorate__code", "code")
    )
    choices = ", ".join(f"{s.directorate.code}/{s.code} ({s.name})" for s in budgeted)
    if not service:
        if len(budgeted) == 1:
            return budgeted[0]
        if not budgeted:
            raise CommandError(f"No service has a budget in {period.year.label}.")
        raise CommandError(f"Choose a service with --service: one of {choices}.")
    if "/" in service:
        directorate, service = service.split("/", 1)
    named = services.filter(code=service)
    if directorate:
        named = named.filter(directorate__code=directorate)
    found = list(named[:2])
    if len(found) == 1:
        return found[0]
    if found:
        raise CommandError(
            f"Two directorates have a service {service!r}: name it as DIRECTORATE/SERVICE, "
            f"one of {choices}."
        )
    raise CommandError(f"No service {service!r}. Choose one of {choices or 'none'}.")
