"""The closed-period lock, checked once per statement instead of once per row.

Same rule as 0006 (no insert, delete or change of figures in a closed period; a rewrite with
identical figures is allowed), but AFTER ... FOR EACH STATEMENT triggers with transition tables
check a whole bulk import in one join: a row-level check made a million-row ledger import ten
times slower. Raising in an AFTER trigger aborts the statement, so nothing is written.
"""

from django.db import migrations

CHECKS = {
    "budgets_forecast": "o.outturn IS DISTINCT FROM n.outturn"
    " OR o.commentary IS DISTINCT FROM n.commentary",
    "budgets_actual": "o.amount IS DISTINCT FROM n.amount",
}

FUNCTIONS = """
CREATE OR REPLACE FUNCTION budgets_refuse_closed_inserts() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n JOIN budgets_period p ON p.id = n.period_id
               WHERE p.status = 'closed') THEN
        RAISE EXCEPTION 'a closed period''s figures cannot be changed'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION budgets_refuse_closed_deletes() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM old_rows o JOIN budgets_period p ON p.id = o.period_id
               WHERE p.status = 'closed') THEN
        RAISE EXCEPTION 'a closed period''s figures cannot be changed'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

UPDATE_FUNCTION = """
CREATE OR REPLACE FUNCTION {table}_refuse_closed_updates() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
        JOIN budgets_period p ON p.id IN (o.period_id, n.period_id)
        WHERE p.status = 'closed'
          AND (o.period_id <> n.period_id OR o.line_id <> n.line_id OR {changed})
    ) THEN
        RAISE EXCEPTION 'a closed period''s figures cannot be changed'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

TRIGGERS = """
DROP TRIGGER IF EXISTS {table}_closed_period ON {table};
CREATE TRIGGER {table}_closed_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION budgets_refuse_closed_inserts();
CREATE TRIGGER {table}_closed_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION budgets_refuse_closed_deletes();
CREATE TRIGGER {table}_closed_update AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {table}_refuse_closed_updates();
"""

ROW_LEVEL = """
CREATE TRIGGER {table}_closed_period
    BEFORE INSERT OR UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION budgets_refuse_closed_period('{kind}');
"""


def forward_sql() -> str:
    sql = FUNCTIONS
    for table, changed in CHECKS.items():
        sql += UPDATE_FUNCTION.format(table=table, changed=changed)
        sql += TRIGGERS.format(table=table)
    return sql


def reverse_sql() -> str:
    sql = ""
    for table in CHECKS:
        sql += f"""
DROP TRIGGER IF EXISTS {table}_closed_insert ON {table};
DROP TRIGGER IF EXISTS {table}_closed_delete ON {table};
DROP TRIGGER IF EXISTS {table}_closed_update ON {table};
DROP FUNCTION IF EXISTS {table}_refuse_closed_updates();
"""
        sql += ROW_LEVEL.format(table=table, kind=table.removeprefix("budgets_"))
    sql += """
DROP FUNCTION IF EXISTS budgets_refuse_closed_inserts();
DROP FUNCTION IF EXISTS budgets_refuse_closed_deletes();
"""
    return sql


class Migration(migrations.Migration):
    dependencies = [("budgets", "0006_closed_period_lock")]

    operations = [migrations.RunSQL(forward_sql(), reverse_sql())]
