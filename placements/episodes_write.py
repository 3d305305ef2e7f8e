"""The staged SSDA903 episodes checked for repeats, reduced to the latest return's rows, and
merged into the council's children and episodes by set-based SQL."""

import datetime

from django.db import connection

from budgets.importing import (
    RowError,
)


def check_episodes(report, returns) -> None:
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


def keep_latest_returns(report, returns) -> None:
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


def write_episodes(report) -> dict[int, datetime.date]:
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


def check_numbers(report, councils: dict[int, datetime.date]) -> None:
    """Children looked after now by each council loaded (on the latest date of its rows, or
    today if that is earlier), against the DfE's published rate: a warning, never a refusal."""
    from budgets.models import Council
    from placements.selectors import lac_check

    today = datetime.date.today()
    for council in Council.objects.filter(pk__in=councils).order_by("name"):
        report.add_check(lac_check(council=council, day=min(today, councils[council.pk])))
