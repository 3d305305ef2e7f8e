"""An import leaves a record whatever happens to it, even killed at its COMMIT: the record is
written and committed as "running" before the import's transaction begins, and replaced by the
outcome when the import ends."""

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

from budgets.importers import actuals_import
from budgets.models import ImportRecord
from csc_dashboard.backup import owner_database

ROOT = Path(__file__).resolve().parents[2]

# A deferred constraint trigger runs at COMMIT: this one holds the import there, so the test
# can kill the process at that moment (and raises if it is ever let go, so nothing commits).
HOLD_AT_COMMIT = """
CREATE FUNCTION test_hold_at_commit() RETURNS trigger AS $$
BEGIN
    PERFORM pg_sleep(120);
    RAISE EXCEPTION 'held at commit';
END;
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER test_hold_at_commit AFTER INSERT OR UPDATE ON budgets_actual
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_hold_at_commit();
"""
RELEASE = """
DROP TRIGGER IF EXISTS test_hold_at_commit ON budgets_actual;
DROP FUNCTION IF EXISTS test_hold_at_commit();
"""


def raw_connection(settings_dict):
    return psycopg.connect(
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"],
        password=settings_dict.get("PASSWORD") or None,
        dbname=settings_dict["NAME"],
        autocommit=True,
    )


def database_url(settings_dict) -> str:
    host = quote(settings_dict["HOST"], safe="")
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    password = f":{quote(settings_dict['PASSWORD'])}" if settings_dict.get("PASSWORD") else ""
    return f"postgres://{settings_dict['USER']}{password}@{host}{port}/{settings_dict['NAME']}"


# Marked django_db so pytest-django runs it with the other database tests, before the live-server
# (transactional) tests empty the database: the import it kills needs the demo's cost centre.
# The test itself works through its own connections and a subprocess, which see committed data.
@pytest.mark.django_db
def test_an_import_killed_at_its_commit_leaves_a_record_and_no_rows(django_db_setup, tmp_path):
    settings_dict = connection.settings_dict  # the site's role, as the command runs
    owner = owner_database()  # the trigger that holds the import is the owner's to create
    ledger = tmp_path / "killed_ledger.csv"
    # The demo council's cost centre in an open month, at an amount no other test uses.
    ledger.write_text("Cost Centre,Financial Year,Period,Amount\nCSC-STF-RA,2018/19,6,4321.09\n")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(settings_dict),
        "DJANGO_SETTINGS_MODULE": "csc_dashboard.settings_test",
    }
    # The owner creates the trigger; the site's role (the command's) sees and ends its session.
    with raw_connection(owner) as owner_db, raw_connection(settings_dict) as db:
        owner_db.execute(HOLD_AT_COMMIT)
        process = None
        try:
            process = subprocess.Popen(
                [sys.executable, "manage.py", "import_actuals", str(ledger)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            backend = None
            for _ in range(600):  # up to a minute for the process to start and reach COMMIT
                backend = db.execute(
                    "SELECT pid FROM pg_stat_activity WHERE wait_event = 'PgSleep'"
                    " AND datname = current_database() AND pid <> pg_backend_pid()"
                ).fetchone()
                if backend or process.poll() is not None:
                    break
                time.sleep(0.1)
            assert backend, "the import never reached its COMMIT"
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            # The server ends the orphaned transaction (it would wait for the sleep otherwise).
            db.execute("SELECT pg_terminate_backend(%s)", [backend[0]])
        finally:
            if process is not None and process.poll() is None:
                process.kill()
            owner_db.execute(RELEASE)
        records = db.execute(
            "SELECT outcome, message FROM budgets_importrecord WHERE file_name = %s",
            [ledger.name],
        ).fetchall()
        written = db.execute(
            "SELECT count(*) FROM budgets_actual WHERE amount = %s", [Decimal("4321.09")]
        ).fetchone()[0]
        db.execute("DELETE FROM budgets_importrecord WHERE file_name = %s", [ledger.name])
    assert records == [("running", "Started; not finished.")]
    assert written == 0


@pytest.mark.django_db
def test_a_finished_import_turns_its_running_record_into_its_outcome(finance):
    before = ImportRecord.objects.count()
    report = actuals_import(
        b"Cost Centre,Financial Year,Period,Amount\nNOPE,2018/19,6,1.00\n",
        file_name="refused.csv",
        user=finance,
    )
    assert not report.ok
    record = ImportRecord.objects.get(file_name="refused.csv")
    assert ImportRecord.objects.count() == before + 1  # one row, updated, not two
    assert record.outcome == ImportRecord.Outcome.FAILED
    assert record.get_outcome_display() == "Refused"


def test_placement_imports_also_start_with_a_running_record(director):
    """The SSDA903 and costs imports write their record before their transaction, as the ledger
    does (the kill test above shows why): the running record is turned into the outcome, so
    each import leaves exactly one record, never a running one beside its result."""
    from placements.importers import costs_import, episodes_import

    episodes = b"CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC\n"
    episodes_import(episodes + b"1,BAD,S,C2,N1,U1,PR1,,\n", file_name="eps.csv", user=director)
    costs_import(b"CATEGORY,EFFECTIVE_FROM,WEEKLY_COST\nifa,2024-04-01,700\n", file_name="rc.csv")
    records = ImportRecord.objects.filter(file_name__in=["eps.csv", "rc.csv"])
    assert sorted((r.file_name, r.outcome) for r in records) == [
        ("eps.csv", "failed"),
        ("rc.csv", "success"),
    ]
