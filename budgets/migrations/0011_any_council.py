"""Any council: areas of spend as a table (the six defaults, then a budget book's own),
directors of directorates, returned sign-offs that keep their reason, budget phasing, the
ledger's account-level detail, and per-council headline and committee-label settings."""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


DEFAULT_AREAS = (
    ("staffing", "Staffing"),
    ("placements", "Children's placements"),
    ("specialist_support", "Specialist support"),
    ("other_support", "Other support"),
    ("other_costs", "Other costs"),
    ("income", "Income"),
)


def create_default_areas(apps, schema_editor):
    AreaOfSpend = apps.get_model("budgets", "AreaOfSpend")
    for position, (code, name) in enumerate(DEFAULT_AREAS, start=1):
        AreaOfSpend.objects.get_or_create(code=code, defaults={"name": name, "position": position})


def directors_keep_signing(apps, schema_editor):
    """Before this migration any director signed off any service: keep that for existing
    directors (an administrator narrows it), so an upgrade does not stop the month-end."""
    Directorate = apps.get_model("budgets", "Directorate")
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name="Director").first()
    if group is None:
        return
    for directorate in Directorate.objects.all():
        directorate.directors.add(*group.user_set.all())


LEDGER_TRIGGERS = """
SELECT csc_track_data_changes('budgets_areaofspend');
SELECT csc_track_data_changes('budgets_ledgerentry');
SELECT csc_track_data_changes('budgets_directorate_directors');
CREATE OR REPLACE FUNCTION budgets_ledgerentry_refuse_closed_updates() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
        JOIN budgets_period p ON p.id IN (o.period_id, n.period_id)
        WHERE p.status = 'closed'
          AND (o.period_id <> n.period_id OR o.line_id <> n.line_id
               OR o.amount IS DISTINCT FROM n.amount)
    ) THEN
        RAISE EXCEPTION 'a closed period''s figures cannot be changed'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER budgets_ledgerentry_closed_insert AFTER INSERT ON budgets_ledgerentry
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION budgets_refuse_closed_inserts();
CREATE TRIGGER budgets_ledgerentry_closed_delete AFTER DELETE ON budgets_ledgerentry
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION budgets_refuse_closed_deletes();
CREATE TRIGGER budgets_ledgerentry_closed_update AFTER UPDATE ON budgets_ledgerentry
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION budgets_ledgerentry_refuse_closed_updates();
"""

LEDGER_TRIGGERS_REVERSE = """
DROP TRIGGER IF EXISTS budgets_ledgerentry_closed_insert ON budgets_ledgerentry;
DROP TRIGGER IF EXISTS budgets_ledgerentry_closed_delete ON budgets_ledgerentry;
DROP TRIGGER IF EXISTS budgets_ledgerentry_closed_update ON budgets_ledgerentry;
DROP FUNCTION IF EXISTS budgets_ledgerentry_refuse_closed_updates();
DROP TRIGGER IF EXISTS csc_data_version ON budgets_ledgerentry;
DROP TRIGGER IF EXISTS csc_data_version ON budgets_areaofspend;
DROP TRIGGER IF EXISTS csc_data_version ON budgets_directorate_directors;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0010_data_version_writers_hold_a_lock"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AreaOfSpend",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(max_length=40, unique=True)),
                ("name", models.CharField(max_length=60, unique=True)),
                ("position", models.PositiveSmallIntegerField(default=100)),
            ],
            options={
                "verbose_name_plural": "areas of spend",
                "ordering": ["position", "name"],
            },
        ),
        migrations.RunPython(create_default_areas, migrations.RunPython.noop),
        migrations.CreateModel(
            name="LedgerEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("account", models.CharField(max_length=40)),
                ("description", models.CharField(blank=True, max_length=200)),
                ("amount", models.DecimalField(decimal_places=2, max_digits=14)),
            ],
            options={
                "verbose_name_plural": "ledger entries",
                "ordering": ["line", "period", "account"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="budgetline",
            name="line_area_valid",
        ),
        migrations.RemoveConstraint(
            model_name="signoff",
            name="sign_off_status_valid",
        ),
        migrations.RemoveConstraint(
            model_name="signoff",
            name="sign_off_complete",
        ),
        migrations.AddField(
            model_name="budget",
            name="profile",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.DecimalField(decimal_places=2, max_digits=14),
                blank=True,
                help_text="The budget book's monthly phasing, P1 (April) to P12 (March), where given.",
                null=True,
                size=12,
            ),
        ),
        migrations.AddField(
            model_name="council",
            name="committee_labels",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text='Optional section labels for the committee tables, by table key (e.g. {"budget_by_area": "9"}), shown before each table\'s title.',
            ),
        ),
        migrations.AddField(
            model_name="council",
            name="headline_periods_back",
            field=models.PositiveSmallIntegerField(
                default=1,
                help_text="The overview's headlines compare with the forecast this many periods before (1: last month; 2 for a committee that meets every other month).",
            ),
        ),
        migrations.AddField(
            model_name="directorate",
            name="directors",
            field=models.ManyToManyField(
                blank=True,
                help_text="Directors who sign off this directorate's services.",
                related_name="directed_directorates",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="signoff",
            name="return_reason",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="signoff",
            name="returned_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="signoff",
            name="returned_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="council",
            name="la_code",
            field=models.CharField(
                help_text="DfE old LA code, e.g. 210", max_length=3, unique=True
            ),
        ),
        migrations.AlterField(
            model_name="signoff",
            name="status",
            field=models.CharField(
                choices=[
                    ("submitted", "Submitted"),
                    ("signed_off", "Signed off"),
                    ("returned", "Returned"),
                ],
                max_length=10,
            ),
        ),
        migrations.AddConstraint(
            model_name="budget",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("profile__isnull", True), ("profile__len", 12), _connector="OR"
                ),
                name="budget_profile_12_months",
            ),
        ),
        migrations.AddConstraint(
            model_name="council",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("headline_periods_back__gte", 1), ("headline_periods_back__lte", 11)
                ),
                name="council_headline_periods_1_to_11",
            ),
        ),
        migrations.AddConstraint(
            model_name="signoff",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["submitted", "signed_off", "returned"])),
                name="sign_off_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="signoff",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("signed_off_by__isnull", True), ("status", "submitted")),
                    models.Q(
                        ("signed_off_at__isnull", False),
                        ("signed_off_by__isnull", False),
                        ("status", "signed_off"),
                    ),
                    models.Q(
                        ("returned_at__isnull", False),
                        ("returned_by__isnull", False),
                        ("signed_off_by__isnull", True),
                        ("status", "returned"),
                        models.Q(("return_reason", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="sign_off_complete",
            ),
        ),
        migrations.AlterField(
            model_name="budgetline",
            name="area_of_spend",
            field=models.ForeignKey(
                db_column="area_of_spend",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lines",
                to="budgets.areaofspend",
                to_field="code",
            ),
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="line",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="ledger_entries",
                to="budgets.budgetline",
            ),
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="period",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="ledger_entries",
                to="budgets.period",
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.UniqueConstraint(
                fields=("line", "period", "account"), name="ledger_entry_unique"
            ),
        ),
        migrations.RunPython(directors_keep_signing, migrations.RunPython.noop),
        migrations.RunSQL(LEDGER_TRIGGERS, LEDGER_TRIGGERS_REVERSE),
    ]
