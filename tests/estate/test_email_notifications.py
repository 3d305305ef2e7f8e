"""Email through a real SMTP server (aiosmtpd on loopback), in a second council (Southwark,
LA 210, from fixtures/examples): a director of the service's directorate is told when a
forecast awaits their sign-off, the service's officers when it is returned (with the reason) or
signed off; mail goes only after the commit, and an SMTP server that is down loses nothing."""

import datetime
import io
import logging
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction

from budgets import selectors
from budgets.models import Period, Service, SignOff
from budgets.services import (
    ForecastChange,
    forecast_return,
    forecast_sign_off,
    forecast_submit,
    forecasts_save,
)
from tests.live_server_process import free_port

pytestmark = pytest.mark.django_db

OFFICER = "amina.okafor@example.gov.uk"  # a.okafor: SCF and EDU
WASTE_OFFICER = "tom.price@example.gov.uk"  # t.price: WST
DIRECTOR = "ravi.shah@example.gov.uk"  # r.shah: CFS, the directorate of SCF
OTHER_DIRECTOR = "helen.jones@example.gov.uk"  # h.jones: ENL
ADMINISTRATOR = "mark.clarke@example.gov.uk"


# Fixture order matters: `settings` must come after `scf` (the southwark fixture's override of
# the council), so its changes are undone first and the council's override does not outlive
# the test.


def user(username: str):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def scf(southwark):
    """Social Care and Family Support, with a forecast on every budgeted line at period 3."""
    service = Service.objects.get(directorate__council=southwark, code="SCF")
    period = Period.objects.get(year__start_year=2024, number=3)
    lines = selectors.lines_to_forecast(service, period)
    changes = [ForecastChange(line, Decimal("1000"), "", 0) for line in lines]
    forecasts_save(user=user("a.okafor"), period=period, changes=changes)
    return service, period


def submit(scf, capture):
    service, period = scf
    with capture(execute=True):
        return forecast_submit(user=user("a.okafor"), service=service, period=period)


def test_the_director_of_the_directorate_is_told_a_forecast_awaits_sign_off(
    smtp_server, scf, django_capture_on_commit_callbacks
):
    submit(scf, django_capture_on_commit_callbacks)

    assert len(smtp_server.messages) == 1
    message = smtp_server.to(DIRECTOR)[0]
    assert message["Subject"] == (
        "Social Care and Family Support: forecast for 2024/25 P3 (June 2024) awaits your sign-off"
    )
    assert message["From"] == "budget-monitor@council.test"
    body = message.get_content()
    assert "Amina Okafor has submitted" in body
    assert "/budgets/CFS/SCF/forecast/" in body
    assert smtp_server.to(OTHER_DIRECTOR) == [] and smtp_server.to(OFFICER) == []


