"""Load a general-ledger extract (CSV or XLSX) of actuals: all or nothing."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from budgets.importers import actuals_import


class Command(BaseCommand):
    help = (
        "Import ledger actuals: columns cost centre, financial year, period, amount (or a "
        "posting date instead of year and period). Refuses the whole file if any row is bad."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--user", help="Import as this finance officer (checks their services)."
        )

    def handle(self, *args, file: str, user: str | None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        importer = None
        if user:
            importer = get_user_model().objects.filter(username=user, is_active=True).first()
            if importer is None:
                raise CommandError(f"No active user {user!r}.")
        with path.open("rb") as source:  # streamed: a million-row file is not held in memory
            report = actuals_import(
                source,
                file_name=path.name,
                user=importer,
                max_bytes=settings.CSC_MAX_COMMAND_IMPORT_BYTES,
            )
        for error in report.errors:
            self.stderr.write(str(error))
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
