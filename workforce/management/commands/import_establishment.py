"""Load an establishment extract (posts and how they are filled at a date): all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workforce.importers import establishment_import


class Command(BaseCommand):
    help = "Import posts and their filling (permanent, agency, vacant) at a date."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        with path.open("rb") as source:
            report = establishment_import(source, file_name=path.name)
        for error in report.errors:
            self.stderr.write(str(error))
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
