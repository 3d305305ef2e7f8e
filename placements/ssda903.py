"""SSDA903 returns as councils and regional tools hold them: several yearly returns in one
file (a YEAR column) and several councils in one file (an LA column), and what an import of
them reports.

Regional tools (and the Social Finance demand model) concatenate each council's yearly returns
with `LA` and `YEAR` columns; each year's return repeats the episodes still open at its start,
with DEC filled in by a later year. YEAR is the collection year: 2024 is the return for the
year ending 31 March 2024.
"""

import csv
import functools
import re
from dataclasses import dataclass, field

from django.conf import settings

from budgets.importing import ImportReport

DFE_AUTHORITIES = "sn_model_2025_wide.csv"


def _key(name: str) -> str:
    """Names compared as the DfE's and councils' own spellings differ: case, spaces, `&`."""
    return re.sub(r"\s+", " ", name.replace("&", "and")).strip().casefold()


class LocalAuthorities:
    """Old LA codes and names from the DfE's list (the LocalAuthority table that
    load_benchmarks fills, or else the DfE file shipped in fixtures/dfe) and the councils of
    this database, to read an LA cell given as a code (`210`) or a name (`southwark`)."""

    def __init__(self):
        from budgets.models import Council, LocalAuthority

        names = dict(LocalAuthority.objects.values_list("la_code", "name"))
        if not names:
            names = _shipped_authorities()
        self.councils = {c.la_code: c for c in Council.objects.all()}
        names |= {code: c.name for code, c in self.councils.items()}
        self.names = names
        self.by_key = {_key(name): code for code, name in names.items()}

    def code(self, text: str) -> str | None:
        value = text.strip()
        if len(value) == 3 and value.isdigit():
            return value
        return self.by_key.get(_key(value))

    def name(self, code: str) -> str:
        return self.names.get(code, f"LA {code}")


def _shipped_authorities() -> dict[str, str]:
    path = settings.BASE_DIR / "fixtures" / "dfe" / DFE_AUTHORITIES
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8-sig") as f:
        return {
            row["old_la_code"].strip(): row["la_name"].strip()
            for row in csv.DictReader(f)
            if row.get("old_la_code", "").strip().isdigit()
        }


@functools.lru_cache(maxsize=256)
def parse_year(text: str) -> int:
    """A return's collection year: `2024`, or the financial year `2023/24` or `2023-24` (the
    year ending 31 March 2024)."""
    value = text.strip()
    match = re.fullmatch(r"(\d{4})(?:\s*[/-]\s*(\d{2}|\d{4}))?", value)
    if match:
        first, second = int(match.group(1)), match.group(2)
        year = first if second is None else first + 1
        if second is not None and int(second[-2:]) != year % 100:
            raise ValueError(f"{value!r} is not a return year (e.g. 2024 or 2023/24)")
        if 1990 <= year <= 2100:
            return year
    raise ValueError(f"{value[:20]!r} is not a return year (e.g. 2024 or 2023/24)")


FLAG_TRUE = {"1", "y", "yes", "true", "t"}
FLAG_FALSE = {"0", "n", "no", "false", "f"}


def parse_flag(text: str) -> bool | None:
    """The UASC flag: 1/0, Y/N, yes/no, true/false; blank is not stated (None)."""
    value = text.strip().lower()
    if not value:
        return None
    if value in FLAG_TRUE:
        return True
    if value in FLAG_FALSE:
        return False
    raise ValueError(f"{text[:20]!r} is not a flag (use 1 or 0)")


@dataclass
class EpisodesReport(ImportReport):
    """An episodes import's report, with what only returns have: rows of councils this
    database does not hold (skipped, per LA), rows that repeat an episode of a later return,
    and the check of the numbers looked after against the DfE's."""

    skipped: dict[str, int] = field(default_factory=dict)  # reason → rows of every file
    skipped_episodes: int = 0  # of them, rows of the episodes files (counted in `rows`)
    superseded: int = 0
    checks: list = field(default_factory=list)  # placements.metrics.LacCheck per council

    def skip(self, reason: str, *, episode: bool = True) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1
        self.skipped_episodes += episode

    def add_check(self, check) -> None:
        """A council's numbers looked after against the DfE's; its warnings join the report's."""
        self.checks.append(check)
        self.warnings.extend(check.warnings)

    @property
    def notes(self) -> list[str]:
        notes = [
            f"{rows:,} {'row' if rows == 1 else 'rows'} for {reason}"
            for reason, rows in sorted(self.skipped.items())
        ]
        if self.superseded:
            notes.append(
                f"{self.superseded:,} rows repeat an episode that a later return holds: the "
                "latest return's version is kept"
            )
        return notes

    def summary(self) -> str:
        text = super().summary()
        if not self.ok:
            return text
        return " ".join([text, *(f"{note}." for note in self.notes)])
