"""Retention of the audit trail without the right to delete it: the site's role has no DELETE on
budgets_auditentry (csc_dashboard/db_roles.py), so `apply_retention` deletes expired entries
through this function, which runs as its owner (the owner role that ran this migration). It
takes the retention in days and refuses less than a year, so even a compromised site cannot use
it to erase recent history."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION budgets_audit_delete_expired(retain_days integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    deleted bigint;
BEGIN
    IF retain_days IS NULL OR retain_days < 365 THEN
        RAISE EXCEPTION 'audit entries are kept for at least 365 days, not %', retain_days
            USING ERRCODE = 'check_violation';
    END IF;
    DELETE FROM public.budgets_auditentry
        WHERE at < now() - make_interval(days => retain_days);
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END;
$$;
REVOKE ALL ON FUNCTION budgets_audit_delete_expired(integer) FROM PUBLIC;
"""

REVERSE = "DROP FUNCTION IF EXISTS budgets_audit_delete_expired(integer);"


class Migration(migrations.Migration):
    dependencies = [("budgets", "0013_import_running")]

    operations = [migrations.RunSQL(FUNCTION, REVERSE)]
