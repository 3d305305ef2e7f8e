"""Email about the month's forecasts: who is told what, sent after the change has committed.

A director of the service's directorate is told when a forecast awaits their sign-off; the
service's finance officers when it is returned (with the director's reason) or signed off.
`send_reminders` (for cron) tells officers whose services have not submitted for a period, and
administrators which services are late.

The sign-off functions in budgets/services.py call these through `transaction.on_commit`, so a
message never goes out for a change that was rolled back, and an SMTP server that is down never
undoes a sign-off: the failure is logged and the change stands. Emails hold service, period
and people's names and the return reason only: no child's data.
"""

import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse

from budgets.access import Role
from budgets.models import BudgetLine, Council, Period, Service, SignOff

logger = logging.getLogger(__name__)


class NotConfiguredEmailBackend(BaseEmailBackend):
    """Production without EMAIL_HOST: nothing is sent (never Django's default relay on
    localhost:25), and each message is logged as not sent, so the gap shows in the logs."""

    def send_messages(self, email_messages):
        for message in email_messages:
            logger.warning(
                "Email not sent (EMAIL_HOST is not set): %r to %d recipient(s)",
                message.subject,
                len(message.recipients()),
            )
        return 0


@dataclass(frozen=True)
class Email:
    to: tuple[str, ...]
    subject: str
    body: str


def _people(users: QuerySet, role: str) -> QuerySet:
    return users.filter(is_active=True, groups__name=role).exclude(email="").distinct()


def directors_of(service: Service) -> QuerySet:
    """Who may sign the service's forecast off (budgets/access.py: can_sign_off_service)."""
    return _people(service.directorate.directors.all(), Role.DIRECTOR)


def officers_of(service: Service) -> QuerySet:
    """Who may edit and submit the service's forecast (budgets/access.py: can_edit_service)."""
    return _people(service.finance_officers.all(), Role.FINANCE_OFFICER)


def administrators() -> QuerySet:
    return _people(get_user_model().objects.all(), Role.ADMINISTRATOR)


def _link(name: str, **kwargs) -> str:
    return settings.CSC_SITE_URL + reverse(name, kwargs=kwargs)


def _forecast_link(service: Service) -> str:
    return _link("budgets:forecast", directorate=service.directorate.code, service=service.code)


def _render(template: str, context: dict) -> tuple[str, str]:
    context = {"service_name": settings.CSC_SERVICE_NAME, **context}
    text = render_to_string(f"email/{template}.txt", context).strip()
    subject, _, body = text.partition("\n")
    return subject.strip(), body.strip() + "\n"


def _send(emails: Iterable[Email]) -> int:
    """Send each message on one connection; a failure is logged, never raised: by now the
    change the email tells of has been committed and must stand."""
    emails = [e for e in emails if e.to]
    if not emails:
        return 0
    messages = [
        EmailMessage(subject=e.subject, body=e.body, to=list(e.to), from_email=None) for e in emails
    ]
    try:
        return get_connection().send_messages(messages) or 0
    except Exception:  # smtplib, socket and TLS errors alike; the traceback goes to the log
        logger.exception("Email could not be sent: %d message(s) lost", len(messages))
        return 0


def _sign_off(sign_off_id: int) -> SignOff:
    return SignOff.objects.select_related(
        "service__directorate", "period__year", "submitted_by", "returned_by", "signed_off_by"
    ).get(pk=sign_off_id)


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _after_commit(notify):
    """For the sign-off notifications, run after the commit: whatever goes wrong (the SMTP
    server, a template, the database) is logged, and the page that made the change still
    answers as it should."""

    @functools.wraps(notify)
    def wrapped(sign_off_id: int) -> int:
        try:
            return notify(sign_off_id)
        except Exception:
            logger.exception("Email about sign-off %s could not be prepared", sign_off_id)
            return 0

    return wrapped


