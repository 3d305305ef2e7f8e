"""Load an SSDA903 episodes file (and optionally its header file): all or nothing."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from placements.importers import episodes_import


class Command(BaseCommand):
    help = "Import SSDA903 episodes; child IDs are pseudonymised and postcodes dropped."

    def add_arguments(self, parser):
        parser.add_argument("episodes")
        parser.add_argument("--header", help="SSDA903 header file (year/month of birth, UASC)")

    def handle(self, *args, episodes: str, header: str | None, **options):
        path = Path(episodes)
        if not path.is_file() or (header and not Path(header).is_file()):
            raise CommandError("Name existing files.")
        with path.open("rb") as source:
            report = episodes_import(
                source,
                file_name=path.name,
                header=Path(header).read_bytes() if header else None,
                max_bytes=settings.CSC_MAX_COMMAND_IMPORT_BYTES,
            )
        for error in report.errors:
            self.stderr.write(str(error))
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
