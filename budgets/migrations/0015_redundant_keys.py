"""Actuals and ledger entries written in place by a re-import, and one index fewer each.

A ledger file replaces its periods' figures, so a re-import of a month (a corrected extract, or
the same month with late postings) rewrites those rows. PostgreSQL writes a changed row in place
(a heap-only update: no index touched) only when its page has room for the new version, and
pages filled to the brim have none: every changed row then costs a new entry in every index,
which made replacing a million actuals take half a minute. A fill factor of 50 leaves each new
page half empty, so a re-import can rewrite every row of a page in place. It applies to pages
written from now on: each month's new actuals, the rows re-imports rewrite.

The separate index on `line` went: the unique (line, period) index, and (line, period, account)
for the entries, start with the line and serve every lookup by line as well.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLES = ["budgets_actual", "budgets_ledgerentry"]


class Migration(migrations.Migration):
    dependencies = [("budgets", "0014_audit_retention")]

    operations = [
        migrations.AlterField(
            model_name="actual",
            name="line",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="actuals",
                to="budgets.budgetline",
            ),
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="line",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="ledger_entries",
                to="budgets.budgetline",
            ),
        ),
        migrations.RunSQL(
            [f"ALTER TABLE {table} SET (fillfactor = 50)" for table in TABLES],
            [f"ALTER TABLE {table} RESET (fillfactor)" for table in TABLES],
        ),
    ]
