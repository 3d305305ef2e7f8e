"""Long commands say how far they have got: a bar on a terminal, plain lines in a log."""

import io

import pytest
from django.core.management import call_command

from budgets.progress import NO_PROGRESS, Progress

LEDGER_HEADER = "Cost Centre,Financial Year,Period,Amount\n"


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as a console's is."""

    def isatty(self) -> bool:
        return True


def test_a_log_gets_a_plain_line_every_so_many_rows_and_one_at_the_end():
    out = io.StringIO()
    with Progress(out).step("Reading gl.csv", total=20) as step:
        for number in range(1, 6):
            step.update(number)
    with Progress(out, every=3).step("Reading more.csv") as step:  # no total: every 3 rows
        for number in range(1, 8):
            step.update(number)
    assert out.getvalue().splitlines()[:2] == [
        "Reading gl.csv: 2 of 20 rows (10%)",
        "Reading gl.csv: 4 of 20 rows (20%)",
    ]
    assert out.getvalue().splitlines()[2].startswith("Reading gl.csv: done, 5 of 20 rows (25%) in ")
    assert out.getvalue().splitlines()[3:5] == [
        "Reading more.csv: 3 rows",
        "Reading more.csv: 6 rows",
    ]
    assert out.getvalue().splitlines()[5].startswith("Reading more.csv: done, 7 rows in ")
    assert "\x1b" not in out.getvalue()


def test_a_terminal_gets_a_bar():
    out = Terminal()
    with Progress(out).step("Reading gl.csv", total=4) as step:
        step.update(4)
    shown = out.getvalue()
    assert "Reading gl.csv" in shown
    assert "━" in shown  # rich's bar
    assert "4/4" in shown


def test_no_progress_writes_nothing():
    with NO_PROGRESS.step("Reading", total=3) as step:
        step.update(3)
    assert list(NO_PROGRESS.counted(iter([(2, ["a"])]), "Reading")) == [(2, ["a"])]


def ledger_file(tmp_path, rows: int):
    path = tmp_path / "gl.csv"
    path.write_text(LEDGER_HEADER + "CSC-STF-RA,2018/19,6,10.00\n" * rows)
    return path


@pytest.mark.django_db
def test_an_import_command_writes_plain_progress_lines_when_not_on_a_terminal(tmp_path):
    out = io.StringIO()
    call_command("import_actuals", str(ledger_file(tmp_path, 3)), stdout=out)
    text = out.getvalue()
    assert "Reading gl.csv: done, " in text
    assert "Checking rows: done, 3 of 3 steps (100%)" in text
    assert "Imported 3 rows, summed into 1 cost-centre periods" in text
    assert "\x1b" not in text


@pytest.mark.django_db
def test_an_import_command_draws_a_bar_on_a_terminal(tmp_path):
    out = Terminal()
    call_command("import_actuals", str(ledger_file(tmp_path, 3)), stdout=out)
    text = out.getvalue()
    assert "━" in text and "Checking rows" in text
    assert "Imported 3 rows" in text


@pytest.mark.django_db
def test_a_backup_and_its_restore_count_their_tables_in_a_log(tmp_path):
    import psycopg
    from django.db import connection

    from csc_dashboard.backup import backup, owner_database, restore

    db = owner_database()
    db["NAME"] = connection.settings_dict["NAME"]
    out = io.StringIO()
    dump = backup(db, tmp_path / "x.dump", progress=Progress(out, every=1000))
    lines = out.getvalue().splitlines()
    assert lines[-1].startswith(f"Backing up {db['NAME']}: done, ")
    tables = int(lines[-1].split("done, ")[1].split(" of ")[0])
    assert tables > 20  # every table's contents dumped, and counted
    params = {"host": db["HOST"], "user": db["USER"], "port": db["PORT"] or None}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute("DROP DATABASE IF EXISTS csc_progress_drill")
        admin.execute("CREATE DATABASE csc_progress_drill")
    try:
        out = io.StringIO()
        restore({**db, "NAME": "csc_progress_drill"}, dump, progress=Progress(out, every=1000))
        assert f"done, {tables} of {tables} tables (100%)" in out.getvalue()
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute("DROP DATABASE IF EXISTS csc_progress_drill")


@pytest.mark.django_db
def test_generate_synthetic_shows_its_steps(settings):
    out = io.StringIO()
    call_command("generate_synthetic", councils=1, years=1, seed=3, force=True, stdout=out)
    text = out.getvalue()
    assert "Forecasts: done, 1 of 1 years (100%)" in text
    assert "Children in care and staff: done, 1 of 1 councils (100%)" in text


@pytest.mark.django_db
def test_project_demand_for_every_council_shows_its_progress_and_a_line_each():
    from placements.models import Episode

    councils = Episode.objects.values("council").distinct().count()
    assert councils >= 1
    out = io.StringIO()
    call_command("project_demand", "--all-councils", "--months", "3", stdout=out)
    lines = out.getvalue().splitlines()
    done = f"Projecting: done, {councils} of {councils} councils (100%)"
    assert any(line.startswith(done) for line in lines)
    assert len([line for line in lines if " looked after on " in line]) == councils
