from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from budgets.progress import Progress
from csc_dashboard.backup import owner_database, restore


class Command(BaseCommand):
    help = "Restore the database from a backup_db file, replacing its contents (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, file: str, yes: bool, **options):
        dump = Path(file)
        if not dump.is_file():
            raise CommandError(f"{dump} is not a file.")
        name = settings.DATABASES["default"]["NAME"]
        if not yes and input(f"Replace everything in database {name!r}? [y/N] ").lower() != "y":
            raise CommandError("Restore cancelled.")
        try:
            restore(owner_database(), dump, progress=Progress(self.stdout, every=10))
        except Exception as exc:
            raise CommandError(f"Restore failed: {getattr(exc, 'stderr', '') or exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Restored {dump} into {name}."))
