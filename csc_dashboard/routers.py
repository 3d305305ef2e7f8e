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
        return db == "default"  # the replica gets its schema by replication
