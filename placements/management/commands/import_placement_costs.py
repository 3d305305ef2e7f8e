"""Load placement costs: per episode (CHILD, DECOM, WEEKLY_COST) or a rate card per category
(CATEGORY, EFFECTIVE_FROM, WEEKLY_COST); all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from placements.importers import costs_import


class Command(BaseCommand):
    help = "Import weekly placement costs per episode, or a rate card per category."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        with path.open("rb") as source:
            report = costs_import(source, file_name=path.name)
        for error in report.errors:
            self.stderr.write(str(error))
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
