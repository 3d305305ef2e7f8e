"""Load a general-ledger extract (CSV or XLSX) of actuals: all or nothing."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from budgets.import_command import ImportCommand
from budgets.importers import actuals_import


class Command(ImportCommand):
    help = (
        "Import ledger actuals: columns cost centre, financial year, period, amount (or a "
        "posting date instead of year and period). Refuses the whole file if any row is bad."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--user", help="Import as this finance officer (checks their services)."
        )

    def run_import(self, source, *, path, user=None, **options):
        importer = None
        if user:
            importer = get_user_model().objects.filter(username=user, is_active=True).first()
            if importer is None:
                raise CommandError(f"No active user {user!r}.")
        return actuals_import(
            source,
            file_name=path.name,
            user=importer,
            max_bytes=settings.CSC_MAX_COMMAND_IMPORT_BYTES,
        )
