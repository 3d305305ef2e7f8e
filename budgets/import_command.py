"""What every import command shares: open the file, run the importer, list every bad row on
standard error and exit non-zero when anything was refused (nothing is written then)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from budgets.importing import ImportReport
from budgets.progress import Progress


class ImportCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("file")

    def run_import(self, source, *, path: Path, progress, **options) -> ImportReport:
        raise NotImplementedError

    def handle(self, *args, file: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        with path.open("rb") as source:  # streamed where the importer can: memory stays flat
            # A bar on a terminal, a line every 100,000 rows in a log.
            options["progress"] = Progress(self.stdout)
            report = self.run_import(source, path=path, **options)
        report_outcome(self, report)


def report_outcome(command: BaseCommand, report: ImportReport) -> None:
    """Every bad row on standard error and a non-zero exit when the import was refused (nothing
    was written then); the report's summary otherwise."""
    for error in report.errors:
        command.stderr.write(str(error))
    if report.unlisted_errors:
        command.stderr.write(f"… and {report.unlisted_errors:,} more errors.")
    if not report.ok:
        raise CommandError(report.summary())
    command.stdout.write(command.style.SUCCESS(report.summary()))
