"""SSDA903 episodes, placement costs and the DfE's LAC statistics, imported all or nothing.

Child identifiers are pseudonymised on the way in (HMAC-SHA256 with settings.CSC_CHILD_ID_SALT)
and postcodes (HOME_POST, PL_POST) and URN are never read beyond their column headers.
"""

import csv
import datetime
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
    import_started,
    iter_rows,
    parse_date,
    parse_money,
    record_import,
)
from placements.categories import PLACE_CODES, PROVIDER_CODES, CostCategory, category_for
from placements.models import Episode, LacRate, Population, RateCard
from placements.ssda903 import EpisodesReport, LocalAuthorities, parse_flag, parse_year

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
    "LA": ["la_name", "local authority"],
    "YEAR": ["return year", "collection year"],
}
# The header file and the UASC file (its own, or the header's UASC flag).
CHILD_COLUMNS = {
    "CHILD": [],
    "DOB": [],
    "UASC": ["uasc_flag"],
    "DUC": [],
    "LA": ["la_name", "local authority"],
    "YEAR": ["return year", "collection year"],
}
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


def _may_load_other_councils(user) -> bool:
    """Rows of another council of this database go to it when an administrator or an operator
    (`user` None) loads them; a finance officer loads their own council's rows only."""
    from budgets.access import Role, has_role

    return user is None or has_role(user, Role.ADMINISTRATOR)


def _named(files, default_name: str) -> list[tuple[str, object]]:
    """One file (bytes or a binary file object) or a list of (name, file) → [(name, stream)]."""
    if files is None:
        return []
    if isinstance(files, list | tuple):
        return [(name, _as_stream(data)) for name, data in files]
    return [(default_name, _as_stream(files))]


def _digest(named) -> str:
    if len(named) == 1:
        return file_digest(named[0][1])[0]
    return hashlib.sha256(
        "".join(file_digest(stream)[0] for _, stream in named).encode()
    ).hexdigest()


class _Target:
    """Where an import's rows go: the council of each row's LA cell (or the deployment's
    council when there is no LA column), or skipped with a reason counted in the report."""

    def __init__(self, council, user, report):
        self.council, self.report = council, report
        self.authorities = None
        self.others = _may_load_other_councils(user)
        self._known: dict[str, int | str | None] = {}

    def prepare(self) -> None:
        """Read the authorities' names before a COPY starts: no other query may run on the
        connection while a COPY is under way."""
        if self.authorities is None:
            self.authorities = LocalAuthorities()

    def council_of(self, text: str):
        """The council id for an LA cell; a str is the reason the row is skipped; None is a
        cell that names no local authority. No query (prepare() has read the names)."""
        if text in self._known:
            return self._known[text]
        code = self.authorities.code(text)
        if code is None:
            result = None
        elif code == self.council.la_code:
            result = self.council.pk
        elif code in self.authorities.councils:
            result = self.authorities.councils[code].pk
            if not self.others:
                result = (
                    f"{self.authorities.name(code)} skipped: only an administrator loads "
                    "another council's rows"
                )
        else:
            result = f"{self.authorities.name(code)} skipped: not a council of this database"
        self._known[text] = result
        return result


def episodes_import(
    source, *, file_name: str = "", header=None, uasc=None, user=None, max_bytes=None
):
    """Load SSDA903 episodes (and optionally header and UASC files) for the current council.

    Each of `source`, `header` and `uasc` is one file (bytes or a binary file object) or a
    list of (file name, file). Returns held by regional tools are read as they are: a YEAR
    column (or several files) holds several yearly returns, and the same episode (child and
    start date) in successive returns is one episode, the latest return's version winning; an
    LA column sends each row to its council, or skips it (counted) when the database does not
    hold that council.

    Built for a national file of a million episodes: rows are read one at a time, checked,
    pseudonymised and streamed with COPY into a temporary table; duplicates are found and the
    merge is written by a few set-based SQL statements, so memory stays flat.
    """
    named = _named(source, file_name)
    file_name = file_name or " + ".join(name for name, _ in named)
    digest = _digest(named)
    report = EpisodesReport()
    started = import_started(kind="placements", file_name=file_name, digest=digest, user=user)
    try:
        council = _current_council()
        _refuse_outsider(user)
        target = _Target(council, user, report)
        with transaction.atomic():
            _create_stages()
            order = 0
            for kind, files in (("header", header), ("uasc", uasc)):
                for name, stream in _named(files, f"{kind.upper()} file"):
                    order = _stage_children(stream, name, kind, target, report, order, max_bytes)
            returns = _Returns(len(named))
            for file_no, (name, stream) in enumerate(named):
                _stage_episodes(
                    stream, name, file_no, target, report, returns, max_bytes, many=len(named) > 1
                )
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE episode_stage")
            _check_episodes(report, returns)
            if report.ok:
                if returns.several:
                    _keep_latest_returns(report, returns)
                councils = _write_episodes(report)
                _check_numbers(report, councils)
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE IF EXISTS episode_stage, child_stage, child_rows")
    except ImportFileError as exc:
        report.file_error = str(exc)
    record_import(
        kind="placements",
        file_name=file_name,
        digest=digest,
        user=user,
        report=report,
        started=started,
    )
    return report


