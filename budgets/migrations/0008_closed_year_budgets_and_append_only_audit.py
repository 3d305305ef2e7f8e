"""Two more guarantees the database keeps, whatever path a write takes.

1. A year's budgets are fixed once its last period (March, the year end) is closed: the closed
   months' variances are measured against them, so changing one would rewrite a closed month.
   Reopening period 12 (with a reason, audited) reopens them. As for forecasts and actuals
   (0007), rewriting a row with identical figures is allowed, so loading the demo twice works.
2. The audit trail is append-only: no entry can be altered. Deletion stays possible for the
   retention command (README, "Data protection").
"""

from django.db import migrations

YEAR_IS_CLOSED = """
CREATE OR REPLACE FUNCTION budgets_year_is_closed(target bigint) RETURNS boolean AS $$
    SELECT coalesce((SELECT status = 'closed' FROM budgets_period
                     WHERE year_id = target AND number = 12), false);
$$ LANGUAGE sql STABLE;
"""

# Checked once per statement with transition tables, like 0007, so a bulk write is one join.
EVENTS = """
CREATE OR REPLACE FUNCTION budgets_budget_closed_insert() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n WHERE budgets_year_is_closed(n.year_id)) THEN
        RAISE EXCEPTION 'a closed year''s budgets cannot be changed'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION budgets_budget_closed_delete() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM old_rows o WHERE budgets_year_is_closed(o.year_id)) THEN
        RAISE EXCEPTION 'a closed year''s budgets cannot be changed'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION budgets_budget_closed_update() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE (budgets_year_is_closed(o.year_id) OR budgets_year_is_closed(n.year_id))
          AND (o.year_id <> n.year_id OR o.line_id <> n.line_id
               OR o.original IS DISTINCT FROM n.original OR o.revised IS DISTINCT FROM n.revised)
    ) THEN
        RAISE EXCEPTION 'a closed year''s budgets cannot be changed'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER budgets_budget_closed_insert AFTER INSERT ON budgets_budget
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION budgets_budget_closed_insert();
CREATE TRIGGER budgets_budget_closed_delete AFTER DELETE ON budgets_budget
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION budgets_budget_closed_delete();
CREATE TRIGGER budgets_budget_closed_update AFTER UPDATE ON budgets_budget
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION budgets_budget_closed_update();

CREATE OR REPLACE FUNCTION budgets_audit_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries cannot be changed' USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER budgets_auditentry_append_only BEFORE UPDATE ON budgets_auditentry
    FOR EACH ROW EXECUTE FUNCTION budgets_audit_is_append_only();
"""

REVERSE = """
DROP TRIGGER IF EXISTS budgets_auditentry_append_only ON budgets_auditentry;
DROP FUNCTION IF EXISTS budgets_audit_is_append_only();
DROP TRIGGER IF EXISTS budgets_budget_closed_insert ON budgets_budget;
DROP TRIGGER IF EXISTS budgets_budget_closed_delete ON budgets_budget;
DROP TRIGGER IF EXISTS budgets_budget_closed_update ON budgets_budget;
DROP FUNCTION IF EXISTS budgets_budget_closed_insert();
DROP FUNCTION IF EXISTS budgets_budget_closed_delete();
DROP FUNCTION IF EXISTS budgets_budget_closed_update();
DROP FUNCTION IF EXISTS budgets_year_is_closed(bigint);
"""


class Migration(migrations.Migration):
    dependencies = [("budgets", "0007_closed_period_lock_per_statement")]

    operations = [migrations.RunSQL(YEAR_IS_CLOSED + EVENTS, REVERSE)]
