"""The staged SSDA903 episodes checked for repeats, reduced to the latest return's rows, and
merged into the council's children and episodes by set-based SQL."""

import datetime

from django.db import connection

from budgets.importing import (
    RowError,
)
from placements.episodes_sql import hmac_sql

DROP_STAGES = (
    "DROP TABLE IF EXISTS episode_stage, child_rows, episode_children, child_births,"
    " child_flags, new_children, episode_child_ids"
)


def check_episodes(report, returns) -> None:
    """The same child and start date twice in one return (one YEAR of one file): every repeat
    is reported with the row it repeats. In successive returns it is the same episode."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT file_no, row_no, first_row, year FROM (SELECT file_no, row_no, year,"
            " min(row_no) OVER (PARTITION BY council_id, child, start, file_no, year)"
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
            " (PARTITION BY council_id, child, start ORDER BY"
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
    with connection.cursor() as cursor:
        _write_children(cursor)
        report.created, report.updated = _write_episode_rows(cursor)
        cursor.execute(
            'SELECT council_id, max(greatest(start, "end")) FROM episode_stage GROUP BY 1'
        )
        councils = dict(cursor.fetchall())
    loaded = report.rows - report.skipped_episodes - report.superseded
    report.unchanged = loaded - report.created - report.updated
    return councils


# Per child, the latest return's header row gives the birth, and the latest return's header or
# UASC row (the UASC file's, in the same year) gives the flag.
CHILD_FACTS = [
    "CREATE TEMPORARY TABLE child_births ON COMMIT DROP AS"
    " SELECT DISTINCT ON (council_id, reference) council_id, reference, birth_year,"
    " birth_month FROM child_rows WHERE has_birth"
    " ORDER BY council_id, reference, coalesce(year, 0) DESC, source DESC, ord DESC",
    "CREATE TEMPORARY TABLE child_flags ON COMMIT DROP AS"
    " SELECT DISTINCT ON (council_id, reference) council_id, reference, uasc"
    " FROM child_rows WHERE uasc IS NOT NULL"
    " ORDER BY council_id, reference, coalesce(year, 0) DESC, source DESC, ord DESC",
]


def _write_children(cursor) -> None:
    """The children the files name, added (those not held yet) or updated (what the header and
    UASC files say of those held). Leaves episode_child_ids: each (council, CHILD) of the
    episodes with its child's id, and whether this import added the child."""
    hashed, params = hmac_sql("child")
    # Each distinct child identifier is hashed once, not once per episode.
    cursor.execute(
        "CREATE TEMPORARY TABLE episode_children ON COMMIT DROP AS"  # noqa: S608
        f" SELECT council_id, child, {hashed} AS reference"
        " FROM (SELECT DISTINCT council_id, child FROM episode_stage) d",
        params,
    )
    for sql in CHILD_FACTS:
        cursor.execute(sql)
    # In key order, so the unique (council, reference) index is filled page by page rather than
    # at random; RETURNING gives only the rows inserted, the children this import adds.
    cursor.execute(
        "CREATE TEMPORARY TABLE new_children ON COMMIT DROP AS"
        " WITH added AS (INSERT INTO placements_child"
        " (council_id, reference, birth_year, birth_month, uasc)"
        " SELECT k.council_id, k.reference, b.birth_year, b.birth_month,"
        " coalesce(f.uasc, false) FROM (SELECT council_id, reference FROM episode_children"
        " UNION SELECT council_id, reference FROM child_births"
        " UNION SELECT council_id, reference FROM child_flags) k"
        " LEFT JOIN child_births b ON b.council_id = k.council_id AND b.reference = k.reference"
        " LEFT JOIN child_flags f ON f.council_id = k.council_id AND f.reference = k.reference"
        " ORDER BY k.council_id, k.reference"
        " ON CONFLICT (council_id, reference) DO NOTHING RETURNING id)"
        " SELECT id FROM added"
    )
    # Header and UASC files update what they say of children already held.
    cursor.execute(
        "UPDATE placements_child c SET birth_year = s.birth_year,"
        " birth_month = s.birth_month FROM child_births s"
        " WHERE c.council_id = s.council_id AND c.reference = s.reference"
        " AND (c.birth_year, c.birth_month) IS DISTINCT FROM (s.birth_year, s.birth_month)"
    )
    cursor.execute(
        "UPDATE placements_child c SET uasc = s.uasc FROM child_flags s"
        " WHERE c.council_id = s.council_id"
        " AND c.reference = s.reference AND c.uasc <> s.uasc"
    )
    cursor.execute(
        "CREATE TEMPORARY TABLE episode_child_ids ON COMMIT DROP AS"
        " SELECT e.council_id, e.child, c.id, n.id IS NOT NULL AS added"
        " FROM episode_children e JOIN placements_child c ON c.council_id = e.council_id"
        " AND c.reference = e.reference LEFT JOIN new_children n ON n.id = c.id"
    )
    cursor.execute("ANALYZE episode_child_ids")


def _write_episode_rows(cursor) -> tuple[int, int]:
    """(Episodes added, episodes changed). A child this import added has no episodes yet, so
    its episodes are plainly inserted; the episodes of children already held are merged."""
    columns = ", ".join(f'"{f}"' for f in EPISODE_FIELDS)
    staged = ", ".join(f's."{f}"' for f in EPISODE_FIELDS)
    assignments = ", ".join(f'"{f}" = EXCLUDED."{f}"' for f in EPISODE_FIELDS)
    changed = " OR ".join(f'e."{f}" IS DISTINCT FROM EXCLUDED."{f}"' for f in EPISODE_FIELDS)
    # The column lists are EPISODE_FIELDS, names fixed in this module; values come from the
    # staging tables. In (child, start) order, the order of the unique index.
    select = (
        f"SELECT m.id, s.council_id, s.start, {staged} FROM episode_stage s"  # noqa: S608
        " JOIN episode_child_ids m ON m.council_id = s.council_id AND m.child = s.child"
    )
    insert = f"INSERT INTO placements_episode AS e (child_id, council_id, start, {columns})"
    cursor.execute(f"{insert} {select} WHERE m.added ORDER BY m.id, s.start")
    created = cursor.rowcount
    cursor.execute(
        f"WITH written AS ({insert} {select} WHERE NOT m.added ORDER BY m.id, s.start"  # noqa: S608
        f" ON CONFLICT (child_id, start) DO UPDATE SET {assignments} WHERE {changed}"
        " RETURNING xmax = 0 AS inserted)"
        " SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)"
        " FROM written"
    )
    more, updated = cursor.fetchone()
    return created + more, updated


def check_numbers(report, councils: dict[int, datetime.date]) -> None:
    """Children looked after now by each council loaded (on the latest date of its rows, or
    today if that is earlier), against the DfE's published rate: a warning, never a refusal."""
    from budgets.models import Council
    from placements.selectors import lac_check

    today = datetime.date.today()
    for council in Council.objects.filter(pk__in=councils).order_by("name"):
        report.add_check(lac_check(council=council, day=min(today, councils[council.pk])))
