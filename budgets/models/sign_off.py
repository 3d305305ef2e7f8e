"""A service's monthly forecast, submitted by its finance officer and signed off by a director."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from budgets.models.structure import Service
from budgets.models.years import Period

# A service's stage in the month's forecast, for pages' status tags: before any sign-off row it
# has no forecasts yet or is in progress; then the sign-off's own status.
NO_FORECASTS = "no_forecasts"
IN_PROGRESS = "in_progress"


def stage_label(sign_off_status: str | None) -> str:
    """The stage of a service whose sign-off row has this status (None: not yet submitted)."""
    return STAGE_LABELS[sign_off_status or IN_PROGRESS]


class SignOff(models.Model):
    """A service's forecast for a period: submitted by its finance officer, then signed off by a
    director of the service's directorate who is not the same person, or returned with a reason
    (which the officer sees until they submit again)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        SIGNED_OFF = "signed_off", "Signed off"
        RETURNED = "returned", "Returned"

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="sign_offs")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="sign_offs")
    status = models.CharField(max_length=10, choices=Status.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "period"], name="sign_off_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "signed_off", "returned"]),
                name="sign_off_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(signed_off_by__isnull=True)
                | ~Q(signed_off_by=models.F("submitted_by")),
                name="sign_off_not_by_submitter",
            ),
            models.CheckConstraint(
                condition=Q(status="submitted", signed_off_by__isnull=True)
                | Q(status="signed_off", signed_off_by__isnull=False, signed_off_at__isnull=False)
                | Q(
                    status="returned",
                    signed_off_by__isnull=True,
                    returned_by__isnull=False,
                    returned_at__isnull=False,
                )
                & ~Q(return_reason=""),
                name="sign_off_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} {self.period}: {self.get_status_display()}"


STAGE_LABELS = {
    NO_FORECASTS: "No forecasts yet",
    IN_PROGRESS: "In progress",
    SignOff.Status.SUBMITTED: "Submitted",
    SignOff.Status.RETURNED: "Returned for changes",
    SignOff.Status.SIGNED_OFF: "Signed off",
}
