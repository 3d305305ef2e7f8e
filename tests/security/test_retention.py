"""Records about people's actions are deleted once their documented retention period ends."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from budgets.models import ImportRecord

pytestmark = pytest.mark.django_db


def record(age_days: int) -> ImportRecord:
    row = ImportRecord.objects.create(
        kind="actuals", file_name="gl.csv", sha256="0" * 64, outcome="success"
    )
    ImportRecord.objects.filter(pk=row.pk).update(
        started_at=timezone.now() - timedelta(days=age_days)
    )
    return row


def test_import_records_older_than_the_retention_period_are_deleted(settings):
    settings.CSC_RETENTION = {"budgets.ImportRecord": ("started_at", 30)}
    old, recent = record(31), record(29)
    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert list(ImportRecord.objects.filter(pk__in=[old.pk, recent.pk])) == [recent]
    assert "budgets.ImportRecord: deleted 1 older than 30 days" in out.getvalue()


def test_a_dry_run_deletes_nothing(settings):
    settings.CSC_RETENTION = {"budgets.ImportRecord": ("started_at", 30)}
    old = record(400)
    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert ImportRecord.objects.filter(pk=old.pk).exists()
    assert "would delete 1" in out.getvalue()


def test_every_retained_model_names_a_real_date_field():
    from django.apps import apps
    from django.conf import settings

    for label, (field, days) in settings.CSC_RETENTION.items():
        assert apps.get_model(label)._meta.get_field(field).get_internal_type() == "DateTimeField"
        assert days > 0
