"""The DfE's reference data for benchmarking, and the rule for which published year a page shows.

- `sn_model_2025_wide.csv`: local authorities and their statistical neighbours; one row per
  authority, `SN_1 … SN_10` the neighbours' old LA codes, `SN_nP` how close each is.
- `lait_cla_finance_workforce_2016_to_2025.csv`: the DfE's Local Authority Interactive Tool
  extract, in long format (a measure, an area, a year, a value): LAC counts and rates, Section 251
  unit costs and spend, workforce rates (`DfeFigure`).

Loading is all or nothing and safe to repeat.
"""

import csv
import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd
from django.db import transaction

from budgets.importing import shorten
from budgets.models import DfeFigure, LocalAuthority, StatisticalNeighbour

SN_FILE = "sn_model_2025_wide.csv"
LAIT_FILE = "lait_cla_finance_workforce_2016_to_2025.csv"
ENGLAND = "E92000001"


class ReferenceDataError(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def read_neighbours(path: Path) -> pd.DataFrame:
    # utf-8-sig: the DfE's files start with a byte-order mark.
    frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    missing = {"old_la_code", "la_name", "region_name"} - set(frame.columns)
    missing |= {f"SN_{n}" for n in range(1, 11)} - set(frame.columns)
    if missing:
        raise ReferenceDataError([f"{path.name}: missing columns {sorted(missing)}"])
    return frame


@transaction.atomic
def load_statistical_neighbours(path: Path) -> int:
    """Returns the number of authorities loaded."""
    frame = read_neighbours(Path(path))
    errors = []
    authorities = {}
    for index, row in frame.iterrows():
        code = row["old_la_code"].strip()
        if not (len(code) == 3 and code.isdigit()):
            errors.append(f"row {index + 2}: old_la_code {code!r} is not a 3-digit code")
            continue
        authorities[code], _ = LocalAuthority.objects.update_or_create(
            la_code=code,
            defaults={"name": row["la_name"].strip(), "region_name": row["region_name"].strip()},
        )
    for index, row in frame.iterrows():
        code = row["old_la_code"].strip()
        if code not in authorities:
            continue
        for rank in range(1, 11):
            neighbour = row[f"SN_{rank}"].strip()
            if neighbour not in authorities:
                errors.append(f"row {index + 2}: SN_{rank} {neighbour!r} is not a known authority")
                continue
            StatisticalNeighbour.objects.update_or_create(
                authority=authorities[code],
                rank=rank,
                defaults={
                    "neighbour": authorities[neighbour],
                    "closeness": row.get(f"SN_{rank}P", "").strip(),
                },
            )
    if errors:
        raise ReferenceDataError(errors)
    return len(authorities)


def neighbours_of(la_code: str) -> list[LocalAuthority]:
    """The authority's ten statistical neighbours, closest first."""
    links = StatisticalNeighbour.objects.filter(authority__la_code=la_code).select_related(
        "neighbour"
    )
    return [link.neighbour for link in links.order_by("rank")]


# --- The LAIT extract --------------------------------------------------------------------------

LAIT_COLUMNS = ["measure", "time_period", "geographic_level", "old_la_code", "area_name", "value"]
# The DfE's symbols for a figure not published: c confidential, z not applicable, x not
# available, low a small number, and a dash or nothing. Missing, never zero.
SUPPRESSED = {"", "c", "z", "x", "low", "-", "u", ":"}
LEVELS = {"Local authority", "Regional", "National"}
LIMIT = Decimal("1e14")  # the column holds 14 digits before the point


def _lait_year(text: str) -> int:
    """`2024` (a 31 March or 30 September measure) or `2024-25` (a financial year) → 2024."""
    first, _, second = text.partition("-")
    if not (len(first) == 4 and first.isdigit()) or (second and not second.isdigit()):
        raise ValueError(f"{shorten(text, 20)!r} is not a year like 2024 or 2024-25")
    year = int(first)
    if second and int(second) != (year + 1) % 100:
        raise ValueError(f"{shorten(text, 20)!r} is not a financial year like 2024-25")
    if not 1990 <= year <= 2100:
        raise ValueError(f"{year} is not a year the DfE publishes")
    return year


def _lait_value(text: str) -> Decimal | None:
    text = text.strip()
    if text.lower() in SUPPRESSED:
        return None
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"{shorten(text, 20)!r} is not a number or a DfE symbol") from None
    if not value.is_finite() or abs(value) >= LIMIT:
        raise ValueError(f"{shorten(text, 20)!r} is not a number the DfE publishes")
    return value.quantize(Decimal("0.01"))


