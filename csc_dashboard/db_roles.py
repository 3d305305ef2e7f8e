"""Least privilege in the database: the site's role reads and writes rows, nothing more.

The owner role owns every table and runs the migrations; after each `migrate` it grants the
site's role (settings.CSC_DB_APP_ROLE) SELECT, INSERT, UPDATE and DELETE on the tables and use
of the sequences, except on the audit trail, which it may only read and append to. Not being
the owner, the site's role cannot ALTER or DROP a table, drop or disable a trigger (the locks on
closed periods and years, the append-only audit), or TRUNCATE; retention deletes old audit
entries through a SECURITY DEFINER function the owner owns (budgets migration 0013), which
refuses a retention shorter than a year.

And the site refuses to run as a superuser when DEBUG is off: every new connection of the
"default" alias is checked (PostgreSQL reports `is_superuser` when the connection starts, so
this costs no query), and a system check says the same to `manage.py check --database default`.
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

AUDIT_TABLE = "budgets_auditentry"
RETENTION_FUNCTION = "budgets_audit_delete_expired(integer)"


def grant_statements(role: str) -> list[str]:
    quoted = '"' + role.replace('"', '""') + '"'
    return [
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"REVOKE UPDATE, DELETE ON {AUDIT_TABLE} FROM {quoted}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
        f"GRANT EXECUTE ON FUNCTION {RETENTION_FUNCTION} TO {quoted}",
    ]


def grant_app_role(sender, using, **kwargs) -> None:
    """post_migrate is sent once per app after every migration has run: act once, for budgets
    (the grants cover every table of the schema, whichever app made it)."""
    from django.db import connections

    role = settings.CSC_DB_APP_ROLE
    if sender.label != "budgets" or not role:
        return
    connection = connections[using]
    if connection.settings_dict["USER"] == role:
        return  # migrated as the site's role itself: nothing to grant (one role for both)
    with connection.cursor() as cursor:
        for statement in grant_statements(role):
            cursor.execute(statement)


def _is_superuser(connection) -> bool:
    return connection.connection.info.parameter_status("is_superuser") == "on"


def refuse_superuser(sender, connection, **kwargs) -> None:
    """connection_created: the site's connection as a superuser, with DEBUG off, is refused."""
    if connection.alias != "default" or settings.DEBUG or settings.CSC_DB_ALLOW_SUPERUSER:
        return
    if _is_superuser(connection):
        user = connection.settings_dict.get("USER") or "(the URL's user)"
        connection.close()
        raise ImproperlyConfigured(
            f"The database user {user} is a superuser: the site must connect as a role that "
            "can only read and write rows (README, 'Database roles'). Set DATABASE_URL to that "
            "role, and DATABASE_OWNER_URL to the owner that runs migrations."
        )


@checks.register(checks.Tags.database)
def check_database_role(app_configs, databases=None, **kwargs):
    from django.db import connections

    if not databases or "default" not in databases or settings.DEBUG:
        return []
    if settings.CSC_DB_ALLOW_SUPERUSER:
        return []
    try:
        connections["default"].ensure_connection()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="csc.E010")]
    return []
