"""Login protection: lockouts, session lifetimes, deactivated accounts, security headers."""

import datetime
import time

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from budgets.access import Role
from csc_dashboard.security import SESSION_RENEWED, SESSION_STARTED, client_ip
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def accounts(db):
    """A director, a finance officer and a scrutiny member of the test's own, whose password
    is tests.factories.PASSWORD."""
    for username, role in [
        ("d.irector", Role.DIRECTOR),
        ("f.officer", Role.FINANCE_OFFICER),
        ("s.member", Role.SCRUTINY_MEMBER),
    ]:
        UserFactory(username=username, role=role)


def sign_in(client, username, password, ip="192.0.2.10"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_a_username_is_locked_after_five_failures_even_with_the_right_password(client):
    for _ in range(4):
        assert sign_in(client, "d.irector", "wrong").status_code == 200
    assert sign_in(client, "d.irector", "wrong").status_code == 429  # the fifth failure locks
    response = sign_in(client, "d.irector", PASSWORD)
    assert response.status_code in (403, 429)
    assert b"Sign-in is locked" in response.content


def test_an_address_is_locked_after_five_failures_across_usernames(client):
    for name in ["a1", "a2", "a3", "a4", "a5"]:
        sign_in(client, name, "wrong", ip="198.51.100.7")
    assert sign_in(client, "s.member", PASSWORD, ip="198.51.100.7").status_code in (403, 429)


def test_a_success_before_the_limit_resets_the_count(client, settings):
    """Four failures, a success, then four more failures: without the reset, the fifth failure
    overall (the first after the success) would lock the account and the address."""
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert sign_in(client, "f.officer", "wrong").status_code == 200
    assert sign_in(client, "f.officer", PASSWORD).status_code == 302
    client.logout()
    for attempt in range(4):
        assert sign_in(client, "f.officer", "wrong").status_code == 200, f"failure {attempt + 1}"
    assert sign_in(client, "f.officer", PASSWORD).status_code == 302


def test_behind_proxies_the_client_address_is_read_from_the_right(settings):
    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5, 10.0.0.2", REMOTE_ADDR="10.0.0.1"
    )
    settings.CSC_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"  # no proxy: the header may be forged
    settings.CSC_TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "203.0.113.5"  # the forged left-most entry is ignored


def _expiry(client) -> datetime.datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def _as_if_renewed_ago(client, seconds: int) -> None:
    """Move the session's last renewal and its expiry `seconds` into the past."""
    session = client.session
    session[SESSION_RENEWED] -= seconds
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + datetime.timedelta(seconds=30 * 60 - seconds)
    )


def test_sessions_end_after_thirty_minutes_idle(client, director, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client.force_login(director)
    assert client.get("/budgets/").status_code == 200
    _as_if_renewed_ago(client, 30 * 60 + 1)
    assert client.get("/budgets/").status_code == 302  # expired: back to sign in


def test_reading_renews_the_idle_timeout_once_a_minute_not_on_every_page(client, director):
    client.force_login(director)
    client.get("/budgets/")
    renewed = _expiry(client)
    _as_if_renewed_ago(client, 59)
    moved_back = _expiry(client)
    with CaptureQueriesContext(connection) as reading:
        assert client.get("/budgets/").status_code == 200
    assert _expiry(client) == moved_back  # within the minute: not renewed, not written
    assert not [q for q in reading if q["sql"].startswith("UPDATE")]

    _as_if_renewed_ago(client, 2)  # 61 seconds since the renewal
    assert client.get("/budgets/").status_code == 200
    expiry = _expiry(client)
    assert expiry > renewed  # renewed: thirty minutes from now
    assert expiry - timezone.now() > datetime.timedelta(minutes=29, seconds=50)


def test_a_session_ends_a_fixed_time_after_sign_in_however_active(client, director, settings):
    client.force_login(director)
    assert client.get("/").status_code == 200
    session = client.session
    session[SESSION_STARTED] = int(time.time()) - settings.CSC_SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/").status_code == 302  # signed out, not just redirected once


def test_a_deactivated_user_is_signed_out_everywhere(client, director):
    client.force_login(director)
    assert client.get("/").status_code == 200
    director.is_active = False
    director.save()
    assert client.get("/").status_code == 302


def test_weak_passwords_are_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ["password123", "12345678901234", "short"]:
        with pytest.raises(ValidationError):
            validate_password(weak)


def test_pages_carry_a_strict_content_security_policy(client, director):
    client.force_login(director)
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    script_src = next(d for d in csp.split("; ") if d.startswith("script-src"))
    assert script_src == "script-src 'self'"
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_no_page_template_has_inline_script():
    import re
    from pathlib import Path

    from django.conf import settings

    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        for tag in re.findall(r"<script\b[^>]*>", template.read_text()):
            assert "src=" in tag or "application/json" in tag, f"{template}: {tag}"
