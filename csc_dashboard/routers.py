"""Send dashboard reads to a read replica when DATABASE_REPLICA_URL is set.

Only views marked with @replica_reads read from the replica, and only for the request that runs
them: a finance officer's own pages (forms, imports, the admin) read the primary, so they always
see what they have just saved despite replication lag. Everything is written to the primary.
The flag lives in a context variable, so nothing is shared between requests or processes.
"""

from contextvars import ContextVar
from functools import wraps

REPLICA = "replica"
_reading_replica: ContextVar[bool] = ContextVar("csc_reading_replica", default=False)


def replica_reads(view):
    """Mark a read-only dashboard view whose queries may be served by the replica."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        token = _reading_replica.set(True)
        try:
            return view(request, *args, **kwargs)
        finally:
            _reading_replica.reset(token)

    return wrapped


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if _reading_replica.get() else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same data as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica gets its schema by replication; the owner alias migrates the primary.
        return db in ("default", "owner")


# The alias `migrate` is running on, while it runs (csc_dashboard/management/commands/migrate.py).
_migrating: ContextVar[str | None] = ContextVar("csc_migrating", default=None)


class MigrationRouter:
    """While `migrate` runs as the owner, data migrations (RunPython with the historical models'
    managers) read and write through the owner's connection too: the site's role cannot see a
    table before the owner grants it, nor wait on the owner's open migration transaction."""

    def db_for_read(self, model, **hints):
        return _migrating.get()

    def db_for_write(self, model, **hints):
        return _migrating.get()


def migrating_on(alias: str):
    """Context manager: route every query to `alias` while a migration runs."""
    from contextlib import contextmanager

    @contextmanager
    def scope():
        token = _migrating.set(alias)
        try:
            yield
        finally:
            _migrating.reset(token)

    return scope()
