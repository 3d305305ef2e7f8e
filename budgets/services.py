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

from budgets.access import Role, can_edit_service, has_role
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
    return SignOff.objects.filter(service=service, period=period).exists()


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


def _forecast_save_one(*, user, period, change: ForecastChange, source) -> Forecast:
    line = change.line
    if not can_edit_service(user, line.service):
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
    with transaction.atomic():
        period = _lock_period(period)
        if not can_edit_service(user, service):
            raise PermissionDenied("Only the service's finance officer can submit its forecast.")
        sign_off, created = SignOff.objects.get_or_create(
            service=service,
            period=period,
            defaults={
                "status": SignOff.Status.SUBMITTED,
                "submitted_by": user,
                "submitted_at": timezone.now(),
            },
        )
        if not created:
            raise ForecastLocked("This forecast has already been submitted.")
        audit(
            user=user,
            source=Source.PAGE,
            action="submit",
            obj=sign_off,
            field="status",
            new=sign_off.status,
        )
        return sign_off


def forecast_sign_off(*, user, service: Service, period: Period) -> SignOff:
    with transaction.atomic():
        if not has_role(user, Role.DIRECTOR):
            raise PermissionDenied("Only a director can sign a forecast off.")
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
        return sign_off


def forecast_return(*, user, service: Service, period: Period, reason: str) -> None:
    """A director sends a submitted (not yet signed-off) forecast back for changes."""
    with transaction.atomic():
        if not has_role(user, Role.DIRECTOR):
            raise PermissionDenied("Only a director can return a forecast.")
        if not reason.strip():
            raise ValueError("Say why the forecast is being returned.")
        period = _lock_period(period)
        sign_off = (
            SignOff.objects.select_for_update()
            .filter(service=service, period=period, status=SignOff.Status.SUBMITTED)
            .first()
        )
        if sign_off is None:
            raise ForecastLocked("Only a submitted, not yet signed-off, forecast can be returned.")
        audit(
            user=user,
            source=Source.PAGE,
            action="return",
            obj=sign_off,
            field="status",
            old=sign_off.status,
            new="returned",
            reason=reason,
        )
        sign_off.delete()


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
