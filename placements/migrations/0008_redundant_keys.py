"""One foreign key checked per episode, not three, and no index that another one covers.

An episode's (child, council) must be a child's (id, council): the composite foreign key of 0002
(episode_council_is_childs). It says all that the separate keys on `child` and on `council` said
(a child with that id exists, and its council exists, by the child's own key), yet each key is a
check per row at commit: three for every episode of a million-episode import. The separate keys
go; the composite one stays, still deferred to commit.

The separate indexes on an episode's child and council, and on a child's council, are the first
columns of the unique (child, start), the (council, start, end) and the unique (council,
reference) indexes, which serve the same lookups.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0014_audit_retention"),
        ("placements", "0007_scenario_shared_base"),
    ]

    operations = [
        migrations.AlterField(
            model_name="child",
            name="council",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="budgets.council",
            ),
        ),
        migrations.AlterField(
            model_name="episode",
            name="child",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="episodes",
                to="placements.child",
            ),
        ),
        migrations.AlterField(
            model_name="episode",
            name="council",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="budgets.council",
            ),
        ),
    ]
