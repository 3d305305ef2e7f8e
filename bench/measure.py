"""What the import benchmarks measure besides the import: the yardstick (a raw COPY of the same
file) and the process's peak memory."""

import os
import threading
import time
from pathlib import Path


def raw_copy_rate(path: Path, columns: int, *, temporary: bool = False) -> float:
    """Rows per second of COPY of the same file into a bare table of text columns: the
    physical limit of getting the file into the server. The issue's yardstick is a plain table
    (written to the WAL and committed, as an import's rows are); a temporary table (no WAL,
    nothing to commit) is measured too and printed beside it, as earlier runs reported it. The
    plain table is made by the owner's role where the database has one (the site's role may
    not create tables) and dropped afterwards."""
    from django.conf import settings
    from django.db import connections, transaction

    from csc_dashboard.database import OWNER_ALIAS

    alias = "default" if temporary or OWNER_ALIAS not in settings.DATABASES else OWNER_ALIAS
    names = ", ".join(f"c{n} text" for n in range(columns))
    table = "bare_copy" if temporary else "bench_bare_copy"
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    started = time.perf_counter()
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        if temporary:
            cursor.execute(f"CREATE TEMPORARY TABLE {table} ({names}) ON COMMIT DROP")
        else:
            cursor.execute(f"CREATE TABLE {table} ({names})")
        with (
            path.open("rb") as source,
            cursor.cursor.copy(f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            for chunk in iter(lambda: source.read(1 << 20), b""):
                copy.write(chunk)
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
        rows = cursor.fetchone()[0]
    seconds = time.perf_counter() - started  # the commit included
    if not temporary:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {table}")
    return rows / seconds


def copy_rates(path: Path, columns: int) -> tuple[float, float]:
    """(plain table, temporary table) rows per second of a raw COPY of the file."""
    return raw_copy_rate(path, columns), raw_copy_rate(path, columns, temporary=True)


class PeakMemory:
    """The process's resident memory at its highest while the block runs, above where it
    started: Python objects and the database driver's buffers alike (read from /proc)."""

    def __enter__(self):
        self.start = self.peak = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    @property
    def megabytes(self) -> float:
        return (self.peak - self.start) / 1e6

    def _watch(self):
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self._rss())

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
