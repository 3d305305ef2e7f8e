"""Load SSDA903 episodes files (several yearly returns, or a regional file with LA and YEAR
columns) and optionally their header and UASC files: all or nothing."""

from contextlib import ExitStack
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from budgets.import_command import report_outcome
from budgets.progress import Progress
from placements.importers import episodes_import


class Command(BaseCommand):
    help = (
        "Import SSDA903 episodes (one or more files: yearly returns, or a regional file with LA "
        "and YEAR columns); child IDs are pseudonymised and postcodes dropped."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="file", help="SSDA903 episodes file(s)")
        parser.add_argument(
            "--header",
            action="append",
            default=[],
            help="SSDA903 header file (year/month of birth, UASC); repeat for several years",
        )
        parser.add_argument(
            "--uasc",
            action="append",
            default=[],
            help="SSDA903 UASC file (CHILD and DUC or a UASC flag); repeat for several years",
        )

    def handle(self, *args, files, header, uasc, **options):
        paths = [Path(name) for name in [*files, *header, *uasc]]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"{path} is not a file.")
        with ExitStack() as stack:  # streamed: memory stays flat however large the files

            def opened(names):
                return [(Path(n).name, stack.enter_context(open(n, "rb"))) for n in names]

            report = episodes_import(
                opened(files),
                header=opened(header) or None,
                uasc=opened(uasc) or None,
                max_bytes=settings.CSC_MAX_COMMAND_IMPORT_BYTES,
                progress=Progress(self.stdout),
            )
        # The summary names skipped councils and ends with any warning about the numbers.
        report_outcome(self, report)
