"""A data version for caches: a sequence that every write to the product's tables moves on.

A statement-level trigger on each table calls nextval, so an import of a million rows moves it
once per statement, not per row, and a sequence never blocks or waits for another writer.
Caches key what they hold on its value (budgets/cache.py), so they never serve figures from
before a change. Tables of later apps are tracked by calling csc_track_data_changes(table) in
their own migrations.
"""

from django.db import migrations

FORWARD = """
CREATE SEQUENCE csc_data_version;

CREATE FUNCTION csc_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nextval('csc_data_version');
    RETURN NULL;
END $$;

CREATE FUNCTION csc_track_data_changes(target regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format(
        'CREATE TRIGGER csc_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s'
        ' FOR EACH STATEMENT EXECUTE FUNCTION csc_bump_data_version()', target);
END $$;

SELECT csc_track_data_changes(c.oid::regclass) FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname = current_schema() AND c.relname LIKE 'budgets\\_%';
"""

BACKWARD = """
DO $$
DECLARE t regclass;
BEGIN
    FOR t IN SELECT tgrelid::regclass FROM pg_trigger WHERE tgname = 'csc_data_version' LOOP
        EXECUTE format('DROP TRIGGER csc_data_version ON %s', t);
    END LOOP;
END $$;
DROP FUNCTION csc_track_data_changes(regclass);
DROP FUNCTION csc_bump_data_version();
DROP SEQUENCE csc_data_version;
"""


class Migration(migrations.Migration):
    dependencies = [("budgets", "0008_closed_year_budgets_and_append_only_audit")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
