"""The site connects as a role that reads and writes rows and nothing more: it cannot drop or
disable the triggers that lock closed periods and keep the audit trail append-only, truncate a
table, create one, or delete audit entries; retention deletes expired audit entries through the
owner's function. The site refuses a superuser connection when DEBUG is off.

Every test here (as every test of the suite) runs as the site's role: tests/conftest.py signs
"default" in as that role once the owner has created and migrated the test database."""

from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import ProgrammingError, connection, connections, transaction
from psycopg.errors import CheckViolation

from budgets.models import AuditEntry
from csc_dashboard.db_roles import refuse_superuser
from tests.conftest import owner_connection

REFUSED = [
    "DROP TRIGGER budgets_auditentry_append_only ON budgets_auditentry",
    "ALTER TABLE budgets_actual DISABLE TRIGGER ALL",
    "ALTER TABLE budgets_forecast DISABLE TRIGGER USER",
    "DELETE FROM budgets_auditentry",
    "UPDATE budgets_auditentry SET reason = 'rewritten'",
    "TRUNCATE budgets_auditentry",
    "TRUNCATE budgets_forecast CASCADE",
    "ALTER TABLE budgets_period DROP CONSTRAINT IF EXISTS period_number_range",
    "DROP FUNCTION budgets_audit_is_append_only() CASCADE",
    "CREATE TABLE public.intruder (id integer)",
    "SET session_replication_role = replica",  # would skip every trigger
]


OLD_ENTRY = (
    "INSERT INTO budgets_auditentry (at, source, action, object_type, object_id, object_repr,"
    " field, old_value, new_value, reason) VALUES (now() - make_interval(days => %s), 'command',"
    " 'test', 'test.Retention', '1', 'retention test', '', '', '', '') RETURNING id"
)


@pytest.mark.django_db
def test_the_site_runs_as_a_role_that_is_neither_superuser_nor_owner():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb,"
            " pg_get_userbyid(c.relowner) = current_user"
            " FROM pg_roles r, pg_class c"
            " WHERE r.rolname = current_user AND c.relname = 'budgets_auditentry'"
        )
        assert cursor.fetchone() == (False, False, False, False)


@pytest.mark.django_db
@pytest.mark.parametrize("statement", REFUSED)
def test_the_site_role_cannot_undo_the_databases_guarantees(statement):
    with (
        pytest.raises(ProgrammingError, match="permission denied|must be owner"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'budgets_%'")
        assert cursor.fetchone()[0] >= 4  # the closed-period, year and audit triggers stand


def test_even_the_owner_cannot_alter_an_audit_entry(django_db_setup):
    with owner_connection() as owner:
        entry = owner.execute(OLD_ENTRY, [1]).fetchone()[0]
        try:
            with pytest.raises(CheckViolation, match="cannot be changed"):
                owner.execute("UPDATE budgets_auditentry SET reason = 'x' WHERE id = %s", [entry])
        finally:
            owner.execute("DELETE FROM budgets_auditentry WHERE id = %s", [entry])


def test_retention_deletes_expired_audit_entries_through_the_owners_function(
    django_db_setup, django_db_blocker, settings
):
    """Outside a test transaction: the command commits, as in production; it deletes only the
    entry made here (every other entry of the test database is days old, not years)."""
    settings.CSC_RETENTION = {"budgets.AuditEntry": ("at", 400)}
    with owner_connection() as owner:
        old = owner.execute(OLD_ENTRY, [800]).fetchone()[0]
        recent = owner.execute(OLD_ENTRY, [300]).fetchone()[0]
    out = StringIO()
    try:
        with django_db_blocker.unblock():
            call_command("apply_retention", stdout=out)
            remaining = set(
                AuditEntry.objects.filter(pk__in=[old, recent]).values_list("pk", flat=True)
            )
    finally:
        with owner_connection() as owner:
            owner.execute("DELETE FROM budgets_auditentry WHERE id IN (%s, %s)", [old, recent])
    assert remaining == {recent}
    assert "budgets.AuditEntry: deleted 1 older than 400 days" in out.getvalue()


@pytest.mark.django_db
def test_the_owners_function_refuses_a_retention_under_a_year(settings):
    settings.CSC_RETENTION = {"budgets.AuditEntry": ("at", 30)}
    with pytest.raises(CommandError, match="kept for at least 365 days"):
        call_command("apply_retention", stdout=StringIO())


def fake_connection(*, superuser: bool, alias="default"):
    status = {"is_superuser": "on" if superuser else "off"}
    return SimpleNamespace(
        alias=alias,
        settings_dict={"USER": "postgres"},
        connection=SimpleNamespace(info=SimpleNamespace(parameter_status=status.get)),
        close=lambda: None,
    )


def test_with_debug_off_a_superuser_connection_is_refused(settings):
    settings.DEBUG, settings.CSC_DB_ALLOW_SUPERUSER = False, False
    with pytest.raises(ImproperlyConfigured, match="postgres is a superuser"):
        refuse_superuser(None, fake_connection(superuser=True))
    refuse_superuser(None, fake_connection(superuser=False))  # the site's role: fine
    refuse_superuser(None, fake_connection(superuser=True, alias="owner"))  # migrations: fine
    settings.DEBUG = True
    refuse_superuser(None, fake_connection(superuser=True))  # a developer's own machine


@pytest.mark.django_db
def test_the_real_connection_as_the_servers_superuser_is_refused(settings):
    settings.DEBUG, settings.CSC_DB_ALLOW_SUPERUSER = False, False
    wrapper = type(connections["default"])
    as_superuser = wrapper({**connection.settings_dict, "USER": "postgres"}, "default")
    try:
        with pytest.raises(ImproperlyConfigured, match="is a superuser"):
            as_superuser.ensure_connection()
    finally:
        as_superuser.close()
