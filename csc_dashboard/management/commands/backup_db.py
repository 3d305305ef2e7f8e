from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from budgets.progress import Progress
from csc_dashboard.backup import UnsafeFolder, backup, owner_database, private_folder


class Command(BaseCommand):
    help = "Back up the database to a pg_dump custom-format file (default backups/csc-<time>.dump)."

    def add_arguments(self, parser):
        parser.add_argument("--out", help="File to write.")

    def handle(self, *args, out=None, **options):
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = Path(out or settings.BASE_DIR / "backups" / f"csc-{stamp}.dump")
        try:
            # The project's own folder is tightened to 0700; a folder named with --out that
            # others can read is refused (it may be shared on purpose).
            tightened = private_folder(target.parent, tighten=out is None)
            backup(owner_database(), target, progress=Progress(self.stdout, every=10))
        except UnsafeFolder as exc:
            raise CommandError(f"Backup refused: {exc}") from exc
        except Exception as exc:
            raise CommandError(f"Backup failed: {getattr(exc, 'stderr', '') or exc}") from exc
        if tightened:
            self.stdout.write(f"{target.parent} could be read by others: now 0700.")
        self.stdout.write(self.style.SUCCESS(f"Backed up to {target} (readable by you only)"))
