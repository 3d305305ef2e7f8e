"""Dashboard reads go to DATABASE_REPLICA_URL when it is set; a second embedded PostgreSQL plays
the replica (holding a different council name, so the test can tell which server answered)."""

import shutil
import tempfile
from pathlib import Path

import pytest

from csc_dashboard.database import embedded_database_settings
from tests.live_server_process import ServiceProcess, get, manage, stop_postgres

SETUP = (
    "from django.contrib.auth.models import Group;"
    "from django.contrib.auth import get_user_model;"
    "from django.contrib.sessions.backends.db import SessionStore;"
    "from budgets.models import Council;"
    "Council.objects.create(name='{council}', la_code='209');"
    "u = get_user_model().objects.create_user('reader', password=None);"
    "u.groups.add(Group.objects.get(name='Scrutiny member'));"
    "s = SessionStore(); s['_auth_user_id'] = str(u.pk);"
    "s['_auth_user_backend'] = 'django.contrib.auth.backends.ModelBackend';"
    "s['_auth_user_hash'] = u.get_session_auth_hash(); s.create(); print(s.session_key)"
)


@pytest.fixture(scope="module")
def replica_folder():
    folder = Path(tempfile.mkdtemp(prefix="csc-replica-"))
    yield folder
    stop_postgres(folder / "pg")
    shutil.rmtree(folder, ignore_errors=True)


def test_dashboard_pages_read_from_the_replica_and_writes_go_to_the_primary(replica_folder):
    live = ServiceProcess()
    replica_env = {**live.env, "CSC_PGDATA": str(replica_folder / "pg")}
    manage(replica_env, "migrate", "--no-input")
    replica_session = manage(replica_env, "shell", "-c", SETUP.format(council="Replica council"))
    manage(live.env, "migrate", "--no-input")
    primary_session = manage(live.env, "shell", "-c", SETUP.format(council="Primary council"))
    socket = embedded_database_settings(replica_folder / "pg")["default"]["HOST"]
    live.env["DATABASE_REPLICA_URL"] = f"postgres://csc_app@{socket.replace('/', '%2F')}/csc"
    # Sessions are read from the primary: the primary's session key signs the user in.
    cookie = "sessionid=" + primary_session.stdout.split()[-1]
    assert replica_session.stdout.split()[-1] != primary_session.stdout.split()[-1]
    live.start()
    try:
        status, body = get(live.base + "/", cookie=cookie)
        assert status == 200
        assert "Replica council" in body  # the overview's reads came from the replica
        status, body = get(live.base + "/healthz")
        assert status == 200
    finally:
        live.stop()
        stop_postgres(live.pgdata)
        shutil.rmtree(live.folder, ignore_errors=True)


def test_the_router_sends_only_marked_reads_to_the_replica():
    from csc_dashboard.routers import ReplicaRouter, replica_reads

    router = ReplicaRouter()
    seen = {}

    @replica_reads
    def dashboard(request):
        seen["read"] = router.db_for_read(None)
        seen["write"] = router.db_for_write(None)

    class Request:
        method = "GET"

    dashboard(Request())
    assert seen == {"read": "replica", "write": "default"}
    assert router.db_for_read(None) == "default"  # outside the view: the primary
    Request.method = "POST"
    dashboard(Request())
    assert seen["read"] == "default"  # a form post never reads the replica
    assert router.allow_migrate("replica", "budgets") is False
