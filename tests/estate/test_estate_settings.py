"""Single sign-on, email and the cache are configured from the environment and fail closed: a
half configuration stops the service; local passwords go only when single sign-on is on; mail
goes nowhere unless EMAIL_HOST says where. Each case imports the settings in a fresh process."""

import json
import os
import subprocess
import sys

import pytest

from budgets.access import Role
from tests.live_server_process import ROOT

SHOW = (
    "import json, csc_dashboard.settings as s;"
    "print(json.dumps({'backends': s.AUTHENTICATION_BACKENDS, 'sso': s.CSC_OIDC_ENABLED,"
    "'cache': s.CACHES['default']['BACKEND'], 'email': s.EMAIL_BACKEND,"
    "'tls': s.EMAIL_USE_TLS, 'map': s.CSC_OIDC_GROUP_MAP, 'roles': s._roles}))"
)
SSO = {
    "CSC_OIDC_ISSUER": "https://login.example.test/tenant/v2.0",
    "CSC_OIDC_CLIENT_ID": "budget-monitor",
    "CSC_OIDC_CLIENT_SECRET": "s3cret",
}
OURS = (
    "CSC_OIDC_",
    "CSC_LOCAL_PASSWORDS",
    "EMAIL_",
    "DEFAULT_FROM_EMAIL",
    "REDIS_URL",
    "CSC_CACHE_KEY_PREFIX",
)


def settings_with(**env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(OURS)}
    base.update(
        DEBUG="false",
        SECRET_KEY="k" * 50,
        CSC_CHILD_ID_SALT="s" * 40,
        # Parsed, never connected to: importing the settings must not need a database.
        DATABASE_URL="postgres://nobody@127.0.0.1:9/none",
    )
    base.pop("DATABASE_OWNER_URL", None)
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def loaded(**env) -> dict:
    result = settings_with(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def refused(**env) -> str:
    result = settings_with(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    return result.stderr.strip().splitlines()[-1]


def test_by_default_there_is_no_sso_passwords_work_and_the_cache_is_per_process():
    shown = loaded()
    assert shown["sso"] is False
    assert shown["backends"] == [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    assert shown["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    # The settings name the roles before the apps load; they must be budgets.access's.
    assert tuple(shown["roles"]) == Role.ALL


def test_sso_is_on_when_issuer_client_and_secret_are_all_set():
    shown = loaded(
        **SSO, CSC_OIDC_GROUP_MAP='{"a1b2": "Director", "CSC-Finance": "Finance officer"}'
    )
    assert shown["sso"] is True
    assert shown["backends"] == [
        "axes.backends.AxesStandaloneBackend",
        "csc_dashboard.sso.CouncilOIDCBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    assert shown["map"] == {"a1b2": "Director", "CSC-Finance": "Finance officer"}


@pytest.mark.parametrize("left_out", sorted(SSO))
def test_a_half_sso_configuration_stops_the_service(left_out):
    env = {k: v for k, v in SSO.items() if k != left_out}
    assert left_out in refused(**env)


def test_local_passwords_can_be_turned_off_only_with_sso():
    assert "needs single sign-on" in refused(CSC_LOCAL_PASSWORDS="false")
    shown = loaded(**SSO, CSC_LOCAL_PASSWORDS="false")
    assert "django.contrib.auth.backends.ModelBackend" not in shown["backends"]


@pytest.mark.parametrize(
    ("group_map", "message"),
    [
        ('{"g": "Superuser"}', "roles that do not exist"),
        ('["Director"]', "JSON object of strings"),
        ("{not json", "not valid JSON"),
    ],
)
def test_a_group_map_that_names_no_role_stops_the_service(group_map, message):
    assert message in refused(**SSO, CSC_OIDC_GROUP_MAP=group_map)


def test_an_issuer_that_is_not_a_web_address_stops_the_service():
    assert "CSC_OIDC_ISSUER" in refused(**{**SSO, "CSC_OIDC_ISSUER": "login.example.test"})


def test_redis_url_selects_the_shared_cache():
    shown = loaded(REDIS_URL="redis://cache.internal:6379/1")
    assert shown["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert "not a redis:// address" in refused(REDIS_URL="http://cache.internal")


def test_email_goes_through_smtp_only_when_a_host_is_set():
    assert loaded()["email"] == "budgets.notifications.NotConfiguredEmailBackend"
    assert loaded(DEBUG="true")["email"] == "django.core.mail.backends.console.EmailBackend"
    shown = loaded(EMAIL_HOST="smtp.council.test")
    assert shown["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert shown["tls"] is True  # STARTTLS unless turned off
    assert "not both" in refused(EMAIL_HOST="smtp.council.test", EMAIL_USE_SSL="true")
