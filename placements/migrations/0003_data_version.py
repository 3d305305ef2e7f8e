"""Writes to the placement tables move the data version caches are keyed on (budgets 0009)."""

from django.db import migrations

TABLES = [
    "placements_child",
    "placements_episode",
    "placements_categoryline",
    "placements_ratecard",
    "placements_unitcostbenchmark",
    "placements_lacrate",
    "placements_population",
    "placements_scenario",
]


class Migration(migrations.Migration):
    dependencies = [("budgets", "0009_data_version"), ("placements", "0002_council")]

    operations = [
        migrations.RunSQL(
            [f"SELECT csc_track_data_changes('{table}')" for table in TABLES],
            [f"DROP TRIGGER csc_data_version ON {table}" for table in TABLES],
        )
    ]
