"""SSDA903 episodes, placement costs and the DfE's LAC statistics, imported all or nothing.

Child identifiers are pseudonymised on the way in (HMAC-SHA256 with settings.CSC_CHILD_ID_SALT)
and postcodes (HOME_POST, PL_POST) and URN are never read beyond their column headers.
"""

import csv
import hashlib
import hmac
import io
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from budgets.importing import (
    ImportFileError,
    ImportReport,
    RowError,
    column_indexes,
    file_digest,
    iter_rows,
    parse_date,
    parse_money,
    record_import,
)
from placements.categories import PLACE_CODES, PROVIDER_CODES, CostCategory, category_for
from placements.models import Child, Episode, LacRate, Population, RateCard

EPISODE_COLUMNS = {
    "CHILD": [],
    "DECOM": [],
    "RNE": [],
    "LS": [],
    "PLACE": [],
    "PLACE_PROVIDER": [],
    "DEC": [],
    "REC": [],
    "PLANNED_END": ["planned end", "planned_end_date"],
}
HEADER_COLUMNS = {"CHILD": [], "DOB": [], "UASC": ["uasc_flag"], "DUC": []}
MISSING = {"", "c", "z", "x", "low", "u", ":"}


def pseudonymise(child_id: str) -> str:
    """A keyed hash: the same child always gets the same reference, and without the key the
    reference cannot be turned back into the SSDA903 identifier."""
    key = settings.CSC_CHILD_ID_SALT.encode()
    return hmac.new(key, child_id.strip().encode(), hashlib.sha256).hexdigest()


def _cell(cells, columns, name) -> str:
    index = columns.get(name)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _as_stream(source):
    return io.BytesIO(source) if isinstance(source, bytes | bytearray) else source


def episodes_import(source, *, file_name: str, header=None, user=None, max_bytes=None):
    source = _as_stream(source)
    digest, _ = file_digest(source)
    report = ImportReport()
    try:
        children = _read_header(_as_stream(header)) if header is not None else {}
        rows = _read_episodes(source, file_name, report, max_bytes)
        if report.ok:
            _write_episodes(rows, children, report)
    except ImportFileError as exc:
        report.file_error = str(exc)
    record_import(kind="placements", file_name=file_name, digest=digest, user=user, report=report)
    return report


def _read_header(source) -> dict[str, dict]:
    """Per child: year and month of birth and the UASC flag (the full date is not kept)."""
    header, rows = iter_rows(source, file_name="header file")
    columns = column_indexes(header, HEADER_COLUMNS, required=["CHILD"])
    children = {}
    for number, cells in rows:
        child = _cell(cells, columns, "CHILD")
        details = {"birth_year": None, "birth_month": None, "uasc": False}
        if _cell(cells, columns, "DOB"):
            try:
                born = parse_date(_cell(cells, columns, "DOB"))
            except ValueError as exc:
                raise ImportFileError(f"header file row {number}: {exc}") from None
            details.update(birth_year=born.year, birth_month=born.month)
        flag = _cell(cells, columns, "UASC").lower()
        details["uasc"] = flag in {"1", "y", "yes", "true"} or bool(_cell(cells, columns, "DUC"))
        children[child] = details
    return children


