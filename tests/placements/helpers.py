"""Shared helpers of the placements tests."""

from django.db import connection

from budgets.models import Council
from placements.importers import pseudonymise
from placements.models import Child


def new_child(code: str) -> Child:
    """A child of the demo council (the one the pages show)."""
    return Child.objects.create(
        council=Council.objects.current().get(), reference=pseudonymise(code)
    )


# Two children, with the postcodes and URN an SSDA903 extract carries (none may be stored).
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
    "900001,2024-04-01,S,C2,N1,U4,PR4,,,,SE6 4RU,BR1 1AA,SC123456\n"
    "900002,01/05/2024,S,C2,N1,K2,PR4,30/06/2024,E4A,,SE13 5AB,ME1 2CD,SC654321\n"
)


def all_text_in_database() -> str:
    """Every text value in every table of ours, for scanning."""
    chunks = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb')"
            " AND (table_name LIKE 'budgets_%%' OR table_name LIKE 'placements_%%'"
            " OR table_name LIKE 'workforce_%%')"
        )
        for table, column in cursor.fetchall():
            cursor.execute(f'SELECT "{column}"::text FROM "{table}"')  # noqa: S608 (catalogue names)
            chunks += [row[0] or "" for row in cursor.fetchall()]
    return "\n".join(chunks)
