"""Staffing scenarios belong to a council, as placement scenarios do (placements 0005): rows
already held go to the council this deployment serves (CSC_COUNCIL_LA_CODE, or else the first
created); names are unique per council."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def assign_to_the_council(apps, schema_editor):
    Council = apps.get_model("budgets", "Council")
    code = settings.CSC_COUNCIL_LA_CODE
    council = (Council.objects.filter(la_code=code) if code else Council.objects).order_by("pk")
    council = council.first() or Council.objects.order_by("pk").first()
    rows = apps.get_model("workforce", "Scenario").objects.filter(council__isnull=True)
    if not rows.exists():
        return
    if council is None:
        raise RuntimeError(
            "workforce.Scenario has rows but the database has no council to give them to: "
            "run setup_council first, then migrate again."
        )
    # Checked now, so no foreign-key trigger is left pending for the ALTER TABLE below.
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    rows.update(council=council)
    schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


def council_field(null: bool):
    return models.ForeignKey(
        null=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="budgets.council",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0012_benchmarks"),
        ("workforce", "0004_benchmarks"),
    ]

    operations = [
        migrations.AddField(model_name="scenario", name="council", field=council_field(True)),
        migrations.RunPython(assign_to_the_council, migrations.RunPython.noop),
        migrations.AlterField(model_name="scenario", name="council", field=council_field(False)),
        migrations.AlterField(
            model_name="scenario", name="name", field=models.CharField(max_length=100)
        ),
        migrations.AddConstraint(
            model_name="scenario",
            constraint=models.UniqueConstraint(
                fields=("council", "name"), name="workforce_scenario_name"
            ),
        ),
    ]
