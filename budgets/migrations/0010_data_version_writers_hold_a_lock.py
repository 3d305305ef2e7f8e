"""A writer that has moved the data version holds a shared advisory lock until it ends.

The sequence moves when a statement runs, before its transaction commits. A reader that read
the new version and then the old, still uncommitted, data would cache old figures under the
new version. So the trigger also takes a transaction-level shared lock (writers never wait for
each other), and budgets/cache.py stores figures only when it can briefly take the same lock
exclusively, just after reading the version: then every change up to that version has ended.
The key is budgets.cache.WRITERS_LOCK.
"""

from django.db import migrations

WRITERS_LOCK = 7_385_469_001

FORWARD = f"""
CREATE OR REPLACE FUNCTION csc_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared({WRITERS_LOCK});
    PERFORM nextval('csc_data_version');
    RETURN NULL;
END $$;
"""

BACKWARD = """
CREATE OR REPLACE FUNCTION csc_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nextval('csc_data_version');
    RETURN NULL;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("budgets", "0009_data_version")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