class _Returns:
    """The returns an import holds: (file, YEAR) pairs; a file without a YEAR column is one
    return, dated by its latest date (a return holds dates up to its 31 March)."""

    def __init__(self, files: int):
        self.names: list[str] = []
        self.start_headers: list[str] = []  # each file's own header of DECOM
        self.seen: set[tuple[int, int | None]] = set()
        self.latest: dict[int, datetime.date] = {}
        self.files = files

    @property
    def several(self) -> bool:
        return len(self.seen) > 1

    def year_of_file(self, file_no: int) -> int:
        day = self.latest.get(file_no)
        if day is None:
            return 0
        return day.year if day.month <= 3 else day.year + 1


def _create_stages() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE episode_stage (file_no smallint, row_no integer,"
            ' council_id integer, year smallint, reference text, start date, "end" date,'
            " planned_end date, rne text, legal_status text, place text, place_provider text,"
            " reason_ended text, category text) ON COMMIT DROP"
        )
        cursor.execute(
            "CREATE TEMPORARY TABLE child_rows (council_id integer, reference text,"
            " birth_year smallint, birth_month smallint, has_birth boolean, uasc boolean,"
            " year smallint, source smallint, ord integer) ON COMMIT DROP"
        )
        cursor.execute(
            "CREATE TEMPORARY TABLE child_stage (council_id integer, reference text,"
            " birth_year smallint, birth_month smallint, has_birth boolean NOT NULL DEFAULT"
            " false, uasc boolean, PRIMARY KEY (council_id, reference)) ON COMMIT DROP"
        )


def _header_name(header, columns, name) -> str:
    """The file's own header for one of our columns (messages name the column as the file
    does)."""
    index = columns.get(name)
    return str(header[index]) if index is not None and index < len(header) else name


def _stage_children(source, name, kind, target, report, order, max_bytes) -> int:
    """Header rows (year and month of birth, the UASC flag; the full date is not kept) and UASC
    file rows (a child listed is one; a UASC flag of 0 says not), staged per council with their
    return year, so that the latest return's row for a child wins."""
    header, rows = iter_rows(source, file_name=name, max_bytes=max_bytes)
    columns = column_indexes(header, CHILD_COLUMNS, required=["CHILD"])
    own = functools.partial(_header_name, header, columns)
    reference = _pseudonymiser()
    source_no = 1 if kind == "uasc" else 0
    if "LA" in columns:
        target.prepare()
    with connection.cursor() as cursor, cursor.cursor.copy("COPY child_rows FROM STDIN") as copy:
        for number, cells in rows:
            errors = []
            council_id = target.council.pk
            if "LA" in columns:
                council_id = target.council_of(_cell(cells, columns, "LA"))
                if council_id is None:
                    errors.append(
                        ("LA", f"{_cell(cells, columns, 'LA')[:40]!r} is not a local authority")
                    )
                elif isinstance(council_id, str):
                    report.skip(council_id, episode=False)
                    continue
            year = None
            if _cell(cells, columns, "YEAR"):
                try:
                    year = parse_year(_cell(cells, columns, "YEAR"))
                except ValueError as exc:
                    errors.append(("YEAR", str(exc)))
            if not _cell(cells, columns, "CHILD"):
                errors.append(("CHILD", "the child's identifier is missing"))
            born, flag = None, None
            if kind == "header" and _cell(cells, columns, "DOB"):
                try:
                    born = parse_date(_cell(cells, columns, "DOB"))
                except ValueError as exc:
                    errors.append(("DOB", str(exc)))
            if _cell(cells, columns, "DUC"):
                try:
                    parse_date(_cell(cells, columns, "DUC"))  # checked, never kept
                    flag = True
                except ValueError as exc:
                    errors.append(("DUC", str(exc)))
            try:
                stated = parse_flag(_cell(cells, columns, "UASC"))
                flag = stated if stated is not None else flag
            except ValueError as exc:
                errors.append(("UASC", str(exc)))
            if kind == "uasc" and flag is None:
                flag = True  # the UASC file lists the children who were UASC
            if errors:
                report.errors.extend(
                    RowError(number, f"{name}: {message}", own(column))
                    for column, message in errors
                )
                continue
            order += 1
            copy.write_row(
                (
                    council_id,
                    reference(_cell(cells, columns, "CHILD")),
                    born.year if born else None,
                    born.month if born else None,
                    kind == "header",
                    flag,
                    year,
                    source_no,
                    order,
                )
            )
    return order


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


