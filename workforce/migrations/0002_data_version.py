"""Writes to the workforce tables move the data version caches are keyed on (budgets 0009)."""

from django.db import migrations

TABLES = [
    "workforce_team",
    "workforce_post",
    "workforce_filling",
    "workforce_teamcaseload",
    "workforce_censusreturn",
    "workforce_indicator",
    "workforce_scenario",
]


class Migration(migrations.Migration):
    dependencies = [("budgets", "0009_data_version"), ("workforce", "0001_initial")]

    operations = [
        migrations.RunSQL(
            [f"SELECT csc_track_data_changes('{table}')" for table in TABLES],
            [f"DROP TRIGGER csc_data_version ON {table}" for table in TABLES],
        )
    ]
