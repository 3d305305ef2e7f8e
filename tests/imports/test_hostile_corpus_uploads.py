"""The hostile corpus in every column of every importer, and through every import command: no
exception escapes (a refusal is a report, or a CommandError at the command line) and every
attempt is in the import log.

Sampling, to keep the run short: one file per importer column, whose rows are a good row with
that column set to each hostile value in turn (the NUL value gets a file of its own, since a
NUL refuses the whole file); the budget book's twelve month columns are represented by April
and March; each command gets one file with every column hostile at once."""

import contextlib
import csv
import io

import pytest
from django.core.management import CommandError, call_command

from budgets.council_setup import budget_book_import, users_import
from budgets.importers import actuals_import
from budgets.models import ImportRecord
from placements.importers import costs_import, episodes_import
from workforce.importers import establishment_import

pytestmark = pytest.mark.django_db

HOSTILE = [
    "x" * 10_000,
    "NaN",
    "Infinity",
    "1e400",
    str(10**15),
    "0001-01-01",
    "9999-12-31",
    "2018-02-30",
]
NUL = "\x00"

MONTHS = "Apr,May,Jun,Jul,Aug,Sep,Oct,Nov,Dec,Jan,Feb,Mar"
# name: (header, a good row for the demo council, columns sampled, keyword arguments)
IMPORTERS = {
    "actuals": (
        "Cost Centre,Financial Year,Period,Amount,Posting Date,Account,Account Description",
        "CSC-STF-RA,2018/19,6,100.00,30/09/2018,5100,Agency staff",
        None,
        {},
    ),
    "budgets": (
        "Directorate,Directorate Name,Service,Service Name,Cost Centre,Cost Centre Description,"
        f"Area of Spend,Section 251,Original Budget,Virements,Revised Budget,{MONTHS}",
        "CYP,Children and Young People,CSC,Children's Social Care,CSC-NEW,New team,Staffing,"
        "3.1.1,1200.00,0.00,1200.00" + ",100.00" * 12,
        [
            "Directorate",
            "Directorate Name",
            "Service",
            "Service Name",
            "Cost Centre",
            "Cost Centre Description",
            "Area of Spend",
            "Section 251",
            "Original Budget",
            "Virements",
            "Revised Budget",
            "Apr",
            "Mar",
        ],
        {"year_label": "2018/19"},
    ),
    "users": (
        "Username,Full name,Email,Role,Services,Directorates",
        "x.tester,Xena Tester,x.tester@example.gov.uk,Finance officer,CYP/CSC,",
        None,
        {},
    ),
    "establishment": (
        "Post Reference,Service,Team,Title,Grade,FTE,Budgeted Cost,Social Work,Status,Filled FTE,"
        "Annual Cost,Agency Day Rate,Date",
        "X-1,CSC,New team,Social worker,PO3,1,50000,Y,permanent,1,50000,,01/04/2019",
        None,
        {},
    ),
    "placements": (
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
        "PL_POST,URN",
        "900001,2018-05-01,S,C2,N1,U1,PR1,,,,SE6 4RU,BR1 3AA,SC123456",
        None,
        {},
    ),
    "placement costs": (
        "CATEGORY,EFFECTIVE_FROM,WEEKLY_COST",
        "ifa,01/04/2018,900.00",
        None,
        {},
    ),
}


def run_importer(kind, data: bytes, user, **kwargs):
    name = f"hostile-{kind}.csv"
    if kind == "actuals":
        return actuals_import(data, file_name=name, user=user, **kwargs)
    if kind == "budgets":
        return budget_book_import(data, file_name=name, user=user, **kwargs)
    if kind == "users":
        return users_import(data, file_name=name, user=user, **kwargs)
    if kind == "establishment":
        return establishment_import(data, file_name=name, user=user, **kwargs)
    if kind == "placements":
        return episodes_import(data, file_name=name, user=user, **kwargs)
    return costs_import(data, file_name=name, user=user, **kwargs)


def csv_cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def hostile_file(header: str, row: str, column: str, values: list[str]) -> bytes:
    names = header.split(",")
    cells = next(csv.reader([row]))
    index = names.index(column)
    lines = [header]
    for value in values:
        hostile = [*cells]
        hostile[index] = value
        lines.append(",".join(csv_cell(cell) for cell in hostile))
    return ("\n".join(lines) + "\n").encode()


CASES = [
    (kind, column)
    for kind, (header, _, sampled, _) in IMPORTERS.items()
    for column in (sampled or header.split(","))
]


@pytest.mark.parametrize(("kind", "column"), CASES, ids=[f"{k}-{c}" for k, c in CASES])
def test_every_importer_column_takes_every_hostile_value(administrator, kind, column):
    header, row, _, kwargs = IMPORTERS[kind]
    before = ImportRecord.objects.count()
    for values in (HOSTILE, [NUL]):
        report = run_importer(
            kind, hostile_file(header, row, column, values), administrator, **kwargs
        )
        assert isinstance(report.summary(), str)
        if values == [NUL]:
            assert not report.ok
    assert ImportRecord.objects.count() == before + 2
    assert not ImportRecord.objects.filter(outcome=ImportRecord.Outcome.RUNNING).exists()


COMMANDS = {
    "import_actuals": "actuals",
    "import_budgets": "budgets",
    "import_users": "users",
    "import_establishment": "establishment",
    "import_placements": "placements",
    "import_placement_costs": "placement costs",
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("value", ["NaN", "9999-12-31", NUL])
def test_every_import_command_refuses_a_hostile_file_without_a_traceback(command, value, tmp_path):
    header, _, _, _ = IMPORTERS[COMMANDS[command]]
    path = tmp_path / "hostile.csv"
    path.write_bytes(
        (header + "\n" + ",".join([csv_cell(value)] * header.count(",")) + ",x\n").encode()
    )
    before = ImportRecord.objects.count()
    with contextlib.suppress(CommandError):  # a refusal is a message, never a traceback
        call_command(command, str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert ImportRecord.objects.count() == before + 1