def _stage_episodes(source, name, file_no, target, report, returns, max_bytes, *, many) -> None:
    header, rows = iter_rows(source, file_name=name, max_bytes=max_bytes)
    columns = column_indexes(header, EPISODE_COLUMNS, required=["CHILD", "DECOM", "PLACE"])
    own = functools.partial(_header_name, header, columns)
    prefix = f"{name}: " if many else ""
    returns.names.append(name)
    returns.start_headers.append(own("DECOM"))
    # One C-level lookup per row picks the cells; a missing optional column reads the blank
    # cell added past the end of every row.
    width = len(header)
    pick = operator.itemgetter(*(columns.get(column, width) for column in EPISODE_ORDER))
    la_at, year_at = columns.get("LA"), columns.get("YEAR")
    if la_at is not None:
        target.prepare()
    reference = _pseudonymiser()
    last_child, last_reference = None, None
    council_id, year = target.council.pk, None
    latest = None
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy("COPY episode_stage FROM STDIN") as copy,
    ):
        for number, cells in rows:
            report.rows += 1
            cells.extend([""] * (width + 1 - len(cells)))
            values, errors = _parse_episode(*pick(cells))
            if la_at is not None:
                council_id = target.council_of(cells[la_at])
                if council_id is None:
                    errors.append(("LA", f"{cells[la_at][:40]!r} is not a local authority"))
                elif isinstance(council_id, str):
                    report.skip(council_id)
                    continue
            if year_at is not None:
                try:
                    year = parse_year(cells[year_at])
                except ValueError as exc:
                    errors.append(("YEAR", str(exc)))
            if errors:
                report.errors.extend(
                    RowError(number, prefix + message, own(column)) for column, message in errors
                )
                continue
            returns.seen.add((file_no, year))
            if year_at is None and many:
                ends = values[2] or values[1]
                latest = ends if latest is None or ends > latest else latest
            if values[0] != last_child:  # a child's episodes come together: hash once
                last_child, last_reference = values[0], reference(values[0])
            copy.write_row((file_no, number, council_id, year, last_reference, *values[1:]))
    if latest is not None:
        returns.latest[file_no] = latest


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


