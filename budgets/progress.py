"""How far a long command has got: a bar on a terminal (rich), plain lines when not.

A command that can run for more than a few seconds (an import of a million rows, a backup, the
synthetic generator) makes one Progress on its stdout and passes it down; the work reports each
step's count through it. On a terminal that is rich's live bar. Anywhere else (cron, a CI log,
a file) a bar would be a stream of control codes, so it writes a plain line at each tenth of
the total (or every `every` items when the total is not known), and one when the step ends: a
log then shows how far a run got before it stopped. Code called from a page gets NO_PROGRESS,
which does nothing.
"""

import time
from contextlib import contextmanager


class Step:
    """One step's count. update() is cheap enough to call on every row: it passes the count on
    only when it reaches the next point worth showing."""

    def __init__(self, label: str, total: int | None, unit: str):
        self.label, self.total, self.unit = label, total, unit
        self.done = 0
        self._next = 0

    def update(self, done: int) -> None:
        self.done = done
        if done >= self._next:
            self._next = self.next_point(done)
            self.show()

    def next_point(self, done: int) -> int:
        return done + 4096

    def advance(self, count: int = 1) -> None:
        self.update(self.done + count)

    def show(self) -> None:
        """Pass the count on (nothing, for NO_PROGRESS)."""

    def close(self) -> None:
        """The step has ended."""


class _Lines(Step):
    """Plain lines: `label: 200,000 of 1,000,000 rows (20%)`."""

    def __init__(self, stream, every: int, label, total, unit):
        super().__init__(label, total, unit)
        # With a total, a line each tenth of it; without, one every `every` items.
        every = -(-total // 10) if total else every
        self.stream, self.every = stream, max(1, every)
        self._next = self.every
        self._started = time.monotonic()

    def next_point(self, done: int) -> int:
        return (done // self.every + 1) * self.every

    def _count(self) -> str:
        if self.total:
            share = min(100, round(100 * self.done / self.total))
            return f"{self.done:,} of {self.total:,} {self.unit} ({share}%)"
        return f"{self.done:,} {self.unit}"

    def show(self) -> None:
        self.stream.write(f"{self.label}: {self._count()}\n")
        self.stream.flush()

    def close(self) -> None:
        seconds = time.monotonic() - self._started
        self.stream.write(f"{self.label}: done, {self._count()} in {seconds:.1f} s\n")
        self.stream.flush()


class _Bar(Step):
    """rich's bar (or, with no total, its pulsing bar and the count)."""

    def __init__(self, stream, label, total, unit):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        super().__init__(label, total, unit)
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(unit),
            TimeElapsedColumn(),
            console=Console(file=stream, force_terminal=True),
        )
        self._bar.start()
        self._task = self._bar.add_task(label, total=total)

    def show(self) -> None:
        self._bar.update(self._task, completed=self.done)

    def close(self) -> None:
        if self.total is None:
            self._bar.update(self._task, total=self.done)
        self._bar.update(self._task, completed=self.done)
        self._bar.stop()


class Progress:
    """Steps of a long command, shown on `stream` (a management command's self.stdout)."""

    def __init__(self, stream, *, every: int = 100_000):
        # A command's OutputWrapper adds a line ending to each write: the bar needs the file.
        self.stream = getattr(stream, "_out", stream)
        self.every = every
        self.terminal = bool(getattr(self.stream, "isatty", None) and self.stream.isatty())

    def _step(self, label: str, total: int | None, unit: str) -> Step:
        if self.terminal:
            return _Bar(self.stream, label, total, unit)
        return _Lines(self.stream, self.every, label, total, unit)

    def counted(self, rows, label: str):
        """`rows` ((row number, cells) pairs, as budgets.reading yields them) passed through,
        counted as one step."""
        with self.step(label) as step:
            for row in rows:
                step.update(row[0])
                yield row

    @contextmanager
    def step(self, label: str, *, total: int | None = None, unit: str = "rows"):
        step = self._step(label, total, unit)
        try:
            yield step
        finally:
            step.close()


class _Silent(Progress):
    def __init__(self):
        self.stream, self.every, self.terminal = None, 0, False

    def _step(self, label, total, unit) -> Step:
        return Step(label, total, unit)


NO_PROGRESS = _Silent()
