"""SSDA903 episodes, placement costs and the DfE's LAC statistics, imported all or nothing.

Child identifiers are pseudonymised on the way in (HMAC-SHA256 with settings.CSC_CHILD_ID_SALT)
and postcodes (HOME_POST, PL_POST) and URN are never read beyond their column headers.
"""

import csv
import functools
import hashlib
import hmac
import io
import operator
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

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
from placements.models import Episode, LacRate, Population, RateCard

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


def _pseudonymiser():
    """pseudonymise() for a whole file: the keyed hash's state is computed once and copied per
    child, which is several times faster for a million rows and gives the same references."""
    keyed = hmac.new(settings.CSC_CHILD_ID_SALT.encode(), digestmod=hashlib.sha256)

    def reference(child_id: str) -> str:
        digest = keyed.copy()
        digest.update(child_id.strip().encode())
        return digest.hexdigest()

    return reference


def _cell(cells, columns, name) -> str:
    index = columns.get(name)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _as_stream(source):
    return io.BytesIO(source) if isinstance(source, bytes | bytearray) else source


def _current_council():
    from budgets.models import Council

    council = Council.objects.current().first()
    if council is None:
        raise ImportFileError("Set up the council before loading its placements.")
    return council


def _refuse_outsider(user) -> None:
    """Placements are the council's as a whole: an administrator, or a finance officer of
    this council (assigned to one of its services), loads them; `user` None is an operator."""
    from budgets.access import may_load_council_data

    if not may_load_council_data(user):
        raise ImportFileError(
            "Only an administrator or a finance officer of this council loads its placements."
        )


def episodes_import(source, *, file_name: str, header=None, user=None, max_bytes=None):
    """Load an SSDA903 episodes file (and optionally its header file) for the current council.

    Built for a national file of a million episodes: rows are read one at a time, checked,
    pseudonymised and streamed with COPY into a temporary table; duplicates are found and the
    merge is written by a few set-based SQL statements, so memory stays flat.
    """
    source = _as_stream(source)
    digest, _ = file_digest(source)
    report = ImportReport()
    try:
        council = _current_council()
        _refuse_outsider(user)
        with transaction.atomic():
            _create_stages()
            if header is not None:
                _stage_header(_as_stream(header))
            _stage_episodes(source, file_name, report, max_bytes)
            _check_episodes(report)
            if report.ok:
                _write_episodes(council, report)
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE IF EXISTS episode_stage, child_stage, child_rows")
    except ImportFileError as exc:
        report.file_error = str(exc)
    record_import(kind="placements", file_name=file_name, digest=digest, user=user, report=report)
    return report


def _create_stages() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE episode_stage (row_no integer, reference text, start date,"
            ' "end" date, planned_end date, rne text, legal_status text, place text,'
            " place_provider text, reason_ended text, category text) ON COMMIT DROP"
        )
        cursor.execute(
            "CREATE TEMPORARY TABLE child_stage (reference text PRIMARY KEY, birth_year smallint,"
            " birth_month smallint, uasc boolean, from_header boolean) ON COMMIT DROP"
        )


def _stage_header(source) -> None:
    """Per child: year and month of birth and the UASC flag (the full date is not kept)."""
    header, rows = iter_rows(source, file_name="header file")
    columns = column_indexes(header, HEADER_COLUMNS, required=["CHILD"])
    reference = _pseudonymiser()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE child_rows (reference text, birth_year smallint,"
            " birth_month smallint, uasc boolean) ON COMMIT DROP"
        )
        with cursor.cursor.copy("COPY child_rows FROM STDIN") as copy:
            for number, cells in rows:
                born = None
                if _cell(cells, columns, "DOB"):
                    try:
                        born = parse_date(_cell(cells, columns, "DOB"))
                    except ValueError as exc:
                        raise ImportFileError(f"header file row {number}: {exc}") from None
                flag = _cell(cells, columns, "UASC").lower()
                uasc = flag in {"1", "y", "yes", "true"} or bool(_cell(cells, columns, "DUC"))
                copy.write_row(
                    (
                        reference(_cell(cells, columns, "CHILD")),
                        born.year if born else None,
                        born.month if born else None,
                        uasc,
                    )
                )
        # A child listed twice keeps the last row, as a spreadsheet reader would expect.
        cursor.execute(
            "INSERT INTO child_stage SELECT DISTINCT ON (reference) *, true FROM child_rows"
            " ORDER BY reference, ctid DESC"
        )


# The order _parse_episode takes the cells in.
EPISODE_ORDER = [
    "CHILD",
    "DECOM",
    "DEC",
    "PLANNED_END",
    "RNE",
    "LS",
    "PLACE",
    "PLACE_PROVIDER",
    "REC",
]


def _stage_episodes(source, file_name, report, max_bytes) -> None:
    header, rows = iter_rows(source, file_name=file_name, max_bytes=max_bytes)
    columns = column_indexes(header, EPISODE_COLUMNS, required=["CHILD", "DECOM", "PLACE"])
    # One C-level lookup per row picks the cells; a missing optional column reads the blank
    # cell added past the end of every row.
    width = len(header)
    pick = operator.itemgetter(*(columns.get(name, width) for name in EPISODE_ORDER))
    reference = _pseudonymiser()
    last_child, last_reference = None, None
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy("COPY episode_stage FROM STDIN") as copy,
    ):
        for number, cells in rows:
            report.rows += 1
            cells.extend([""] * (width + 1 - len(cells)))
            values, errors = _parse_episode(*pick(cells))
            if errors:
                report.errors.extend(
                    RowError(number, message, column) for column, message in errors
                )
                continue
            if values[0] != last_child:  # a child's episodes come together: hash once
                last_child, last_reference = values[0], reference(values[0])
            copy.write_row((number, last_reference, *values[1:]))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE episode_stage")


