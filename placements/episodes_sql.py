"""An SSDA903 episodes file checked and pseudonymised in SQL, after its rows are staged as text.

The rows go into a temporary table of text columns (budgets.staging: a raw COPY where the file
allows). A million episodes hold a few thousand distinct dates, a few dozen placement codes and
a handful of LA names and return years: each distinct value is read once in Python (the same
parse_date, PLACE codes, LocalAuthorities and parse_year as a row-by-row read) and joined back.
The child's identifier becomes its keyed hash in SQL, once per child rather than per episode
(placements/episodes_write.py): HMAC-SHA256 built from PostgreSQL's own sha256() with the key's
inner and outer pads computed here (hmac_sql), so the reference is exactly pseudonymise()'s and
the key itself never reaches the database. Until then the identifier is held only in the
import's temporary tables, dropped when its transaction ends. Only the rows SQL finds wrong are
read back into Python, for the same messages a row-by-row read gives.
"""

import functools
import hashlib
import operator

from django.conf import settings
from django.db import connection

from budgets.importing import RowError, column_indexes
from budgets.progress import NO_PROGRESS
from budgets.staging import cell, stage_rows
from placements.categories import PLACE_CODES, PROVIDER_CODES
from placements.episodes_stage import (
    EPISODE_COLUMNS,
    EPISODE_ORDER,
    _category,
    _date,
    _parse_episode,
    header_name,
)
from placements.ssda903 import parse_year

RAW = "episode_rows"


def hmac_pads() -> tuple[bytes, bytes]:
    """HMAC-SHA256's inner and outer keys (RFC 2104) for settings.CSC_CHILD_ID_SALT."""
    key = settings.CSC_CHILD_ID_SALT.encode()
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def hmac_sql(column: str) -> tuple[str, dict[str, bytes]]:
    """SQL for the keyed hash of the text in `column` (pseudonymise() in SQL), and its
    parameters."""
    inner, outer = hmac_pads()
    sql = (
        "encode(sha256(%(hmac_outer)s::bytea || sha256(%(hmac_inner)s::bytea ||"
        f" convert_to({column}, 'UTF8'))), 'hex')"
    )
    return sql, {"hmac_inner": inner, "hmac_outer": outer}


def stage_episodes(
    source, name, file_no, target, report, returns, max_bytes, *, many, progress=NO_PROGRESS
) -> None:
    """Add one episodes file's good rows to episode_stage; its bad rows to the report."""
    header, whitespace = stage_rows(
        source, table=RAW, file_name=name, max_bytes=max_bytes, progress=progress
    )
    columns = column_indexes(header, EPISODE_COLUMNS, required=["CHILD", "DECOM", "PLACE"])
    own = functools.partial(header_name, header, columns)
    returns.names.append(name)
    returns.start_headers.append(own("DECOM"))

    def text(column: str) -> str:
        return cell(columns[column], whitespace) if column in columns else "''"

    params = {"ws": whitespace, "file_no": file_no}
    params["council"] = target.council.pk
    with progress.step(f"Checking {name}", total=4, unit="steps") as step, connection.cursor() as c:
        _value_maps(c, text, params, columns, target)
        step.advance()
        la = "l.council_id" if "LA" in columns else "%(council)s"
        year = "y.year" if "YEAR" in columns else "NULL::smallint"
        joins = (
            f" LEFT JOIN episode_dates ds ON ds.text = {text('DECOM')}"
            f" LEFT JOIN episode_dates de ON de.text = {text('DEC')}"
            f" LEFT JOIN episode_dates dp ON dp.text = {text('PLANNED_END')}"
            f" LEFT JOIN episode_places p ON p.place = upper({text('PLACE')})"
            f" AND p.provider = upper({text('PLACE_PROVIDER')})"
            + (f" LEFT JOIN episode_las l ON l.text = {text('LA')}" if "LA" in columns else "")
            + (
                f" LEFT JOIN episode_years y ON y.text = {text('YEAR')}"
                if "YEAR" in columns
                else ""
            )
        )
        skipped = "l.skip IS NOT NULL" if "LA" in columns else "false"
        bad = (
            f"{text('CHILD')} = '' OR ds.day IS NULL"
            f" OR ({text('DEC')} <> '' AND de.day IS NULL)"
            f" OR ({text('PLANNED_END')} <> '' AND dp.day IS NULL)"
            " OR coalesce(de.day < ds.day, false) OR p.place_ok IS NOT TRUE"
            " OR p.provider_ok IS NOT TRUE"
            + (" OR l.council_id IS NULL" if "LA" in columns else "")
            + (" OR y.year IS NULL" if "YEAR" in columns else "")
        )
        c.execute(
            "INSERT INTO episode_stage SELECT %(file_no)s, r.row_no,"  # noqa: S608
            f" {la}, {year},"
            f" {text('CHILD')},"
            " ds.day, de.day, dp.day,"
            f" left(upper({text('RNE')}), 2), left(upper({text('LS')}), 2),"
            " p.place, p.provider,"
            f" left(upper({text('REC')}), 3), p.category"
            f" FROM {RAW} r {joins} WHERE NOT ({skipped}) AND NOT ({bad})",
            params,
        )
        step.advance()
        c.execute(f"SELECT count(*) FROM {RAW}")  # noqa: S608
        report.rows += c.fetchone()[0]
        if "LA" in columns:
            c.execute(
                f"SELECT l.skip, count(*) FROM {RAW} r JOIN episode_las l"  # noqa: S608
                f" ON l.text = {text('LA')} WHERE l.skip IS NOT NULL GROUP BY l.skip",
                params,
            )
            for reason, count in c.fetchall():
                report.skipped[reason] = report.skipped.get(reason, 0) + count
                report.skipped_episodes += count
        c.execute(
            'SELECT year, max(greatest(start, "end")) FROM episode_stage'
            " WHERE file_no = %(file_no)s GROUP BY year",
            params,
        )
        for found_year, latest in c.fetchall():
            returns.seen.add((file_no, found_year))
            if "YEAR" not in columns and many and latest is not None:
                returns.latest[file_no] = latest
        step.advance()
        _report_bad_rows(
            f"SELECT r.* FROM {RAW} r {joins} WHERE NOT ({skipped}) AND ({bad})"  # noqa: S608
            " ORDER BY r.row_no",
            params,
            report,
            _row_checker(header, columns, target, own, f"{name}: " if many else ""),
        )
        c.execute(f"DROP TABLE {RAW}, episode_dates, episode_places, episode_las, episode_years")
        step.advance()