@_after_commit
def forecast_submitted(sign_off_id: int) -> int:
    """Tell the directors of the service's directorate that a forecast awaits their sign-off."""
    sign_off = _sign_off(sign_off_id)
    service = sign_off.service
    context = {
        "service": service.name,
        "period": str(sign_off.period),
        "by": _name(sign_off.submitted_by),
        "link": _forecast_link(service),
    }
    subject, body = _render("forecast_submitted", context)
    to = tuple(u.email for u in directors_of(service).exclude(pk=sign_off.submitted_by_id))
    return _send([Email(to=to, subject=subject, body=body)])


@_after_commit
def forecast_returned(sign_off_id: int) -> int:
    """Tell the service's officers that their forecast was returned, and why."""
    sign_off = _sign_off(sign_off_id)
    service = sign_off.service
    context = {
        "service": service.name,
        "period": str(sign_off.period),
        "by": _name(sign_off.returned_by),
        "reason": sign_off.return_reason,
        "link": _forecast_link(service),
    }
    subject, body = _render("forecast_returned", context)
    to = tuple(u.email for u in officers_of(service))
    return _send([Email(to=to, subject=subject, body=body)])


@_after_commit
def forecast_signed_off(sign_off_id: int) -> int:
    """Tell the service's officers that their forecast was signed off."""
    sign_off = _sign_off(sign_off_id)
    service = sign_off.service
    context = {
        "service": service.name,
        "period": str(sign_off.period),
        "by": _name(sign_off.signed_off_by),
        "link": _forecast_link(service),
    }
    subject, body = _render("forecast_signed_off", context)
    to = tuple(u.email for u in officers_of(service))
    return _send([Email(to=to, subject=subject, body=body)])


def services_not_submitted(period: Period) -> list[Service]:
    """The current council's services with budget lines in the period's year whose forecast
    for the period is neither submitted nor signed off (none yet, or returned)."""
    done = SignOff.objects.filter(
        service=OuterRef("pk"),
        period=period,
        status__in=[SignOff.Status.SUBMITTED, SignOff.Status.SIGNED_OFF],
    )
    budgeted = BudgetLine.objects.filter(service=OuterRef("pk"), budgets__year=period.year_id)
    services = Service.objects.filter(
        directorate__council__in=Council.objects.current().values("pk")
    )
    officers = _people(get_user_model().objects.all(), Role.FINANCE_OFFICER).order_by("pk")
    return list(
        services.filter(Exists(budgeted))
        .exclude(Exists(done))
        .select_related("directorate")
        .prefetch_related(Prefetch("finance_officers", queryset=officers, to_attr="officers"))
        .order_by("directorate__code", "code")
    )


def reminders(period: Period) -> list[Email]:
    """One email per officer listing their services still to submit, and one per
    administrator listing every late service. Three queries, however many services (with
    the period's year loaded)."""
    late = services_not_submitted(period)
    if not late:
        return []
    emails = []
    per_officer: dict = {}
    for service in late:
        for officer in service.officers:
            per_officer.setdefault(officer, []).append(service)
    for officer, services in sorted(per_officer.items(), key=lambda item: item[0].pk):
        subject, body = _render(
            "reminder_officer",
            {
                "period": str(period),
                "services": [(s.name, _forecast_link(s)) for s in services],
            },
        )
        emails.append(Email(to=(officer.email,), subject=subject, body=body))
    admin_subject, admin_body = _render(
        "reminder_administrator",
        {
            "period": str(period),
            "services": [
                (s.directorate.name, s.name, [_name(o) for o in s.officers]) for s in late
            ],
        },
    )
    for admin in administrators():
        emails.append(Email(to=(admin.email,), subject=admin_subject, body=admin_body))
    return emails


def send_reminders(period: Period) -> tuple[int, int]:
    """(messages sent, messages due) for the period's reminders."""
    emails = reminders(period)
    return _send(emails), len(emails)
