"""Placement data belongs to a council: scenarios, rate cards and unit-cost benchmarks get a
council; rows already held go to the council this deployment serves (CSC_COUNCIL_LA_CODE, or
else the first created), which is the only council a database held before this migration."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ("RateCard", "Scenario", "UnitCostBenchmark")


def assign_to_the_council(apps, schema_editor):
    Council = apps.get_model("budgets", "Council")
    code = settings.CSC_COUNCIL_LA_CODE
    council = (Council.objects.filter(la_code=code) if code else Council.objects).order_by("pk")
    council = council.first() or Council.objects.order_by("pk").first()
    # Foreign keys are checked at commit by default; checked now, no trigger is left pending
    # for the ALTER TABLE that follows in the same transaction (PostgreSQL refuses that).
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for name in MODELS:
        rows = apps.get_model("placements", name).objects.filter(council__isnull=True)
        if not rows.exists():
            continue
        if council is None:
            raise RuntimeError(
                f"placements.{name} has rows but the database has no council to give them to: "
                "run setup_council first, then migrate again."
            )
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
        ("budgets", "0011_any_council"),
        ("placements", "0004_hostile"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="ratecard", name="rate_card_unique"),
        migrations.RemoveConstraint(model_name="unitcostbenchmark", name="unit_benchmark_unique"),
        *[
            migrations.AddField(model_name=name.lower(), name="council", field=council_field(True))
            for name in MODELS
        ],
        migrations.RunPython(assign_to_the_council, migrations.RunPython.noop),
        *[
            migrations.AlterField(
                model_name=name.lower(), name="council", field=council_field(False)
            )
            for name in MODELS
        ],
        migrations.AlterField(
            model_name="scenario", name="name", field=models.CharField(max_length=100)
        ),
        migrations.AddConstraint(
            model_name="ratecard",
            constraint=models.UniqueConstraint(
                fields=("council", "category", "effective_from"), name="rate_card_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="scenario",
            constraint=models.UniqueConstraint(
                fields=("council", "name"), name="placements_scenario_name"
            ),
        ),
        migrations.AddConstraint(
            model_name="unitcostbenchmark",
            constraint=models.UniqueConstraint(
                fields=("council", "category", "comparator"), name="unit_benchmark_unique"
            ),
        ),
    ]
