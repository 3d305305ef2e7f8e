"""Load a budget book (CSV or XLSX): all or nothing."""

from django.conf import settings

from budgets.council_setup import Source, budget_book_import
from budgets.import_command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import the budget book: directorate, service and cost centre codes and names, area of "
        "spend, original budget, virements and/or revised budget, optional Section 251 line "
        "and monthly profile (P1..P12 or Apr..Mar). Refuses the whole file if any row is bad."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--year",
            default="",
            help="The financial year, e.g. 2024/25 (default: the file's Year column, or else "
            "the latest open year).",
        )

    def run_import(self, source, *, path, year="", **options):
        report = budget_book_import(
            source,
            file_name=path.name,
            user=None,
            year_label=year,
            source_kind=Source.COMMAND,
            max_bytes=settings.CSC_MAX_COMMAND_IMPORT_BYTES,
        )
        for note in report.notes:
            self.stdout.write(note)
        return report