def test_the_officer_is_told_when_their_forecast_is_returned_with_the_reason(
    smtp_server, scf, django_capture_on_commit_callbacks
):
    service, period = scf
    submit(scf, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        forecast_return(
            user=user("r.shah"),
            service=service,
            period=period,
            reason="The agency line ignores the new team.",
        )

    [message] = smtp_server.to(OFFICER)
    assert message["Subject"].endswith("returned for changes")
    assert "The agency line ignores the new team." in message.get_content()
    assert "Ravi Shah has returned" in message.get_content()
    assert smtp_server.to(WASTE_OFFICER) == []


def test_the_officer_is_told_when_their_forecast_is_signed_off(
    smtp_server, scf, django_capture_on_commit_callbacks
):
    service, period = scf
    submit(scf, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        forecast_sign_off(user=user("r.shah"), service=service, period=period)

    [message] = smtp_server.to(OFFICER)
    assert message["Subject"] == (
        "Social Care and Family Support: forecast for 2024/25 P3 (June 2024) signed off"
    )
    assert len(smtp_server.messages) == 2  # the submission's, to the director, and this one


def test_no_email_goes_for_a_change_that_was_rolled_back(
    smtp_server, scf, django_capture_on_commit_callbacks
):
    service, period = scf
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        forecast_submit(user=user("a.okafor"), service=service, period=period)
        raise RuntimeError("something after the submission failed")

    assert smtp_server.messages == []
    assert not SignOff.objects.filter(service=service, period=period).exists()


def test_an_smtp_server_that_is_down_does_not_lose_the_sign_off(
    scf, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    settings.EMAIL_USE_TLS = False
    service, period = scf
    with caplog.at_level(logging.ERROR, logger="budgets.notifications"):
        sign_off = submit(scf, django_capture_on_commit_callbacks)

    assert SignOff.objects.get(pk=sign_off.pk).status == SignOff.Status.SUBMITTED
    assert "Email could not be sent: 1 message(s) lost" in caplog.text


def test_without_an_smtp_server_configured_production_sends_nothing_and_logs_it(
    scf, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "budgets.notifications.NotConfiguredEmailBackend"
    with caplog.at_level(logging.WARNING, logger="budgets.notifications"):
        submit(scf, django_capture_on_commit_callbacks)

    assert "Email not sent (EMAIL_HOST is not set)" in caplog.text
    assert DIRECTOR not in caplog.text  # no addresses in the log


def test_reminders_tell_each_officer_their_late_services_and_administrators_all(
    smtp_server, southwark
):
    call_command("send_reminders", year="2024/25", period="3", stdout=io.StringIO())

    [amina] = smtp_server.to(OFFICER)
    assert amina["Subject"] == "Reminder: forecasts for 2024/25 P3 (June 2024) not yet submitted"
    body = amina.get_content()
    assert "- Social Care and Family Support: " in body
    assert "Waste" not in body
    [tom] = smtp_server.to(WASTE_OFFICER)
    assert "/budgets/ENL/WST/forecast/" in tom.get_content()
    [admin] = smtp_server.to(ADMINISTRATOR)
    late = [line for line in admin.get_content().splitlines() if line.startswith("- ")]
    assert len(late) == len({s.pk for s in Service.objects.filter(directorate__council=southwark)})
    assert "(finance officers: Amina Okafor)" in admin.get_content()
    assert smtp_server.to(DIRECTOR) == []


def test_reminders_take_the_same_queries_however_many_services_are_late(
    southwark, django_assert_num_queries
):
    from budgets.notifications import reminders

    period = Period.objects.select_related("year").get(year__start_year=2024, number=3)
    # The late services with their officers (2), the administrators (1).
    with django_assert_num_queries(3):
        emails = reminders(period)
    assert len(emails) == 3  # two officers, one administrator


def test_a_submitted_service_is_not_reminded(smtp_server, scf, django_capture_on_commit_callbacks):
    submit(scf, django_capture_on_commit_callbacks)
    smtp_server.messages.clear()

    call_command("send_reminders", year="2024/25", period="3", stdout=io.StringIO())

    [amina] = smtp_server.to(OFFICER)
    assert "Social Care and Family Support" not in amina.get_content()
    assert "Education" in amina.get_content()  # EDU, her other service, is still late


def test_reminders_default_to_the_latest_open_period_that_has_ended(southwark):
    from budgets.management.commands.send_reminders import latest_ended_period

    period = latest_ended_period(datetime.date(2024, 7, 1))
    assert (period.year.start_year, period.number) == (2024, 3)
    Period.objects.filter(pk=period.pk).update(status=Period.Status.CLOSED)
    period = latest_ended_period(datetime.date(2024, 7, 1))
    assert (period.year.start_year, period.number) == (2024, 2)


def test_reminders_refuse_a_period_that_does_not_exist(southwark):
    with pytest.raises(CommandError, match="no period 13"):
        call_command("send_reminders", year="2024/25", period="13")
    with pytest.raises(CommandError, match="Not a period"):
        call_command("send_reminders", year="twenty", period="3")
