"""The write functions of the financial core. Each owns its transaction, the permission check,
the period lock check, the version check and the audit row; pages, imports, the admin and
commands all call these, and nothing else writes forecasts, period statuses or sign-offs.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from budgets import metrics, notifications
from budgets.access import (
    Role,
    can_edit_service,
    can_sign_off_service,
    has_role,
    may_load_service,
)
from budgets.models import AuditEntry, BudgetLine, Forecast, Period, Service, SignOff

Source = AuditEntry.Source


class PeriodClosed(Exception):
    def __init__(self, period: Period):
        super().__init__(f"{period} is closed: its figures cannot be changed.")
        self.period = period


class ForecastLocked(Exception):
    """The service's forecast for the period has been submitted or signed off."""


class CommentaryRequired(ValueError):
    pass


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


@dataclass
class Conflict(Exception):
    """Someone else saved this forecast since the page was opened."""

    line: BudgetLine
    current: Forecast | None

    def __str__(self) -> str:
        if self.current is None:
            return f"{self.line.code}: the page is out of date; reload it and try again."
        who = self.current.author.get_full_name() or self.current.author.username
        when = timezone.localtime(self.current.updated_at).strftime("%d %b %Y %H:%M")
        return (
            f"{self.line.code}: {who} saved £{self.current.outturn:,.2f} at {when} while you were "
            "editing. Your figure was not saved; review theirs and enter yours again."
        )


def audit(*, user, source, action, obj, field="", old="", new="", reason="") -> AuditEntry:
    return AuditEntry.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        source=source,
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        field=field,
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
        reason=reason,
    )


def _lock_period(period: Period) -> Period:
    """Re-read the period under a row lock, so that it cannot close, and no other save, submission
    or sign-off for the period can interleave with ours, while we write."""
    period = Period.objects.select_for_update().select_related("year").get(pk=period.pk)
    if period.is_closed:
        raise PeriodClosed(period)
    return period


def forecast_is_locked(service: Service, period: Period) -> bool:
    """Submitted or signed off: locked. Returned: the officer may change it and submit again."""
    return (
        SignOff.objects.filter(service=service, period=period)
        .exclude(status=SignOff.Status.RETURNED)
        .exists()
    )


def commentary_needed(*, outturn: Decimal, previous: Decimal | None) -> bool:
    """A forecast that moves by more than the threshold since last period must be explained."""
    if previous is None:
        return False
    return abs(outturn - previous) > settings.CSC_COMMENTARY_THRESHOLD


def previous_outturn(line: BudgetLine, period: Period) -> Decimal | None:
    if period.number == 1:
        return None
    previous = Forecast.objects.filter(
        line=line, period__year_id=period.year_id, period__number=period.number - 1
    ).values_list("outturn", flat=True)
    return next(iter(previous), None)


@dataclass
class ForecastChange:
    line: BudgetLine
    outturn: Decimal
    commentary: str
    based_on_version: int | None  # 0: the page saw no forecast yet; None: not sent


def forecasts_save(
    *, user, period: Period, changes: list[ForecastChange], source=Source.PAGE
) -> list[Forecast]:
    """Save several lines' forecasts, all or nothing. Raises PermissionDenied, PeriodClosed,
    ForecastLocked, CommentaryRequired or Conflict (the first problem found; nothing saved)."""
    with transaction.atomic():
        period = _lock_period(period)
        saved = []
        for change in changes:
            saved.append(_forecast_save_one(user=user, period=period, change=change, source=source))
        return saved


def forecast_save(*, user, line, period, outturn, commentary, based_on_version, source=Source.PAGE):
    change = ForecastChange(line, outturn, commentary, based_on_version)
    return forecasts_save(user=user, period=period, changes=[change], source=source)[0]


def may_change_forecast(user, service: Service, source) -> bool:
    """The service's own finance officer, on the page or by import; an administrator only in
    the admin, and only for this deployment's council's services."""
    if source == Source.ADMIN and has_role(user, Role.ADMINISTRATOR):
        return may_load_service(user, service)
    return can_edit_service(user, service)


def _forecast_save_one(*, user, period, change: ForecastChange, source) -> Forecast:
    line = change.line
    if not may_change_forecast(user, line.service, source):
        raise PermissionDenied(f"You may not change {line.service.name}'s forecasts.")
    if forecast_is_locked(line.service, period):
        raise ForecastLocked(
            f"{line.service.name}'s forecast for {period} has been submitted; "
            "a director must return it before it can change."
        )
    if change.based_on_version is None:
        raise Conflict(line, None)
    current = (
        Forecast.objects.select_for_update()
        .select_related("author")
        .filter(line=line, period=period)
        .first()
    )
    current_version = current.version if current else 0
    if change.based_on_version != current_version:
        raise Conflict(line, current)
    if commentary_needed(outturn=change.outturn, previous=previous_outturn(line, period)) and (
        not change.commentary.strip()
    ):
        raise CommentaryRequired(
            f"{line.code}: explain why the forecast moved by more than "
            f"£{settings.CSC_COMMENTARY_THRESHOLD:,.0f} since last period."
        )
    if current is None:
        forecast = Forecast.objects.create(
            line=line,
            period=period,
            outturn=change.outturn,
            commentary=change.commentary,
            author=user,
        )
        audit(
            user=user,
            source=source,
            action="create",
            obj=forecast,
            field="outturn",
            new=forecast.outturn,
            reason=change.commentary,
        )
        return forecast
    if current.outturn == change.outturn and current.commentary == change.commentary:
        return current
    old_outturn, old_commentary = current.outturn, current.commentary
    current.outturn, current.commentary = change.outturn, change.commentary
    current.author, current.version = user, current.version + 1
    current.save()
    if old_outturn != current.outturn:
        audit(
            user=user,
            source=source,
            action="update",
            obj=current,
            field="outturn",
            old=old_outturn,
            new=current.outturn,
            reason=current.commentary,
        )
    if old_commentary != current.commentary:
        audit(
            user=user,
            source=source,
            action="update",
            obj=current,
            field="commentary",
            old=old_commentary,
            new=current.commentary,
        )
    return current


def forecasts_copy_forward(*, user, service: Service, period: Period, source=Source.PAGE) -> int:
    """Start this period from last period's forecasts, for the lines that have none yet."""
    if period.number == 1:
        return 0
    with transaction.atomic():
        period = _lock_period(period)
        if not can_edit_service(user, service):
            raise PermissionDenied(f"You may not change {service.name}'s forecasts.")
        if forecast_is_locked(service, period):
            raise ForecastLocked(f"{service.name}'s forecast for {period} has been submitted.")
        previous = Forecast.objects.filter(
            line__service=service,
            period__year_id=period.year_id,
            period__number=period.number - 1,
        ).exclude(line__forecasts__period=period)
        copied = 0
        for old in previous.select_related("line"):
            forecast = Forecast.objects.create(
                line=old.line, period=period, outturn=old.outturn, commentary="", author=user
            )
            audit(
                user=user,
                source=source,
                action="copy forward",
                obj=forecast,
                field="outturn",
                new=forecast.outturn,
            )
            copied += 1
        return copied


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
        lines = metrics.lines_to_forecast(service, period)
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
