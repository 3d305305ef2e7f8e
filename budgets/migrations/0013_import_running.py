"""An import is logged as "running" before its transaction begins, so that an import killed
at any point, even at its COMMIT, leaves a record (budgets.importing.import_started)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('budgets', '0012_benchmarks'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='importrecord',
            name='import_outcome_valid',
        ),
        migrations.AlterField(
            model_name='importrecord',
            name='outcome',
            field=models.CharField(choices=[('success', 'Imported'), ('failed', 'Refused'), ('running', 'Not finished')], max_length=7),
        ),
        migrations.AddConstraint(
            model_name='importrecord',
            constraint=models.CheckConstraint(condition=models.Q(('outcome__in', ['success', 'failed', 'running'])), name='import_outcome_valid'),
        ),
    ]
