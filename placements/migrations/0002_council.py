"""Placements belong to a council: children, episodes and category lines, so that a national
database holds every council's episodes side by side.

Rows already held belong to the council the deployment serves (CSC_COUNCIL_LA_CODE, or the first
council created), the only one a single-council database has.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def assign_current_council(apps, schema_editor):
    Council = apps.get_model("budgets", "Council")
    models_with_rows = [
        apps.get_model("placements", name) for name in ("Child", "Episode", "CategoryLine")
    ]
    if not any(model.objects.exists() for model in models_with_rows):
        return
    code = settings.CSC_COUNCIL_LA_CODE
    councils = Council.objects.filter(la_code=code) if code else Council.objects.order_by("pk")
    council = councils.first()
    if council is None:
        raise RuntimeError("Placement data is held but there is no council to give it to.")
    for model in models_with_rows:
        model.objects.update(council=council)


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0008_closed_year_budgets_and_append_only_audit"),
        ("placements", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="child",
            name="council",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="budgets.council",
            ),
        ),
        migrations.AddField(
            model_name="episode",
            name="council",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="budgets.council",
            ),
        ),
        migrations.AddField(
            model_name="categoryline",
            name="council",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="budgets.council",
            ),
        ),
        migrations.RunPython(assign_current_council, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="child",
            name="council",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="budgets.council",
            ),
        ),
        migrations.AlterField(
            model_name="episode",
            name="council",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="budgets.council",
            ),
        ),
        migrations.AlterField(
            model_name="categoryline",
            name="council",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="budgets.council",
            ),
        ),
        migrations.AlterField(
            model_name="child",
            name="reference",
            field=models.CharField(help_text="HMAC-SHA256 of CHILD", max_length=64),
        ),
        migrations.AlterField(
            model_name="categoryline",
            name="category",
            field=models.CharField(
                choices=[
                    ("in_house_fostering", "In-house fostering"),
                    ("ifa", "Independent fostering agency"),
                    ("residential", "Residential"),
                    ("secure", "Secure"),
                    ("semi_independent", "Semi-independent and supported"),
                    ("placed_with_parents", "Placed with parents"),
                    ("adoption", "Placed for adoption"),
                    ("other", "Other"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="child",
            constraint=models.UniqueConstraint(
                fields=("council", "reference"), name="child_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="child",
            constraint=models.UniqueConstraint(fields=("id", "council"), name="child_id_council"),
        ),
        migrations.AddConstraint(
            model_name="categoryline",
            constraint=models.UniqueConstraint(
                fields=("council", "category"), name="category_line_unique"
            ),
        ),
        migrations.RemoveIndex(model_name="episode", name="episode_dates"),
        migrations.AddIndex(
            model_name="episode",
            index=models.Index(fields=["council", "start", "end"], name="episode_council_dates"),
        ),
        # An episode's council is its child's: the database refuses any other.
        migrations.RunSQL(
            "ALTER TABLE placements_episode ADD CONSTRAINT episode_council_is_childs"
            " FOREIGN KEY (child_id, council_id) REFERENCES placements_child (id, council_id)"
            " ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED",
            "ALTER TABLE placements_episode DROP CONSTRAINT episode_council_is_childs",
        ),
    ]
