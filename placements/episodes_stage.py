"""SSDA903 files read row by row into temporary tables: the episodes file(s), and the header
and UASC files; each row checked, its child identifier pseudonymised, streamed with COPY."""

import functools

from django.db import connection

from budgets.importing import (
    RowError,
    column_indexes,
    iter_rows,
    parse_date,
)
from placements.categories import PLACE_CODES, PROVIDER_CODES, category_for
from placements.import_common import cell, may_load_other_councils, pseudonymiser
from placements.ssda903 import LocalAuthorities, parse_flag, parse_year

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


class Target:
    """Where an import's rows go: the council of each row's LA cell (or the deployment's
    council when there is no LA column), or skipped with a reason counted in the report."""

    def __init__(self, council, user, report):
        self.council, self.report = council, report
        self.authorities = None
        self.others = may_load_other_councils(user)
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


def header_name(header, columns, name) -> str:
    """The file's own header for one of our columns (messages name the column as the file
    does)."""
    index = columns.get(name)
    return str(header[index]) if index is not None and index < len(header) else name


def stage_children(source, name, kind, target, report, order, max_bytes) -> int:
    """Header rows (year and month of birth, the UASC flag; the full date is not kept) and UASC
    file rows (a child listed is one; a UASC flag of 0 says not), staged per council with their
    return year, so that the latest return's row for a child wins."""
    header, rows = iter_rows(source, file_name=name, max_bytes=max_bytes)
    columns = column_indexes(header, CHILD_COLUMNS, required=["CHILD"])
    own = functools.partial(header_name, header, columns)
    reference = pseudonymiser()
    source_no = 1 if kind == "uasc" else 0
    if "LA" in columns:
        target.prepare()
    with connection.cursor() as cursor, cursor.cursor.copy("COPY child_rows FROM STDIN") as copy:
        for number, cells in rows:
            errors = []
            council_id = target.council.pk
            if "LA" in columns:
                council_id = target.council_of(cell(cells, columns, "LA"))
                if council_id is None:
                    errors.append(
                        ("LA", f"{cell(cells, columns, 'LA')[:40]!r} is not a local authority")
                    )
                elif isinstance(council_id, str):
                    report.skip(council_id, episode=False)
                    continue
            year = None
            if cell(cells, columns, "YEAR"):
                try:
                    year = parse_year(cell(cells, columns, "YEAR"))
                except ValueError as exc:
                    errors.append(("YEAR", str(exc)))
            if not cell(cells, columns, "CHILD"):
                errors.append(("CHILD", "the child's identifier is missing"))
            born, flag = None, None
            if kind == "header" and cell(cells, columns, "DOB"):
                try:
                    born = parse_date(cell(cells, columns, "DOB"))
                except ValueError as exc:
                    errors.append(("DOB", str(exc)))
            if cell(cells, columns, "DUC"):
                try:
                    parse_date(cell(cells, columns, "DUC"))  # checked, never kept
                    flag = True
                except ValueError as exc:
                    errors.append(("DUC", str(exc)))
            try:
                stated = parse_flag(cell(cells, columns, "UASC"))
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
                    reference(cell(cells, columns, "CHILD")),
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