def _value_maps(cursor, text, params, columns, target) -> None:
    """The distinct dates, placement codes, LA names and return years of the file, each read
    once in Python, in small temporary tables to join the rows to."""
    cursor.execute(
        f"SELECT {text('DECOM')} FROM {RAW} UNION SELECT {text('DEC')} FROM {RAW}"  # noqa: S608
        f" UNION SELECT {text('PLANNED_END')} FROM {RAW}",
        params,
    )
    dates = []
    for (value,) in cursor.fetchall():
        try:
            dates.append((value, _date(value) if value else None))
        except ValueError:
            dates.append((value, None))
    cursor.execute(
        f"SELECT DISTINCT upper({text('PLACE')}), upper({text('PLACE_PROVIDER')})"  # noqa: S608
        f" FROM {RAW}",
        params,
    )
    places = [
        (
            place,
            provider,
            place in PLACE_CODES,
            not provider or provider in PROVIDER_CODES,
            _category(place, provider)
            if place in PLACE_CODES and (not provider or provider in PROVIDER_CODES)
            else None,
        )
        for place, provider in cursor.fetchall()
    ]
    las, years = [], []
    if "LA" in columns:
        target.prepare()
        cursor.execute(f"SELECT DISTINCT {text('LA')} FROM {RAW}", params)  # noqa: S608
        for (value,) in cursor.fetchall():
            council = target.council_of(value)
            las.append(
                (
                    value,
                    None if isinstance(council, str) else council,
                    council if isinstance(council, str) else None,
                )
            )
    if "YEAR" in columns:
        cursor.execute(f"SELECT DISTINCT {text('YEAR')} FROM {RAW}", params)  # noqa: S608
        for (value,) in cursor.fetchall():
            try:
                years.append((value, parse_year(value)))
            except ValueError:
                years.append((value, None))
    for table, definition, rows in [
        ("episode_dates", "text text, day date", dates),
        (
            "episode_places",
            "place text, provider text, place_ok boolean, provider_ok boolean, category text",
            places,
        ),
        ("episode_las", "text text, council_id integer, skip text", las),
        ("episode_years", "text text, year smallint", years),
    ]:
        cursor.execute(f"CREATE TEMPORARY TABLE {table} ({definition}) ON COMMIT DROP")
        with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(f"ANALYZE {table}")


def _row_checker(header, columns, target, own, prefix):
    """The messages a row-by-row read gives for one bad row's cells."""
    width = len(header)
    pick = operator.itemgetter(*(columns.get(column, width) for column in EPISODE_ORDER))
    la_at, year_at = columns.get("LA"), columns.get("YEAR")

    def check(number, cells) -> list[RowError]:
        cells = [(c or "").strip() for c in cells] + [""] * (width + 1 - len(cells))
        _, errors = _parse_episode(*pick(cells))
        if la_at is not None and target.council_of(cells[la_at]) is None:
            errors.append(("LA", f"{cells[la_at][:40]!r} is not a local authority"))
        if year_at is not None:
            try:
                parse_year(cells[year_at])
            except ValueError as exc:
                errors.append(("YEAR", str(exc)))
        return [RowError(number, prefix + message, own(column)) for column, message in errors]

    return check


def _report_bad_rows(sql, params, report, check) -> None:
    rows = connection.connection.cursor(name="episode_bad_rows")
    rows.execute(sql, params)
    while batch := rows.fetchmany(10_000):
        for number, *cells in batch:
            report.errors.extend(check(number, cells))
    rows.close()
