"""SSDA903 episodes (with the header and UASC files), imported all or nothing.

Child identifiers are pseudonymised on the way in (HMAC-SHA256 with settings.CSC_CHILD_ID_SALT)
and postcodes (HOME_POST, PL_POST) and URN are never read beyond their column headers."""

import datetime

from django.db import connection, transaction

from budgets.importing import (
    logged_import,
)
from budgets.progress import NO_PROGRESS
from budgets.staging import work_in_memory
from placements.episodes_sql import stage_episodes
from placements.episodes_stage import Target, stage_children
from placements.episodes_write import (
    DROP_STAGES,
    check_episodes,
    check_numbers,
    keep_latest_returns,
    write_episodes,
)
from placements.import_common import current_council, files_digest, named_files, refuse_outsider
from placements.ssda903 import EpisodesReport


def episodes_import(
    source,
    *,
    file_name: str = "",
    header=None,
    uasc=None,
    user=None,
    max_bytes=None,
    progress=NO_PROGRESS,
):
    """Load SSDA903 episodes (and optionally header and UASC files) for the current council.

    Each of `source`, `header` and `uasc` is one file (bytes or a binary file object) or a
    list of (file name, file). Returns held by regional tools are read as they are: a YEAR
    column (or several files) holds several yearly returns, and the same episode (child and
    start date) in successive returns is one episode, the latest return's version winning; an
    LA column sends each row to its council, or skips it (counted) when the database does not
    hold that council.

    Built for a national file of a million episodes: the file is staged as text with COPY,
    checked and pseudonymised in SQL (placements/episodes_sql.py); duplicates are found and
    the merge is written by a few set-based SQL statements, so memory stays flat.
    """
    named = named_files(source, file_name)
    file_name = file_name or " + ".join(name for name, _ in named)
    digest = files_digest(named)
    report = EpisodesReport()
    with logged_import(
        kind="placements", file_name=file_name, digest=digest, user=user, report=report
    ):
        council = current_council()
        refuse_outsider(user)
        target = Target(council, user, report)
        with transaction.atomic():
            work_in_memory()
            create_stages()
            order = 0
            for kind, files in (("header", header), ("uasc", uasc)):
                for name, stream in named_files(files, f"{kind.upper()} file"):
                    order = stage_children(stream, name, kind, target, report, order, max_bytes)
            returns = Returns(len(named))
            for file_no, (name, stream) in enumerate(named):
                stage_episodes(
                    stream,
                    name,
                    file_no,
                    target,
                    report,
                    returns,
                    max_bytes,
                    many=len(named) > 1,
                    progress=progress,
                )
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE episode_stage")
            with progress.step("Writing", total=3, unit="steps") as step:
                check_episodes(report, returns)
                step.advance()
                if report.ok:
                    if returns.several:
                        keep_latest_returns(report, returns)
                    councils = write_episodes(report)
                    step.advance()
                    check_numbers(report, councils)
                    step.advance()
            with connection.cursor() as cursor:
                cursor.execute(DROP_STAGES)
    return report


class Returns:
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


def create_stages() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE episode_stage (file_no smallint, row_no integer,"
            ' council_id integer, year smallint, child text, start date, "end" date,'
            " planned_end date, rne text, legal_status text, place text, place_provider text,"
            " reason_ended text, category text) ON COMMIT DROP"
        )
        cursor.execute(
            "CREATE TEMPORARY TABLE child_rows (council_id integer, reference text,"
            " birth_year smallint, birth_month smallint, has_birth boolean, uasc boolean,"
            " year smallint, source smallint, ord integer) ON COMMIT DROP"
        )
