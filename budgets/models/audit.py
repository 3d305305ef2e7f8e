"""The record of who did what: every import, and every change (the audit trail)."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ImportRecord(models.Model):
    """Every import, successful or not: who, when, which file (name and SHA-256), what happened.

    The file itself is not kept: only its hash, so a re-upload of the same file is recognisable.
    """

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Imported"
        FAILED = "failed", "Refused"
        # Written (and committed) before the import's transaction begins, and replaced by the
        # outcome when it ends: a record left RUNNING is an import that was killed or crashed,
        # even at its COMMIT, whose rows may or may not have been written.
        RUNNING = "running", "Not finished"

    kind = models.CharField(max_length=40, help_text="e.g. actuals, placements, establishment")
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Empty for imports run from the command line.",
    )
    started_at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=7, choices=Outcome.choices)
    message = models.TextField(blank=True)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["success", "failed", "running"]),
                name="import_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="import_sha256"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.get_outcome_display()})"


class AuditEntry(models.Model):
    """Who changed what, when, from which value to which, and why. Written by the write
    functions in budgets/services.py (pages, imports and commands) and by the admin; never
    edited or deleted except by the retention command."""

    class Source(models.TextChoices):
        PAGE = "page", "Page"
        IMPORT = "import", "Import"
        ADMIN = "admin", "Admin"
        COMMAND = "command", "Command"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    action = models.CharField(max_length=30)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50)
    object_repr = models.CharField(max_length=200)
    field = models.CharField(max_length=50, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=["page", "import", "admin", "command"]),
                name="audit_source_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"
