"""Chart data cached under the data's version, so a refresh of a dashboard page is free.

Every write to the product's tables, by a page, an import, the admin or plain SQL, moves the
`csc_data_version` sequence on (a statement-level trigger, budgets migration 0009). Cached
figures are keyed on its value, so a page never shows figures from before a change: the first
request after a change computes them again, and every later one reads them.

One edge remains and is bounded: a request reading while another transaction's write is still
uncommitted sees the version already moved and the old figures, and could cache them under the
new version. Entries therefore also expire (settings.CSC_CHART_CACHE_SECONDS).

The cache is Django's default cache: per process unless settings point it at a shared one.
Each process computing its own copy once per change is correct, only less thrifty.
"""

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections

T = TypeVar("T")


def data_version() -> int:
    """The data's current version: one query of a sequence, never blocked by a writer. Read
    from the primary even on replica pages: a standby logs sequences 32 values ahead, so its
    copy would not move with every change. (Replication lag is the edge described above.)"""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM csc_data_version"
        )
        return cursor.fetchone()[0]


def cached(parts: tuple, build: Callable[[], T]) -> T:
    """build() computed once per data version and `parts` (everything else the result depends
    on: the page, the council, the period, the scope, whose services)."""
    if settings.CSC_CHART_CACHE_SECONDS <= 0:
        return build()
    key = repr((settings.CSC_COUNCIL_LA_CODE, data_version(), *parts))
    key = "csc-chart:" + hashlib.sha256(key.encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, settings.CSC_CHART_CACHE_SECONDS)
    return value
