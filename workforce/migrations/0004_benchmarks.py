"""Census returns belong to a council (branch benchmarks): the returns loaded before this
belonged to the one council the deployment served, so they go to it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def to_the_served_council(apps, schema_editor):
    Council = apps.get_model("budgets", "Council")
    CensusReturn = apps.get_model("workforce", "CensusReturn")
    if not CensusReturn.objects.exists():
        return
    code = getattr(settings, "CSC_COUNCIL_LA_CODE", "")
    councils = Council.objects.filter(la_code=code) if code else Council.objects.order_by("pk")
    council = councils.first()
    if council is None:
        raise RuntimeError("Census returns exist but no council does: set one up first.")
    CensusReturn.objects.update(council=council)


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0012_benchmarks"),
        ("workforce", "0003_hostile"),
    ]

    operations = [
        migrations.AddField(
            model_name="censusreturn",
            name="council",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="budgets.council",
            ),
        ),
        migrations.RunPython(to_the_served_council, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="censusreturn",
            name="council",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="budgets.council",
            ),
        ),
        migrations.AlterField(
            model_name="censusreturn",
            name="reference_date",
            field=models.DateField(),
        ),
        migrations.AddConstraint(
            model_name="censusreturn",
            constraint=models.UniqueConstraint(
                fields=("council", "reference_date"), name="census_return_unique"
            ),
        ),
    ]
