"""A second data version, for figures that read none of the month's finance figures.

`csc_data_version` moves on every write to the product's tables. `csc_reference_version` moves
on every write except to the month's finance figures: budgets, actuals and ledger entries,
forecasts, savings, sign-offs, and the audit and import logs those writes leave. A figure built
only from the rest (the demand model's projection from the placement episodes, say) is cached
under it (budgets.cache.cached(monthly=False)), so a forecast saved every few seconds does not
make every reader compute it again. The same trigger moves both, under the writers' lock.
"""

from django.db import migrations

WRITERS_LOCK = 7_385_469_001
MONTHLY_TABLES = (
    "budgets_budget",
    "budgets_actual",
    "budgets_ledgerentry",
    "budgets_forecast",
    "budgets_saving",
    "budgets_signoff",
    "budgets_auditentry",
    "budgets_importrecord",
)
MONTHLY = ", ".join(f"'{table}'" for table in MONTHLY_TABLES)

FORWARD = f"""
CREATE SEQUENCE csc_reference_version;

CREATE OR REPLACE FUNCTION csc_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared({WRITERS_LOCK});
    PERFORM nextval('csc_data_version');
    IF TG_TABLE_NAME <> ALL (ARRAY[{MONTHLY}]) THEN
        PERFORM nextval('csc_reference_version');
    END IF;
    RETURN NULL;
END $$;
"""

BACKWARD = f"""
CREATE OR REPLACE FUNCTION csc_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared({WRITERS_LOCK});
    PERFORM nextval('csc_data_version');
    RETURN NULL;
END $$;

DROP SEQUENCE csc_reference_version;
"""


class Migration(migrations.Migration):
    dependencies = [("budgets", "0015_redundant_keys")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
