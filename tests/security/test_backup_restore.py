"""The restore drill: back up the demo database, restore into an empty one, every total equal."""

import psycopg
import pytest
from django.db import connection

from csc_dashboard.backup import backup, owner_database, restore

TOTALS = [
    "SELECT count(*), coalesce(sum(outturn), 0) FROM budgets_forecast",
    "SELECT count(*), coalesce(sum(amount), 0) FROM budgets_actual",
    "SELECT count(*), coalesce(sum(revised), 0) FROM budgets_budget",
    "SELECT count(*), coalesce(sum(target), 0) FROM budgets_saving",
    "SELECT count(*) FROM auth_user",
    "SELECT count(*) FROM budgets_statisticalneighbour",
]


def totals(conn) -> list:
    return [conn.execute(sql).fetchone() for sql in TOTALS]


@pytest.mark.django_db
def test_a_backup_restores_into_an_empty_database_with_every_total_equal(tmp_path, settings):
    db = owner_database()  # a restore drops and creates tables: the owner's work
    db["NAME"] = connection.settings_dict["NAME"]  # the test database, holding the demo
    dump = backup(db, tmp_path / "demo.dump")
    assert dump.stat().st_size > 0

    params = {"host": db["HOST"], "user": db["USER"], "port": db["PORT"] or None}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute("DROP DATABASE IF EXISTS csc_restore_drill")
        admin.execute("CREATE DATABASE csc_restore_drill")
    try:
        restore({**db, "NAME": "csc_restore_drill"}, dump)
        with (
            psycopg.connect(dbname=db["NAME"], **params) as original,
            psycopg.connect(dbname="csc_restore_drill", **params) as restored,
        ):
            expected = totals(original)
            assert expected[0][0] > 0  # the demo forecasts are there to compare
            assert totals(restored) == expected
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute("DROP DATABASE IF EXISTS csc_restore_drill")
