"""The committee pack's configuration per council (csc_dashboard.models.PackItem)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('budgets', '0014_audit_retention'),
    ]

    operations = [
        migrations.CreateModel(
            name='PackItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(help_text="A committee table key.", max_length=40)),
                ('position', models.PositiveSmallIntegerField()),
                ('title', models.CharField(blank=True, max_length=200)),
                ('label', models.CharField(blank=True, help_text="A section label, like the report's section number.", max_length=30)),
                ('show_table', models.BooleanField(default=True)),
                ('show_chart', models.BooleanField(default=False)),
                ('version', models.PositiveIntegerField(default=1)),
                ('council', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pack_items', to='budgets.council')),
            ],
            options={
                'ordering': ['council', 'position', 'key'],
                'constraints': [models.UniqueConstraint(fields=('council', 'key'), name='pack_item_one_per_key'), models.CheckConstraint(condition=models.Q(('key', ''), _negated=True), name='pack_item_key_not_blank')],
            },
        ),
        # The dashboards cache figures by a data version that every write moves (budgets 0009).
        migrations.RunSQL(
            "SELECT csc_track_data_changes('csc_dashboard_packitem');",
            "DROP TRIGGER IF EXISTS csc_data_version ON csc_dashboard_packitem;",
        ),
    ]
