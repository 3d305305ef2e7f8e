"""Delete records older than their retention period (settings.CSC_RETENTION)."""

from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from budgets.models import AuditEntry


def _delete_expired_audit(days: int) -> int:
    """The site's role may not delete audit entries: the owner's function does, and refuses a
    retention under a year (budgets migration 0013)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT budgets_audit_delete_expired(%s)", [days])
            return cursor.fetchone()[0]
    except DatabaseError as exc:
        raise CommandError(f"Audit entries were not deleted: {exc}".strip()) from None


class Command(BaseCommand):
    help = "Delete import logs, audit rows and sign-in records past their retention period."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, but delete nothing.")

    def handle(self, *args, dry_run: bool, **options):
        now = timezone.now()
        with transaction.atomic():
            for label, (field, days) in settings.CSC_RETENTION.items():
                model = apps.get_model(label)
                expired = model.objects.filter(**{f"{field}__lt": now - timedelta(days=days)})
                if dry_run:
                    count = expired.count()
                elif model is AuditEntry:
                    count = _delete_expired_audit(days)
                else:
                    count = expired.delete()[0]
                verb = "would delete" if dry_run else "deleted"
                self.stdout.write(f"{label}: {verb} {count} older than {days} days")
