"""Chart data cached under the data's version, so a refresh of a dashboard page is free.

Every write to the product's tables, by a page, an import, the admin or plain SQL, moves the
`csc_data_version` sequence on (a statement-level trigger, budgets migration 0009). Cached
figures are keyed on its value, so a page never shows figures from before a change: the first
request after a change computes them again, and every later one reads them.

The sequence moves when the statement runs, before its transaction commits, so figures are
stored only when no writer that moved it is still open (migration 0010: each holds a shared
advisory lock until it ends) and, on replica pages, when the replica has replayed everything
the primary had written. Otherwise the page is computed and shown but not kept. A restore
recreates the sequence, so its identity is part of the version and old entries never match.
Entries also expire (settings.CSC_CHART_CACHE_SECONDS), which bounds their memory.

The cache is Django's default cache (settings.CACHES): Redis shared by every app server when
REDIS_URL is set, otherwise per process, where each process computing its own copy once per
change is correct, only less thrifty. Either way the version is read from the database, so
every process agrees on it: a save through one app server makes every other one compute the
figures again. A cache that fails (Redis down) is logged and skipped: the page is computed.
"""

import hashlib
import logging
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, router

T = TypeVar("T")
logger = logging.getLogger(__name__)

# Held shared by every open writer that moved the version (budgets migration 0010).
WRITERS_LOCK = 7_385_469_001

# The scan reads the sequence's row before the select list runs, so the version is read before
# the lock is tried: if the try succeeds, every writer that moved the version to that value has
# ended. The lock is released at once, so a writer waits for it a few microseconds at most.
_VERSION_SQL = """
SELECT 'csc_data_version'::regclass::oid,
       CASE WHEN is_called THEN last_value ELSE 0 END,
       CASE WHEN pg_try_advisory_lock(%(lock)s) THEN pg_advisory_unlock(%(lock)s)
            ELSE false END,
       pg_current_wal_insert_lsn()::text
FROM csc_data_version
"""


def _read_version() -> tuple[str, bool, str]:
    """(version, whether every change up to it has ended, the primary's WAL position). One
    query, on the primary even for replica pages: a standby logs sequences 32 values ahead,
    so its copy would not move with every change."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(_VERSION_SQL, {"lock": WRITERS_LOCK})
        identity, value, settled, lsn = cursor.fetchone()
    return f"{identity}.{value}", settled, lsn


def data_version() -> str:
    """A short string that changes whenever data the dashboards show changes."""
    return _read_version()[0]


def _replica_has_caught_up(lsn: str) -> bool:
    """Whether the database this request reads from has replayed the primary's WAL up to
    `lsn`; a server that is not a standby (the primary itself, tests) always has."""
    from budgets.models import Forecast

    alias = router.db_for_read(Forecast)
    if alias == DEFAULT_DB_ALIAS:
        return True
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]
        )
        return bool(cursor.fetchone()[0])


def cached(
    parts: tuple, build: Callable[[], T], *, request=None, keep: Callable[[T], bool] | None = None
) -> T:
    """build() computed once per data version and `parts` (everything else the result depends
    on: the page, the period, the scope, whose services). Pass the request to read the version
    once however many figures the page asks for; `keep` says whether a result may be stored
    (a page that answered with an error, say, is not). Call outside a transaction that writes:
    its own uncommitted changes would look settled to it."""
    if settings.CSC_CHART_CACHE_SECONDS <= 0:
        return build()
    memo = getattr(request, "_csc_data_version", None)
    if memo is None:
        memo = _read_version()
        if request is not None:
            request._csc_data_version = memo
    version, settled, lsn = memo
    key = repr((settings.CSC_COUNCIL_LA_CODE, version, *parts))
    key = "csc-chart:" + hashlib.sha256(key.encode()).hexdigest()
    try:
        value = cache.get(key)
    except Exception as exc:  # the cache server's errors: redis.ConnectionError, timeouts
        logger.warning("Chart cache unavailable: %s", type(exc).__name__)
        return build()
    if value is None:
        value = build()
        if (keep is None or keep(value)) and settled and _replica_has_caught_up(lsn):
            try:
                cache.set(key, value, settings.CSC_CHART_CACHE_SECONDS)
            except Exception as exc:
                logger.warning("Chart cache unavailable: %s", type(exc).__name__)
    return value