def _read_episodes(source, file_name, report, max_bytes) -> dict:
    header, rows = iter_rows(source, file_name=file_name, max_bytes=max_bytes)
    columns = column_indexes(header, EPISODE_COLUMNS, required=["CHILD", "DECOM", "PLACE"])
    episodes = {}
    for number, cells in rows:
        report.rows += 1
        errors = []
        child = _cell(cells, columns, "CHILD")
        if not child:
            errors.append(("CHILD", "the child's identifier is missing"))
        dates = {}
        for name in ("DECOM", "DEC", "PLANNED_END"):
            value = _cell(cells, columns, name)
            if not value:
                dates[name] = None
                if name == "DECOM":
                    errors.append((name, "the episode's start date is missing"))
                continue
            try:
                dates[name] = parse_date(value)
            except ValueError as exc:
                errors.append((name, str(exc)))
        if dates.get("DEC") and dates.get("DECOM") and dates["DEC"] < dates["DECOM"]:
            errors.append(("DEC", "the episode ends before it starts"))
        place = _cell(cells, columns, "PLACE").upper()
        provider = _cell(cells, columns, "PLACE_PROVIDER").upper()
        if place not in PLACE_CODES:
            errors.append(("PLACE", f"{place!r} is not an SSDA903 placement type"))
        if provider and provider not in PROVIDER_CODES:
            errors.append(("PLACE_PROVIDER", f"{provider!r} is not a placement provider code"))
        key = (child, dates.get("DECOM"))
        if not errors and key in episodes:
            errors.append(
                (
                    "DECOM",
                    f"the same child and start date appear again (first on row "
                    f"{episodes[key]['row']})",
                )
            )
        report.errors.extend(RowError(number, message, column) for column, message in errors)
        if not errors:
            episodes[key] = {
                "row": number,
                "end": dates["DEC"],
                "planned_end": dates["PLANNED_END"],
                "rne": _cell(cells, columns, "RNE").upper()[:2],
                "legal_status": _cell(cells, columns, "LS").upper()[:2],
                "place": place,
                "place_provider": provider,
                "reason_ended": _cell(cells, columns, "REC").upper()[:3],
                "category": category_for(place, provider),
            }
    return episodes


FIELDS = [
    "end",
    "planned_end",
    "rne",
    "legal_status",
    "place",
    "place_provider",
    "reason_ended",
    "category",
]


