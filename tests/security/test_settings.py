"""Settings come from the environment and fail loudly on bad values."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from csc_dashboard.env import env_bool, env_int, env_list

ROOT = settings.BASE_DIR


def import_settings(**env):
    """Import the real settings module in a fresh interpreter with `env` on top of ours."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "-c", "import csc_dashboard.settings"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_bad_debug_value_stops_the_service():
    result = import_settings(DEBUG="ture", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "DEBUG='ture' is not a boolean" in result.stderr


def test_secret_key_is_required_when_debug_is_off():
    result = import_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_env_bool_reads_the_usual_spellings(monkeypatch):
    for raw, expected in [("1", True), ("TRUE", True), ("on", True), ("no", False), ("0", False)]:
        monkeypatch.setenv("CSC_FLAG", raw)
        assert env_bool("CSC_FLAG", default=not expected) is expected
    monkeypatch.delenv("CSC_FLAG")
    assert env_bool("CSC_FLAG", default=False) is False


def test_env_int_and_list_refuse_or_parse(monkeypatch):
    monkeypatch.setenv("CSC_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured):
        env_int("CSC_NUMBER", default=1)
    monkeypatch.setenv("CSC_NUMBER", "-5")
    with pytest.raises(ImproperlyConfigured):
        env_int("CSC_NUMBER", default=1, minimum=0)
    monkeypatch.setenv("CSC_NUMBER", "2048")
    with pytest.raises(ImproperlyConfigured, match="at most 2047"):
        env_int("CSC_NUMBER", default=1, maximum=2047)
    assert env_int("CSC_NUMBER", default=1, maximum=2048) == 2048
    monkeypatch.setenv("CSC_HOSTS", "a.example, b.example,")
    assert env_list("CSC_HOSTS", default=[]) == ["a.example", "b.example"]


def test_debug_is_off_and_nothing_is_allowed_by_default():
    # The test run's own settings: DEBUG off, as in production.
    assert settings.DEBUG is False
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE


def test_the_database_is_postgresql():
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
