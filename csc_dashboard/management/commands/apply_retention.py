"""Delete records older than their retention period (settings.CSC_RETENTION)."""

from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone


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
                count = expired.count() if dry_run else expired.delete()[0]
                verb = "would delete" if dry_run else "deleted"
                self.stdout.write(f"{label}: {verb} {count} older than {days} days")
