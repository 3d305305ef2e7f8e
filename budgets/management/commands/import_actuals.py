"""Load a general-ledger extract (CSV or XLSX) of actuals: all or nothing."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from budgets.import_command import ImportCommand
from budgets.importers import actuals_import


class Command(ImportCommand):
    help = (
        "Import ledger actuals as the finance system exports them: columns cost centre, "
        "amount and the period (APR-24, 202401 as Unit4 writes it, a financial year and period "
        "number, or a posting date); optional account and account description columns keep "
        "the account-level detail. Rows of the same cost centre and period are summed; "
        "adjustment periods 13-16 are added to period 12. Refuses the whole file if any row "
        "is bad."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--user",
            help="Import as this user: a finance officer (checks their services) or an "
            "administrator (the whole of the deployment's council).",
        )
        parser.add_argument(
            "--year",
            default="",
            help="The financial year (like 2024/25) of rows whose period is a bare number "
            "(6, P06) and that have no year column.",
        )

    def run_import(self, source, *, path, progress, user=None, year="", **options):
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
            year=year,
            progress=progress,
        )