@transaction.atomic
def _write_episodes(episodes: dict, header: dict, report) -> None:
    """Merge: an episode already held (same child, same start) is updated, a new one added, so
    files covering several years or overlapping earlier uploads never duplicate episodes."""
    references = {child: pseudonymise(child) for child, _ in episodes}
    for child in header:
        references.setdefault(child, pseudonymise(child))
    existing_children = {
        c.reference: c for c in Child.objects.filter(reference__in=references.values())
    }
    for child, reference in references.items():
        details = header.get(child)
        found = existing_children.get(reference)
        if found is None:
            found = Child.objects.create(reference=reference, **(details or {}))
            existing_children[reference] = found
        elif details and any(getattr(found, k) != v for k, v in details.items()):
            for name, value in details.items():
                setattr(found, name, value)
            found.save()
    held = {
        (e.child_id, e.start): e
        for e in Episode.objects.filter(child__in=existing_children.values())
    }
    for (child, start), values in episodes.items():
        values = {k: values[k] for k in FIELDS}
        owner = existing_children[references[child]]
        episode = held.get((owner.pk, start))
        if episode is None:
            Episode.objects.create(child=owner, start=start, **values)
            report.created += 1
        elif any(getattr(episode, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(episode, name, value)
            episode.save()
            report.updated += 1
        else:
            report.unchanged += 1


COST_EPISODE = {"CHILD": [], "DECOM": [], "WEEKLY_COST": ["weekly cost", "cost per week"]}
COST_CARD = {
    "CATEGORY": [],
    "EFFECTIVE_FROM": ["from", "effective from"],
    "WEEKLY_COST": ["weekly cost", "cost per week"],
}


def costs_import(source, *, file_name: str, user=None, max_bytes=None) -> ImportReport:
    """Weekly costs per episode (CHILD, DECOM, WEEKLY_COST) or a rate card per category
    (CATEGORY, EFFECTIVE_FROM, WEEKLY_COST), told apart by their columns."""
    source = _as_stream(source)
    digest, _ = file_digest(source)
    report = ImportReport()
    try:
        header, rows = iter_rows(source, file_name=file_name, max_bytes=max_bytes)
        names = {h.strip().upper().replace(" ", "_") for h in header}
        if "CATEGORY" in names:
            _rate_card(header, rows, report)
        else:
            _episode_costs(header, rows, report)
    except ImportFileError as exc:
        report.file_error = str(exc)
    record_import(
        kind="placement costs", file_name=file_name, digest=digest, user=user, report=report
    )
    return report


def _rate_card(header, rows, report) -> None:
    columns = column_indexes(header, COST_CARD, required=list(COST_CARD))
    labels = {c.value: c for c in CostCategory} | {c.label.lower(): c for c in CostCategory}
    cards = {}
    for number, cells in rows:
        report.rows += 1
        category = labels.get(_cell(cells, columns, "CATEGORY").lower()) or labels.get(
            _cell(cells, columns, "CATEGORY")
        )
        try:
            if category is None:
                raise ValueError(f"{_cell(cells, columns, 'CATEGORY')!r} is not a cost category")
            day = parse_date(_cell(cells, columns, "EFFECTIVE_FROM"))
            cost = parse_money(_cell(cells, columns, "WEEKLY_COST"))
            if cost < 0:
                raise ValueError("a weekly cost cannot be negative")
            cards[(category, day)] = cost
        except ValueError as exc:
            report.errors.append(RowError(number, str(exc)))
    if report.ok:
        with transaction.atomic():
            for (category, day), cost in cards.items():
                _, created = RateCard.objects.update_or_create(
                    category=category, effective_from=day, defaults={"weekly_cost": cost}
                )
                report.created += created
                report.updated += not created


def _episode_costs(header, rows, report) -> None:
    columns = column_indexes(header, COST_EPISODE, required=list(COST_EPISODE))
    costs = {}
    for number, cells in rows:
        report.rows += 1
        try:
            start = parse_date(_cell(cells, columns, "DECOM"))
            cost = parse_money(_cell(cells, columns, "WEEKLY_COST"))
            if cost < 0:
                raise ValueError("a weekly cost cannot be negative")
            costs[(pseudonymise(_cell(cells, columns, "CHILD")), start)] = (number, cost)
        except ValueError as exc:
            report.errors.append(RowError(number, str(exc)))
    found = {
        (e.child.reference, e.start): e
        for e in Episode.objects.filter(
            child__reference__in={ref for ref, _ in costs}
        ).select_related("child")
    }
    for key, (number, _) in costs.items():
        if key not in found:
            report.errors.append(RowError(number, "no episode for this child and start date"))
    if report.ok:
        with transaction.atomic():
            for key, (_, cost) in costs.items():
                episode = found[key]
                if episode.weekly_cost == cost:
                    report.unchanged += 1
                else:
                    episode.weekly_cost = cost
                    episode.save(update_fields=["weekly_cost"])
                    report.updated += 1


def _number(value: str):
    return None if value.strip().lower() in MISSING else value.strip()


@transaction.atomic
def load_lac_benchmarks(folder: Path) -> tuple[int, int]:
    """DfE LAC numbers and rates per 10,000 on 31 March, and ONS 0–17 population; suppressed
    values (c, z, x, low, blank) are missing, never zero. Returns rows loaded of each."""
    rates = 0
    with open(folder / "cla_number_and_rate_per_10k_children.csv", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            if row["population_type"] != "Children looked after on 31 March each year":
                continue
            code, name = _area(row)
            children, rate = _number(row["children_count"]), _number(row["rate_per_10000"])
            LacRate.objects.update_or_create(
                area_code=code,
                year=int(row["time_period"]),
                defaults={
                    "area_name": name,
                    "level": row["geographic_level"],
                    "children": int(children) if children else None,
                    "rate_per_10k": Decimal(rate) if rate else None,
                },
            )
            rates += 1
    people = 0
    with open(
        folder / "ons_mid-year_population_estimates_2012_to_2024.csv", encoding="utf-8-sig"
    ) as f:
        for row in csv.DictReader(f):
            value = _number(row["population_estimate"])
            if value is None:
                continue
            code, _ = _area(row)
            Population.objects.update_or_create(
                area_code=code, year=int(row["time_period"]), defaults={"children": int(value)}
            )
            people += 1
    return rates, people


def _area(row) -> tuple[str, str]:
    level = row["geographic_level"]
    if level == "National":
        return "E92000001", "England"
    if level == "Regional":
        return row["region_code"], row["region_name"]
    return row["old_la_code"], row["la_name"]
