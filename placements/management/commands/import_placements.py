"""Load an SSDA903 episodes file (and optionally its header file): all or nothing."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from budgets.import_command import ImportCommand
from placements.importers import episodes_import


class Command(ImportCommand):
    help = "Import SSDA903 episodes; child IDs are pseudonymised and postcodes dropped."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--header", help="SSDA903 header file (year/month of birth, UASC)")

    def run_import(self, source, *, path, header=None, **options):
        if header and not Path(header).is_file():
            raise CommandError(f"{header} is not a file.")
        return episodes_import(
            source,
            file_name=path.name,
            header=Path(header).read_bytes() if header else None,
            max_bytes=settings.CSC_MAX_COMMAND_IMPORT_BYTES,
        )