@functools.lru_cache(maxsize=8192)
def _date(text: str):
    """parse_date, remembered: a file of a million episodes has a few thousand distinct dates."""
    return parse_date(text)


@functools.lru_cache(maxsize=1024)
def _category(place: str, provider: str) -> str:
    return category_for(place, provider)


def _parse_episode(
    child, decom, dec, planned_end, rne, ls, place, provider, rec
) -> tuple[tuple, list[tuple[str, str]]]:
    errors = []
    if not child:
        errors.append(("CHILD", "the child's identifier is missing"))
    dates = {}
    for name, value in (("DECOM", decom), ("DEC", dec), ("PLANNED_END", planned_end)):
        dates[name] = None
        if not value:
            if name == "DECOM":
                errors.append((name, "the episode's start date is missing"))
            continue
        try:
            dates[name] = _date(value)
        except ValueError as exc:
            errors.append((name, str(exc)))
    if dates["DEC"] and dates["DECOM"] and dates["DEC"] < dates["DECOM"]:
        errors.append(("DEC", "the episode ends before it starts"))
    place, provider = place.upper(), provider.upper()
    if place not in PLACE_CODES:
        errors.append(("PLACE", f"{place!r} is not an SSDA903 placement type"))
    if provider and provider not in PROVIDER_CODES:
        errors.append(("PLACE_PROVIDER", f"{provider!r} is not a placement provider code"))
    if errors:
        return (), errors
    return (
        child,
        dates["DECOM"],
        dates["DEC"],
        dates["PLANNED_END"],
        rne.upper()[:2],
        ls.upper()[:2],
        place,
        provider,
        rec.upper()[:3],
        _category(place, provider),
    ), []


def _check_episodes(report) -> None:
    """The same child and start date twice in one file: every repeat is reported."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT row_no, first_row FROM (SELECT row_no, min(row_no) OVER"
            " (PARTITION BY reference, start) AS first_row FROM episode_stage) d"
            " WHERE row_no <> first_row"
        )
        repeats = [
            RowError(
                row,
                f"the same child and start date appear again (first on row {first})",
                "DECOM",
            )
            for row, first in cursor.fetchall()
        ]
    report.errors = sorted(report.errors + repeats, key=lambda e: (e.row, e.column))


EPISODE_FIELDS = [
    "end",
    "planned_end",
    "rne",
    "legal_status",
    "place",
    "place_provider",
    "reason_ended",
    "category",
]


def _write_episodes(council, report) -> None:
    """Merge: an episode already held (same child, same start) is updated, a new one added, so
    files covering several years or overlapping earlier uploads never duplicate episodes."""
    columns = ", ".join(f'"{f}"' for f in EPISODE_FIELDS)
    staged = ", ".join(f's."{f}"' for f in EPISODE_FIELDS)
    assignments = ", ".join(f'"{f}" = EXCLUDED."{f}"' for f in EPISODE_FIELDS)
    changed = " OR ".join(f'e."{f}" IS DISTINCT FROM EXCLUDED."{f}"' for f in EPISODE_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO child_stage (reference, uasc, from_header)"
            " SELECT DISTINCT reference, false, false"
            " FROM episode_stage ON CONFLICT (reference) DO NOTHING"
        )
        cursor.execute(
            "INSERT INTO placements_child (council_id, reference, birth_year, birth_month, uasc)"
            " SELECT %s, reference, birth_year, birth_month, uasc FROM child_stage"
            " ON CONFLICT (council_id, reference) DO NOTHING",
            [council.pk],
        )
        # A header file updates what it says of children already held.
        cursor.execute(
            "UPDATE placements_child c SET birth_year = s.birth_year,"
            " birth_month = s.birth_month, uasc = s.uasc FROM child_stage s"
            " WHERE s.from_header AND c.council_id = %s AND c.reference = s.reference"
            " AND (c.birth_year, c.birth_month, c.uasc)"
            " IS DISTINCT FROM (s.birth_year, s.birth_month, s.uasc)",
            [council.pk],
        )
        cursor.execute(
            # The column lists are EPISODE_FIELDS, names fixed in this module; values are
            # parameters or come from the staging table.
            "WITH written AS (INSERT INTO placements_episode AS e"  # noqa: S608
            f" (child_id, council_id, start, {columns})"
            f" SELECT c.id, c.council_id, s.start, {staged} FROM episode_stage s"
            " JOIN placements_child c ON c.council_id = %s AND c.reference = s.reference"
            f" ON CONFLICT (child_id, start) DO UPDATE SET {assignments} WHERE {changed}"
            " RETURNING xmax = 0 AS inserted)"
            " SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)"
            " FROM written",
            [council.pk],
        )
        report.created, report.updated = cursor.fetchone()
    report.unchanged = report.rows - report.created - report.updated


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
        _current_council()
        _refuse_outsider(user)
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
        for e in Episode.objects.current()
        .filter(child__reference__in={ref for ref, _ in costs})
        .select_related("child")
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
