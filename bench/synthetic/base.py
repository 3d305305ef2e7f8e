"""The generator's shared parts: a council's shape, the spec, and rows streamed with COPY."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection

from budgets.models import DEFAULT_AREAS, INCOME_AREA

# A council's shape: directorates and their services (about 300 cost centres in all). The codes
# are the generator's own, so a synthetic council is never mistaken for the demo or a real one.
CARE_DIRECTORATE, CARE_SERVICE = "CHL", "SOCC"  # the children's social care service
DIRECTORATES = {
    CARE_DIRECTORATE: [CARE_SERVICE, "SENS", "SCHL", "YNG", "EARLY"],
    "ADL": ["ADULT", "MH", "LD", "COMM"],
    "ENV": ["WASTE", "HWY", "PARK", "PLAN"],
    "CORP": ["FIN", "HR", "ICT", "LEGAL", "PROP"],
    "HOME": ["TEMP", "ADV", "REGEN"],
    "PH": ["PH"],
}
LINES_PER_SERVICE = 14
AREAS = [code for code, _ in DEFAULT_AREAS if code != INCOME_AREA]


@dataclass
class SyntheticSpec:
    councils: int
    years: int
    seed: int
    last_year: int = 2025  # the most recent financial year generated starts in April 2025


def copy_rows(table: str, columns: list[str], rows: Iterator[tuple]) -> int:
    count = 0
    with connection.cursor() as cursor:
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def fetch_rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def pounds(pence: int) -> str:
    """Exact money text for COPY, from whole pence (never through a float)."""
    return f"{pence // 100}.{pence % 100:02d}"
