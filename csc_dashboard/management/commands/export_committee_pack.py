"""Write the committee pack workbook (a sheet per table) from the command line."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from budgets.metrics import resolve_period
from budgets.models import Council, Service
from csc_dashboard.committee import committee_pack
from csc_dashboard.committee_export import workbook


class Command(BaseCommand):
    help = "Export the committee tables for a year and period to one Excel workbook."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="financial year, like 2018/19")
        parser.add_argument("--period", required=True, help="1 (April) to 12 (March)")
        parser.add_argument("--directorate", default="CYP")
        parser.add_argument("--service", default="CSC")
        parser.add_argument("--out", required=True)

    def handle(self, *args, year, period, directorate, service, out, **options):
        found = resolve_period(year, period)
        if found is None:
            raise CommandError(f"No period {period} in financial year {year}.")
        council = Council.objects.current().first()
        services = Service.objects.filter(directorate__council=council)
        chosen = services.filter(code=service).first()
        if chosen is None:
            raise CommandError(f"No service {service!r}.")
        tables = committee_pack(
            found, services, directorate=directorate, service=chosen, la_code=council.la_code
        )
        data = workbook(
            tables,
            period_label=f"{found.year.label} period {found.number} ({found.month_name})",
            produced=timezone.localtime(),
        )
        Path(out).write_bytes(data)
        self.stdout.write(self.style.SUCCESS(f"Wrote {len(tables)} tables to {out}"))
