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
Entries also expire (settings.CSC_CHART_CACHE_SECONDS), which bounds their memory, and the
key holds a digest of the product's settings, so nothing computed under other settings is
served.

A second sequence, `csc_reference_version` (migration 0016), moves on every write except to
the month's finance figures (MONTHLY_TABLES: budgets, actuals, forecasts, savings, sign-offs
and their logs). A figure that reads none of those (the demand model's projection, the LAC and
workforce charts) is cached under it with `monthly=False`, so the forecasts officers save all
month long leave it alone. Such a build is watched: a query of a monthly table means the
figure is shown but not kept (and fails the tests, settings.CSC_STRICT_CACHE_READS).

The cache is Django's default cache (settings.CACHES): Redis shared by every app server when
REDIS_URL is set, otherwise per process, where each process computing its own copy once per
change is correct, only less thrifty. Either way the version is read from the database, so
every process agrees on it: a save through one app server makes every other one compute the
figures again. A cache that fails (Redis down) is logged and skipped: the page is computed.
"""

import hashlib
import logging
import re
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.dispatch import receiver

T = TypeVar("T")
logger = logging.getLogger(__name__)

# Held shared by every open writer that moved the version (budgets migration 0010).
WRITERS_LOCK = 7_385_469_001

# The scan reads the sequence's row before the select list runs, so the version is read before
# the lock is tried: if the try succeeds, every writer that moved the version to that value has
# ended. The lock is released at once, so a writer waits for it a few microseconds at most.
_VERSION_SQL = """
SELECT 'csc_data_version'::regclass::oid,
       CASE WHEN d.is_called THEN d.last_value ELSE 0 END,
       'csc_reference_version'::regclass::oid,
       CASE WHEN r.is_called THEN r.last_value ELSE 0 END,
       CASE WHEN pg_try_advisory_lock(%(lock)s) THEN pg_advisory_unlock(%(lock)s)
            ELSE false END,
       pg_current_wal_insert_lsn()::text
FROM csc_data_version d, csc_reference_version r
"""
# The month's finance figures, whose writes move csc_data_version only (budgets migration
# 0016 lists the same tables in the trigger; a test checks the two agree).
MONTHLY_TABLES = (
    "budgets_budget",
    "budgets_actual",
    "budgets_ledgerentry",
    "budgets_forecast",
    "budgets_saving",
    "budgets_signoff",
    "budgets_auditentry",
    "budgets_importrecord",
)
_READS_MONTHLY = re.compile(r"\b(" + "|".join(MONTHLY_TABLES) + r")\b")


@dataclass(frozen=True)
class _Versions:
    everything: str  # csc_data_version: moves on every write
    reference: str  # csc_reference_version: on every write but to the month's finance figures
    settled: bool  # every change up to them has ended
    lsn: str  # the primary's WAL position when they were read


def _read_version() -> _Versions:
    """The versions, whether every change up to them has ended, the primary's WAL position.
    One query, on the primary even for replica pages: a standby logs sequences 32 values
    ahead, so its copy would not move with every change."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(_VERSION_SQL, {"lock": WRITERS_LOCK})
        identity, value, reference_identity, reference, settled, lsn = cursor.fetchone()
    return _Versions(f"{identity}.{value}", f"{reference_identity}.{reference}", settled, lsn)


def data_version() -> str:
    """A short string that changes whenever data the dashboards show changes."""
    return _read_version().everything


def reference_version() -> str:
    """A short string that changes whenever data other than the month's finance figures does."""
    return _read_version().reference


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
    parts: tuple,
    build: Callable[[], T],
    *,
    request=None,
    keep: Callable[[T], bool] | None = None,
    monthly: bool = True,
) -> T:
    """build() computed once per data version and `parts` (everything else the result depends
    on: the page, the period, the scope, whose services). Pass the request to read the version
    once however many figures the page asks for; `keep` says whether a result may be stored
    (a page that answered with an error, say, is not). `monthly=False`: build() reads none of
    the month's finance figures (MONTHLY_TABLES), so it is kept under the reference version,
    which a forecast save or a ledger import leaves alone; a build that reads one anyway is
    not kept, and is an error where settings.CSC_STRICT_CACHE_READS is on (the tests). Call
    outside a transaction that writes: its own uncommitted changes would look settled to it."""
    if settings.CSC_CHART_CACHE_SECONDS <= 0:
        return build()
    versions = getattr(request, "_csc_data_version", None)
    if versions is None:
        versions = _read_version()
        if request is not None:
            request._csc_data_version = versions
    version = versions.everything if monthly else versions.reference
    settled, lsn = versions.settled, versions.lsn
    key = repr((settings.CSC_COUNCIL_LA_CODE, _settings_fingerprint(), version, monthly, *parts))
    key = "csc-chart:" + hashlib.sha256(key.encode()).hexdigest()
    try:
        value = cache.get(key)
    except Exception as exc:  # the cache server's errors: redis.ConnectionError, timeouts
        logger.warning("Chart cache unavailable: %s", type(exc).__name__)
        return _built(build, parts, monthly)[0]
    if value is None:
        value, keepable = _built(build, parts, monthly)
        if keepable and (keep is None or keep(value)) and settled and _replica_has_caught_up(lsn):
            try:
                cache.set(key, value, settings.CSC_CHART_CACHE_SECONDS)
            except Exception as exc:
                logger.warning("Chart cache unavailable: %s", type(exc).__name__)
    return value


_fingerprint: str | None = None
# Left out of the fingerprint: secrets, and where each server keeps its files (which may
# differ between app servers that share one Redis); what is left can change a figure or page.
_NOT_SHOWN = re.compile("SECRET|SALT|PASSWORD|KEY|TOKEN|PGDATA|NODE_MODULES|_DB_|CACHE|STRICT")


def _settings_fingerprint() -> str:
    """A digest of the product's own settings (CSC_*, less _NOT_SHOWN): figures and pages
    computed under other settings (a new threshold or target, after a restart with Redis
    keeping what the old processes stored) are never served. Computed once per process, and
    again when a setting is overridden (tests)."""
    global _fingerprint
    if _fingerprint is None:
        names = sorted(
            n for n in dir(settings) if n.startswith("CSC_") and not _NOT_SHOWN.search(n)
        )
        values = repr([(n, getattr(settings, n)) for n in names])
        _fingerprint = hashlib.sha256(values.encode()).hexdigest()[:16]
    return _fingerprint


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    global _fingerprint
    _fingerprint = None


def _built(build: Callable[[], T], parts: tuple, monthly: bool) -> tuple[T, bool]:
    """(build(), whether it may be kept). A build said to read none of the month's finance
    figures (monthly=False) is watched: if it queries one of MONTHLY_TABLES it is shown but not
    kept, logged, and with CSC_STRICT_CACHE_READS (the tests) an error."""
    if monthly:
        return build(), True
    read = set()

    def watch(execute, sql, params, many, context):
        if found := _READS_MONTHLY.search(sql):
            read.add(found.group(1))
        return execute(sql, params, many, context)

    with ExitStack() as stack:
        for alias in connections:
            stack.enter_context(connections[alias].execute_wrapper(watch))
        value = build()
    if read:
        message = f"cached(monthly=False) for {parts[0]!r} read {sorted(read)}"
        if settings.CSC_STRICT_CACHE_READS:
            raise AssertionError(message)
        logger.error("%s: not kept", message)
    return value, not read
