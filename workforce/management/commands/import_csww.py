"""Load a DfE Children's Social Work Workforce census return (XML): totals only."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workforce.importers import csww_import


class Command(BaseCommand):
    help = "Import the census totals of a CSWW XML return; worker details are never stored."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        report = csww_import(path.read_bytes(), file_name=path.name)
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(f"Census return loaded: {report.rows} workers."))
