"""A closed period cannot be changed by anyone, through any path: the database refuses.

Pages, imports and the write functions check first and explain; this trigger is the guarantee
behind them, so that the admin, a shell or a bug cannot alter a closed month either. Rewriting a
row with identical figures is allowed (loading the demo twice does that); a real change is not.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION budgets_period_is_closed(target bigint) RETURNS boolean AS $$
    SELECT coalesce((SELECT status = 'closed' FROM budgets_period WHERE id = target), false);
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION budgets_refuse_closed_period() RETURNS trigger AS $$
BEGIN
    -- TG_ARGV[0] lists the columns that carry figures; an update that leaves them all as they
    -- were (and the row in the same period) changes nothing and is let through.
    IF TG_OP = 'UPDATE' AND OLD.period_id = NEW.period_id AND OLD.line_id = NEW.line_id THEN
        -- Nested IFs: PL/pgSQL plans each expression against the row type, so a column of the
        -- other table must not appear in an expression that runs here.
        IF TG_ARGV[0] = 'forecast' THEN
            IF OLD.outturn IS NOT DISTINCT FROM NEW.outturn
               AND OLD.commentary IS NOT DISTINCT FROM NEW.commentary THEN
                RETURN NEW;
            END IF;
        ELSE
            IF OLD.amount IS NOT DISTINCT FROM NEW.amount THEN
                RETURN NEW;
            END IF;
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND budgets_period_is_closed(OLD.period_id) THEN
        RAISE EXCEPTION 'period % is closed: its figures cannot be changed', OLD.period_id
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND budgets_period_is_closed(NEW.period_id) THEN
        RAISE EXCEPTION 'period % is closed: its figures cannot be changed', NEW.period_id
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

TRIGGERS = """
CREATE TRIGGER budgets_forecast_closed_period
    BEFORE INSERT OR UPDATE OR DELETE ON budgets_forecast
    FOR EACH ROW EXECUTE FUNCTION budgets_refuse_closed_period('forecast');
CREATE TRIGGER budgets_actual_closed_period
    BEFORE INSERT OR UPDATE OR DELETE ON budgets_actual
    FOR EACH ROW EXECUTE FUNCTION budgets_refuse_closed_period('actual');
"""

REVERSE = """
DROP TRIGGER IF EXISTS budgets_forecast_closed_period ON budgets_forecast;
DROP TRIGGER IF EXISTS budgets_actual_closed_period ON budgets_actual;
DROP FUNCTION IF EXISTS budgets_refuse_closed_period();
DROP FUNCTION IF EXISTS budgets_period_is_closed(bigint);
"""


class Migration(migrations.Migration):
    dependencies = [("budgets", "0005_audit_and_sign_off")]

    operations = [migrations.RunSQL(FUNCTION + TRIGGERS, REVERSE)]