def read_lait(path: Path) -> list[dict]:
    """Every row of the extract, parsed; raises ReferenceDataError listing every bad row by its
    row number in the file and the file's own column header."""
    path = Path(path)
    rows, errors, seen = [], [], {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in LAIT_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ReferenceDataError([f"{path.name}: missing columns {missing}"])
        for number, row in enumerate(reader, start=2):
            try:
                level = (row["geographic_level"] or "").strip()
                if level not in LEVELS:
                    raise ValueError(
                        f"geographic_level {shorten(level, 30)!r} is not one of {sorted(LEVELS)}"
                    )
                code = (row["old_la_code"] or "").strip()
                if level == "Local authority" and not (len(code) == 3 and code.isdigit()):
                    raise ValueError(f"old_la_code {shorten(code, 20)!r} is not a 3-digit code")
                code = ENGLAND if level == "National" else code
                measure, name = (row["measure"] or "").strip(), (row["area_name"] or "").strip()
                if not measure or len(measure) > 40:
                    raise ValueError("measure is blank or longer than 40 characters")
                if not name or len(name) > 100:
                    raise ValueError("area_name is blank or longer than 100 characters")
                try:
                    year = _lait_year((row["time_period"] or "").strip())
                except ValueError as exc:
                    raise ValueError(f"time_period {exc}") from None
                try:
                    value = _lait_value(row["value"] or "")
                except ValueError as exc:
                    raise ValueError(f"value {exc}") from None
            except ValueError as exc:
                errors.append(f"row {number}: {exc}")
                continue
            key = (measure, year, level, code, name)
            if key in seen:
                errors.append(f"row {number}: the same figure as row {seen[key]}")
                continue
            seen[key] = number
            rows.append(
                {
                    "measure": measure,
                    "year": year,
                    "time_period": row["time_period"].strip(),
                    "level": level,
                    "area_code": code,
                    "area_name": name,
                    "value": value,
                }
            )
    if errors:
        raise ReferenceDataError(
            errors[:50] + ([f"… and {len(errors) - 50} more"] if len(errors) > 50 else [])
        )
    return rows


@transaction.atomic
def load_dfe_figures(path: Path) -> tuple[int, int]:
    """Load the LAIT extract: new figures created, changed ones updated, the rest untouched
    (a second run changes nothing). Returns (created, updated)."""
    rows = read_lait(path)
    existing = {
        (f.measure, f.year, f.level, f.area_code, f.area_name): f
        for f in DfeFigure.objects.select_for_update()
    }
    new, changed = [], []
    for row in rows:
        key = (row["measure"], row["year"], row["level"], row["area_code"], row["area_name"])
        figure = existing.get(key)
        if figure is None:
            new.append(DfeFigure(**row))
        elif (figure.value, figure.time_period) != (row["value"], row["time_period"]):
            figure.value, figure.time_period = row["value"], row["time_period"]
            changed.append(figure)
    DfeFigure.objects.bulk_create(new, batch_size=2000)
    DfeFigure.objects.bulk_update(changed, ["value", "time_period"], batch_size=2000)
    return len(new), len(changed)


# --- Which published year a page shows ---------------------------------------------------------


class Basis:
    """What a DfE year counts: a 31 March snapshot (children looked after), a 30 September
    census (the social work workforce), or a financial year (Section 251 outturn)."""

    MARCH = "31 March"
    SEPTEMBER = "30 September"
    FINANCIAL = "financial year"


def _label(year: int, basis: str) -> str:
    if basis == Basis.FINANCIAL:
        return f"{year}-{(year + 1) % 100:02d}"
    return f"{basis} {year}"


def wanted_year(day: datetime.date, basis: str) -> int:
    """The year whose figure belongs with `day`: the last 31 March or 30 September on or
    before it, or the financial year (1 April to 31 March) that holds it."""
    if basis == Basis.MARCH:
        return day.year if (day.month, day.day) >= (3, 31) else day.year - 1
    if basis == Basis.SEPTEMBER:
        return day.year if (day.month, day.day) >= (9, 30) else day.year - 1
    return day.year if day.month >= 4 else day.year - 1


@dataclass(frozen=True)
class BenchmarkYear:
    """The published year a page shows for its date, and a sentence that says which and why."""

    year: int | None  # None: nothing published on or before the date
    wanted: int
    basis: str
    note: str

    @property
    def label(self) -> str:
        return _label(self.year, self.basis) if self.year is not None else ""

    @property
    def exact(self) -> bool:
        return self.year == self.wanted


def benchmark_year(day: datetime.date, published, *, basis: str) -> BenchmarkYear:
    """The rule every benchmark follows: the figure for the page's date (the 31 March or 30
    September on or before it, or the financial year holding it), or else the latest published
    before it; never a figure from after the date. `published`: the years with a figure."""
    wanted = wanted_year(day, basis)
    on_day = f"{day:%-d %B %Y}"
    earlier = [y for y in set(published) if y <= wanted]
    if not earlier:
        first = min(published, default=None)
        note = f"No DfE figure for {_label(wanted, basis)} or before" + (
            f" (the first published is {_label(first, basis)})." if first is not None else "."
        )
        return BenchmarkYear(None, wanted, basis, note)
    year = max(earlier)
    if year == wanted:
        if basis == Basis.FINANCIAL:
            note = f"{_label(year, basis)}, the financial year of {on_day}."
        else:
            note = f"{_label(year, basis)}, the latest on or before {on_day}."
    elif wanted > max(published):
        note = f"No DfE figure yet for {_label(wanted, basis)}: showing {_label(year, basis)}."
    else:
        note = (
            f"No DfE figure for {_label(wanted, basis)}: the latest published before "
            f"{on_day} is {_label(year, basis)}."
        )
    return BenchmarkYear(year, wanted, basis, note)
