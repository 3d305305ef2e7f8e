"""The write functions of the financial core. Each owns its transaction, the permission check,
the period lock check, the version check and the audit row; pages, imports, the admin and
commands all call these, and nothing else writes forecasts, period statuses or sign-offs.

The forecast write path itself (forecasts_save, forecasts_copy_forward) lives in
budgets/forecast_services.py and is re-exported here, so `services.<name>` keeps working; the
admin's writes of budgets, actuals and the structure are in budgets/record_services.py.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from budgets import notifications, selectors
from budgets.access import Role, can_edit_service, can_sign_off_service, has_role
from budgets.audit_trail import audit
from budgets.forecast_services import (  # noqa: F401  (re-exported: services.<name>)
    CommentaryRequired,
    Conflict,
    ForecastChange,
    ForecastLocked,
    PeriodClosed,
    _lock_period,
    commentary_needed,
    forecast_is_locked,
    forecast_save,
    forecasts_copy_forward,
    forecasts_save,
    may_change_forecast,
    previous_outturn,
)
from budgets.models import AuditEntry, Period, Service, SignOff

Source = AuditEntry.Source


class ForecastIncomplete(ValueError):
    """Some of the service's budgeted lines have no forecast for the period."""

    SHOWN = 5  # codes named in the message; the rest are counted

    def __init__(self, service: Service, period: Period, missing: list[str]):
        self.missing = missing
        named = ", ".join(missing[: self.SHOWN])
        more = len(missing) - self.SHOWN
        if more > 0:
            named += f" and {more} more"
        lines = "line has" if len(missing) == 1 else "lines have"
        super().__init__(
            f"Not submitted: {len(missing)} {lines} no forecast for {period}: {named}. "
            "Forecast every line (or copy last period's forward) and submit again."
        )


def forecast_submit(*, user, service: Service, period: Period) -> SignOff:
    """The officer submits the service's forecast for a director's sign-off: the first time, or
    again after a director returned it (the row turns back into a submission; the return and
    its reason stay in the audit trail). Every line budgeted in the year needs a forecast."""
    with transaction.atomic():
        period = _lock_period(period)
        if not can_edit_service(user, service):
            raise PermissionDenied("Only the service's finance officer can submit its forecast.")
        sign_off = SignOff.objects.select_for_update().filter(service=service, period=period)
        sign_off = sign_off.first()
        if sign_off is not None and sign_off.status != SignOff.Status.RETURNED:
            raise ForecastLocked("This forecast has already been submitted.")
        lines = selectors.lines_to_forecast(service, period)
        if not lines:
            raise ValueError(
                f"Not submitted: {service.name} has no budget lines for {period.year}, "
                "so there is no forecast to submit."
            )
        missing = [line.code for line in lines if not line.has_forecast]
        if missing:
            raise ForecastIncomplete(service, period, missing)
        old = ""
        if sign_off is None:
            sign_off = SignOff(service=service, period=period)
        else:
            old = sign_off.status
        sign_off.status = SignOff.Status.SUBMITTED
        sign_off.submitted_by, sign_off.submitted_at = user, timezone.now()
        sign_off.returned_by, sign_off.returned_at, sign_off.return_reason = None, None, ""
        sign_off.save()
        audit(
            user=user,
            source=Source.PAGE,
            action="submit",
            obj=sign_off,
            field="status",
            old=old,
            new=sign_off.status,
        )
        transaction.on_commit(lambda pk=sign_off.pk: notifications.forecast_submitted(pk))
        return sign_off


def _check_may_sign_off(user, service: Service, doing: str) -> None:
    if not has_role(user, Role.DIRECTOR):
        raise PermissionDenied(f"Only a director can {doing} a forecast.")
    if not can_sign_off_service(user, service):
        raise PermissionDenied(
            f"Only a director of {service.directorate.name} can {doing} {service.name}'s "
            "forecast; an administrator assigns directors to directorates."
        )


def forecast_sign_off(*, user, service: Service, period: Period) -> SignOff:
    with transaction.atomic():
        _check_may_sign_off(user, service, "sign off")
        period = _lock_period(period)  # a closed month's sign-off is final
        sign_off = SignOff.objects.select_for_update().filter(service=service, period=period)
        sign_off = sign_off.first()
        if sign_off is None or sign_off.status != SignOff.Status.SUBMITTED:
            raise ForecastLocked("Only a submitted forecast can be signed off.")
        if sign_off.submitted_by_id == user.pk:
            raise PermissionDenied("The person who submitted a forecast cannot sign it off.")
        sign_off.status = SignOff.Status.SIGNED_OFF
        sign_off.signed_off_by, sign_off.signed_off_at = user, timezone.now()
        sign_off.save()
        audit(
            user=user,
            source=Source.PAGE,
            action="sign off",
            obj=sign_off,
            field="status",
            old=SignOff.Status.SUBMITTED,
            new=sign_off.status,
        )
        transaction.on_commit(lambda pk=sign_off.pk: notifications.forecast_signed_off(pk))
        return sign_off


def forecast_return(*, user, service: Service, period: Period, reason: str) -> SignOff:
    """A director sends a submitted (not yet signed-off) forecast back for changes. The row stays,
    as RETURNED with the reason, so the officer sees why until they submit again."""
    with transaction.atomic():
        _check_may_sign_off(user, service, "return")
        reason = reason.strip()
        if not reason:
            raise ValueError("Say why the forecast is being returned.")
        period = _lock_period(period)
        sign_off = (
            SignOff.objects.select_for_update()
            .filter(service=service, period=period, status=SignOff.Status.SUBMITTED)
            .first()
        )
        if sign_off is None:
            raise ForecastLocked("Only a submitted, not yet signed-off, forecast can be returned.")
        sign_off.status = SignOff.Status.RETURNED
        sign_off.returned_by, sign_off.returned_at = user, timezone.now()
        sign_off.return_reason = reason
        sign_off.save()
        audit(
            user=user,
            source=Source.PAGE,
            action="return",
            obj=sign_off,
            field="status",
            old=SignOff.Status.SUBMITTED,
            new=sign_off.status,
            reason=reason,
        )
        transaction.on_commit(lambda pk=sign_off.pk: notifications.forecast_returned(pk))
        return sign_off


def period_close(*, user, period: Period, source=Source.PAGE) -> Period:
    with transaction.atomic():
        if not has_role(user, Role.ADMINISTRATOR):
            raise PermissionDenied("Only an administrator can close a period.")
        period = Period.objects.select_for_update().get(pk=period.pk)
        if period.is_closed:
            return period
        period.status = Period.Status.CLOSED
        period.save(update_fields=["status"])
        audit(
            user=user,
            source=source,
            action="close",
            obj=period,
            field="status",
            old=Period.Status.OPEN,
            new=Period.Status.CLOSED,
        )
        return period


def period_reopen(*, user, period: Period, reason: str, source=Source.PAGE) -> Period:
    with transaction.atomic():
        if not has_role(user, Role.ADMINISTRATOR):
            raise PermissionDenied("Only an administrator can reopen a period.")
        if not reason.strip():
            raise ValueError("Give the reason for reopening the period.")
        period = Period.objects.select_for_update().get(pk=period.pk)
        if not period.is_closed:
            return period
        period.status = Period.Status.OPEN
        period.save(update_fields=["status"])
        audit(
            user=user,
            source=source,
            action="reopen",
            obj=period,
            field="status",
            old=Period.Status.CLOSED,
            new=Period.Status.OPEN,
            reason=reason,
        )
        return period
