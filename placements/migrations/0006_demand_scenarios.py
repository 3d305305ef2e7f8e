"""Demand scenarios (branch demand2): a placements.Scenario may be of kind "demand", whose
parameters are changes to the demand model's rates (placements/demand_scenarios.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("placements", "0005_returns")]

    operations = [
        migrations.RemoveConstraint(model_name="scenario", name="scenario_kind"),
        migrations.AlterField(
            model_name="scenario",
            name="kind",
            field=models.CharField(
                choices=[
                    ("move", "Move children between categories"),
                    ("unit_cost", "Change a category's unit cost"),
                    ("lac_rate", "Bring the LAC rate to a comparator's"),
                    ("demand", "Change the demand model's rates"),
                ],
                max_length=10,
            ),
        ),
        migrations.AddConstraint(
            model_name="scenario",
            constraint=models.CheckConstraint(
                condition=models.Q(kind__in=["move", "unit_cost", "lac_rate", "demand"]),
                name="scenario_kind",
            ),
        ),
    ]
