from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from csc_dashboard.backup import backup


class Command(BaseCommand):
    help = "Back up the database to a pg_dump custom-format file (default backups/csc-<time>.dump)."

    def add_arguments(self, parser):
        parser.add_argument("--out", help="File to write.")

    def handle(self, *args, out=None, **options):
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = Path(out or settings.BASE_DIR / "backups" / f"csc-{stamp}.dump")
        try:
            backup(settings.DATABASES["default"], target)
        except Exception as exc:
            raise CommandError(f"Backup failed: {getattr(exc, 'stderr', '') or exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Backed up to {target}"))
