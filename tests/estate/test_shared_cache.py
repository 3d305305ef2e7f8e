"""With REDIS_URL the chart cache lives in Redis, shared by every app server, against a real
redis-server started on loopback: two gunicorn processes on one database read each other's
figures, and a save through one makes the other show the new figures at once."""

import logging
import re
import shutil
import urllib.parse
import urllib.request

import pytest
from django.db import connection

from budgets import cache as chart_cache
from tests.live_server_process import (
    ROOT,
    NoRedirect,
    ServiceProcess,
    free_port,
    get,
    manage,
    stop_postgres,
)


def redis_cache(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "csc-test",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }


@pytest.mark.django_db
def test_figures_are_kept_in_redis_and_read_from_it(settings, redis_server):
    settings.CACHES = redis_cache(redis_server.url)
    redis_server.client.flushdb()
    built = []

    def build():
        built.append(1)
        return {"total": "1.5"}

    assert chart_cache.cached(("test figures",), build) == {"total": "1.5"}
    assert chart_cache.cached(("test figures",), build) == {"total": "1.5"}

    assert len(built) == 1
    assert len(redis_server.chart_keys()) == 1


@pytest.mark.django_db
def test_a_redis_that_is_down_costs_only_the_cache(settings, caplog):
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens
    with caplog.at_level(logging.WARNING, logger="budgets.cache"):
        value = chart_cache.cached(("test figures",), lambda: "computed")

    assert value == "computed"
    assert "Chart cache unavailable: ConnectionError" in caplog.text


@pytest.mark.django_db
def test_a_redis_that_is_down_still_shows_a_figure_that_read_the_months_figures(settings):
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens
    settings.CSC_STRICT_CACHE_READS = False  # as in production

    def build():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM budgets_forecast")
            return cursor.fetchone()[0]

    assert chart_cache.cached(("counted",), build, monthly=False) == build()


# --- Two app servers, one database, one Redis -------------------------------------------------

EXAMPLES = ROOT / "fixtures" / "examples"
SETUP = (
    "import io; from django.core.management import call_command; out = io.StringIO();"
    "call_command('setup_council', la_code='210', name='Southwark', year='2024/25', stdout=out);"
    f"call_command('import_budgets', '{EXAMPLES / 'budget_book_2024-25.csv'}', stdout=out);"
    f"call_command('import_users', '{EXAMPLES / 'users.csv'}', stdout=out);"
    "from django.contrib.sessions.backends.db import SessionStore;"
    "from django.contrib.auth import get_user_model;"
    "from budgets.models import BudgetLine;"
    "users = get_user_model().objects;"
    "keys = [];"
    "[keys.append(s.session_key) for u in (users.get(username='a.okafor'),"
    " users.get(username='cllr.adeyemi')) for s in [SessionStore()]"
    " if not s.update({'_auth_user_id': str(u.pk),"
    " '_auth_user_backend': 'django.contrib.auth.backends.ModelBackend',"
    " '_auth_user_hash': u.get_session_auth_hash()}) and s.create() is None];"
    "print(*keys, BudgetLine.objects.get(code='K31001').pk)"
)
OVERVIEW = "/?year=2024/25&period=3"
FORECAST = "/budgets/CFS/SCF/forecast/?year=2024/25&period=3"
CSRF = "a" * 32  # an unmasked CSRF secret, sent as both the cookie and the form field


def figures(page: str) -> str:
    """The page without its per-response CSRF token."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def post(url: str, fields: dict, *, cookie: str) -> int:
    assert url.startswith("http://127.0.0.1:")  # loopback only
    request = urllib.request.Request(  # noqa: S310
        url,
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def two_app_servers(redis_server):
    """Two gunicorn processes (separate ports, separate memory) on one embedded PostgreSQL
    and one Redis, serving the example council (LA 210) set up through its commands."""
    first = ServiceProcess()
    first.env.update(REDIS_URL=redis_server.url, CSC_COUNCIL_LA_CODE="210")
    manage(first.env, "migrate", "--no-input")
    officer, reader, line = manage(first.env, "shell", "-c", SETUP).stdout.split()[-3:]
    second = ServiceProcess()
    second.env = dict(first.env)  # the same database folder: one server, two app processes
    redis_server.client.flushdb()
    first.start()
    second.start()
    try:
        yield first, second, f"sessionid={officer}", f"sessionid={reader}", line
    finally:
        second.stop()
        first.stop()
        stop_postgres(first.pgdata)
        shutil.rmtree(first.folder, ignore_errors=True)
        shutil.rmtree(second.folder, ignore_errors=True)


def test_a_save_on_one_app_server_changes_the_figures_on_the_other(two_app_servers, redis_server):
    first, second, officer, reader, line = two_app_servers

    get(second.base + OVERVIEW, cookie=reader)  # the session's first request marks its start
    status, before = get(second.base + OVERVIEW, cookie=reader)
    assert status == 200
    assert "Social Care and Family Support forecasts to spend its budget" in before
    keys = redis_server.chart_keys()
    assert len(keys) == 2  # the second server's figures and its page are in Redis ...
    status, again = get(first.base + OVERVIEW, cookie=reader)
    assert status == 200 and figures(again) == figures(before)
    assert redis_server.chart_keys() == keys  # ... and the first read them from there

    fields = {
        "csrfmiddlewaretoken": CSRF,
        f"outturn-{line}": "12346000",  # budget 9,840,000: £2.5m over
        f"version-{line}": "0",
        f"commentary-{line}": "New placements since May.",
    }
    assert post(first.base + FORECAST, fields, cookie=f"{officer}; csrftoken={CSRF}") == 302

    status, after = get(second.base + OVERVIEW, cookie=reader)
    assert status == 200
    assert "Social Care and Family Support forecasts an overspend of £2.5m" in after
    # computed again, figures and page, under a new version
    assert len(redis_server.chart_keys()) == len(keys) + 2