def _check_episodes(report, returns) -> None:
    """The same child and start date twice in one return (one YEAR of one file): every repeat
    is reported with the row it repeats. In successive returns it is the same episode."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT file_no, row_no, first_row, year FROM (SELECT file_no, row_no, year,"
            " min(row_no) OVER (PARTITION BY council_id, reference, start, file_no, year)"
            " AS first_row FROM episode_stage) d WHERE row_no <> first_row"
        )
        repeats = [
            RowError(
                row,
                (f"{returns.names[file_no]}: " if returns.files > 1 else "")
                + "the same child and start date appear again"
                + (f" in the {year} return" if year else "")
                + f" (first on row {first})",
                returns.start_headers[file_no],
            )
            for file_no, row, first, year in cursor.fetchall()
        ]
    report.errors = sorted(report.errors + repeats, key=lambda e: (e.row, e.column))


def _keep_latest_returns(report, returns) -> None:
    """An episode in several returns keeps the latest return's row (its DEC, REC, PLACE...):
    the latest YEAR, or for files without one the file whose dates run latest, then the later
    file given."""
    inferred = {n: returns.year_of_file(n) for n in range(returns.files)}
    cases = " ".join(f"WHEN {int(n)} THEN {int(y)}" for n, y in inferred.items())
    with connection.cursor() as cursor:
        cursor.execute(
            # Only integers computed here are put in the text: the CASE of file years.
            "DELETE FROM episode_stage s USING (SELECT ctid AS id, row_number() OVER"  # noqa: S608
            " (PARTITION BY council_id, reference, start ORDER BY"
            f" coalesce(year, CASE file_no {cases} END) DESC, file_no DESC) AS n"
            " FROM episode_stage) r WHERE s.ctid = r.id AND r.n > 1"
        )
        report.superseded = cursor.rowcount


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


def _write_episodes(report) -> dict[int, datetime.date]:
    """Merge: an episode already held (same child, same start) is updated, a new one added, so
    files covering several years or overlapping earlier uploads never duplicate episodes.
    Returns each council written to, with the latest date its rows hold."""
    columns = ", ".join(f'"{f}"' for f in EPISODE_FIELDS)
    staged = ", ".join(f's."{f}"' for f in EPISODE_FIELDS)
    assignments = ", ".join(f'"{f}" = EXCLUDED."{f}"' for f in EPISODE_FIELDS)
    changed = " OR ".join(f'e."{f}" IS DISTINCT FROM EXCLUDED."{f}"' for f in EPISODE_FIELDS)
    with connection.cursor() as cursor:
        # Per child, the latest return's header row gives the birth, and the latest return's
        # header or UASC row (the UASC file's, in the same year) gives the flag.
        cursor.execute(
            "INSERT INTO child_stage (council_id, reference, birth_year, birth_month, has_birth)"
            " SELECT DISTINCT ON (council_id, reference) council_id, reference, birth_year,"
            " birth_month, true FROM child_rows WHERE has_birth"
            " ORDER BY council_id, reference, coalesce(year, 0) DESC, source DESC, ord DESC"
        )
        cursor.execute(
            "INSERT INTO child_stage AS c (council_id, reference, uasc)"
            " SELECT DISTINCT ON (council_id, reference) council_id, reference, uasc"
            " FROM child_rows WHERE uasc IS NOT NULL"
            " ORDER BY council_id, reference, coalesce(year, 0) DESC, source DESC, ord DESC"
            " ON CONFLICT (council_id, reference) DO UPDATE SET uasc = EXCLUDED.uasc"
        )
        cursor.execute(
            "INSERT INTO child_stage (council_id, reference)"
            " SELECT DISTINCT council_id, reference FROM episode_stage"
            " ON CONFLICT (council_id, reference) DO NOTHING"
        )
        cursor.execute(
            "INSERT INTO placements_child (council_id, reference, birth_year, birth_month, uasc)"
            " SELECT council_id, reference, birth_year, birth_month, coalesce(uasc, false)"
            " FROM child_stage ON CONFLICT (council_id, reference) DO NOTHING"
        )
        # Header and UASC files update what they say of children already held.
        cursor.execute(
            "UPDATE placements_child c SET birth_year = s.birth_year,"
            " birth_month = s.birth_month FROM child_stage s"
            " WHERE s.has_birth AND c.council_id = s.council_id AND c.reference = s.reference"
            " AND (c.birth_year, c.birth_month) IS DISTINCT FROM (s.birth_year, s.birth_month)"
        )
        cursor.execute(
            "UPDATE placements_child c SET uasc = s.uasc FROM child_stage s"
            " WHERE s.uasc IS NOT NULL AND c.council_id = s.council_id"
            " AND c.reference = s.reference AND c.uasc <> s.uasc"
        )
        cursor.execute(
            # The column lists are EPISODE_FIELDS, names fixed in this module; values are
            # parameters or come from the staging table.
            "WITH written AS (INSERT INTO placements_episode AS e"  # noqa: S608
            f" (child_id, council_id, start, {columns})"
            f" SELECT c.id, c.council_id, s.start, {staged} FROM episode_stage s"
            " JOIN placements_child c ON c.council_id = s.council_id"
            " AND c.reference = s.reference"
            f" ON CONFLICT (child_id, start) DO UPDATE SET {assignments} WHERE {changed}"
            " RETURNING xmax = 0 AS inserted)"
            " SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)"
            " FROM written"
        )
        report.created, report.updated = cursor.fetchone()
        cursor.execute(
            'SELECT council_id, max(greatest(start, "end")) FROM episode_stage GROUP BY 1'
        )
        councils = dict(cursor.fetchall())
    loaded = report.rows - report.skipped_episodes - report.superseded
    report.unchanged = loaded - report.created - report.updated
    return councils


def _check_numbers(report, councils: dict[int, datetime.date]) -> None:
    """Children looked after now by each council loaded (on the latest date of its rows, or
    today if that is earlier), against the DfE's published rate: a warning, never a refusal."""
    from budgets.models import Council
    from placements.selectors import lac_check

    today = datetime.date.today()
    for council in Council.objects.filter(pk__in=councils).order_by("name"):
        report.add_check(lac_check(council=council, day=min(today, councils[council.pk])))


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
    started = import_started(kind="placement costs", file_name=file_name, digest=digest, user=user)
    try:
        council = _current_council()
        _refuse_outsider(user)
        header, rows = iter_rows(source, file_name=file_name, max_bytes=max_bytes)
        names = {h.strip().upper().replace(" ", "_") for h in header}
        if "CATEGORY" in names:
            _rate_card(council, header, rows, report)
        else:
            _episode_costs(header, rows, report)
    except ImportFileError as exc:
        report.file_error = str(exc)
    record_import(
        kind="placement costs",
        file_name=file_name,
        digest=digest,
        user=user,
        report=report,
        started=started,
    )
    return report


def _rate_card(council, header, rows, report) -> None:
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
                card, created = RateCard.objects.get_or_create(
                    council=council,
                    category=category,
                    effective_from=day,
                    defaults={"weekly_cost": cost},
                )
                if created:
                    report.created += 1
                elif card.weekly_cost != cost:
                    card.weekly_cost = cost
                    card.save(update_fields=["weekly_cost"])
                    report.updated += 1
                else:
                    report.unchanged += 1


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
