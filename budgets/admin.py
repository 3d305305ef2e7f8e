import re

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from budgets import models, record_services, services
from budgets.access import Role
from budgets.admin_audit import AuditedAdmin, register_user_admin


class OpenPeriodForm(forms.ModelForm):
    """Refuses figures for a closed period with a message on the form; the database trigger
    (migration 0007) would refuse them anyway, but as an error page."""

    def clean_period(self):
        period = self.cleaned_data["period"]
        if period is not None and period.is_closed:
            raise ValidationError(f"{period} is closed: its figures cannot be changed.")
        return period


class ForecastAdminForm(forms.ModelForm):
    """The admin's forecast form saves through `services.forecasts_save` (source ADMIN), like the
    forecast page: the permission, the closed period, the submitted or signed-off lock, the
    version the administrator saw, the commentary rule and the audit rows are the service's,
    checked once. The service runs as the form's last validation step (inside the admin's
    transaction), so whatever it refuses is shown on the form and nothing is written."""

    based_on_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    user = None  # the signed-in administrator, set per request by ForecastAdmin.get_form

    class Meta:
        model = models.Forecast
        fields = ["line", "period", "outturn", "commentary"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["based_on_version"].initial = self.instance.version if self.instance.pk else 0

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        change = services.ForecastChange(
            line=self.instance.line,
            outturn=self.cleaned_data["outturn"],
            commentary=self.cleaned_data.get("commentary") or "",
            based_on_version=self.cleaned_data["based_on_version"],
        )
        try:
            with transaction.atomic():  # a refusal rolls back only the service's own work
                [saved] = services.forecasts_save(
                    user=self.user,
                    period=self.instance.period,
                    changes=[change],
                    source=services.Source.ADMIN,
                )
        except (
            PermissionDenied,
            services.PeriodClosed,
            services.ForecastLocked,
            services.CommentaryRequired,
            services.Conflict,
        ) as exc:
            self.add_error(None, str(exc))
            return
        self.instance = saved


class OpenYearForm(forms.ModelForm):
    """A closed year's budgets are final (migration 0008): say so on the form."""

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year is not None and year.is_closed:
            raise ValidationError(f"{year} is closed: its budgets cannot be changed.")
        return year


class ClosedReadOnly:
    """A closed period's figures (or a closed year's budgets) are shown, never offered for
    change (the database would refuse the change anyway). `closed(obj)` says which."""

    @staticmethod
    def closed(obj) -> bool:
        return obj.period.is_closed

    def has_change_permission(self, request, obj=None):
        if obj is not None and self.closed(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self.closed(obj):
            return False
        return super().has_delete_permission(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows only their write functions make (the audit trail, sign-offs): shown, never added,
    changed or deleted in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.FinancialYear)
class FinancialYearAdmin(admin.ModelAdmin):
    list_display = ["label", "start_year"]


@admin.register(models.Period)
class PeriodAdmin(AuditedAdmin):
    list_display = ["__str__", "year", "number", "status"]
    list_filter = ["year", "status"]
    # Closing and reopening go through the Periods page, which asks for a reason.
    readonly_fields = ["status"]


LABEL_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
LABEL_MAX_LENGTH = 20


def validate_committee_labels(value) -> None:
    """A dict from a committee table's key (like `budget_by_area`) to a short label (like a
    report's section number); raises ValidationError naming every bad entry."""
    if not isinstance(value, dict):
        raise ValidationError(
            'Give the labels as a JSON object of table key to label, like {"budget_by_area": "9"}.'
        )
    problems = []
    for key, label in value.items():
        if not LABEL_KEY.match(key):
            problems.append(f"{key!r} is not a table key (lower-case letters, digits and _).")
        if not isinstance(label, str) or not label.strip():
            problems.append(f'The label for {key!r} must be some text, like "9".')
        elif len(label) > LABEL_MAX_LENGTH:
            problems.append(f"The label for {key!r} is longer than {LABEL_MAX_LENGTH} characters.")
    if problems:
        raise ValidationError(problems)


class CouncilForm(forms.ModelForm):
    class Meta:
        model = models.Council
        fields = ["name", "la_code", "headline_periods_back", "committee_labels"]

    def clean_committee_labels(self):
        labels = self.cleaned_data["committee_labels"]
        if labels is None:  # an emptied field: no labels
            return {}
        validate_committee_labels(labels)
        return labels


@admin.register(models.Council)
class CouncilAdmin(admin.ModelAdmin):
    form = CouncilForm
    list_display = ["name", "la_code", "headline_periods_back"]


@admin.register(models.Directorate)
class DirectorateAdmin(AuditedAdmin):
    """Directors sign off only their own directorates' services; assigning and unassigning them
    is audited like a service's finance officers."""

    list_display = ["code", "name", "council"]
    list_filter = ["council"]
    filter_horizontal = ["directors"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "directors":
            users = get_user_model().objects.filter(groups__name=Role.DIRECTOR, is_active=True)
            kwargs["queryset"] = users.order_by("last_name", "first_name", "username")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(models.Service)
class ServiceAdmin(AuditedAdmin):
    list_display = ["code", "name", "directorate"]
    list_filter = ["directorate"]
    filter_horizontal = ["finance_officers"]


@admin.register(models.BudgetLine)
class BudgetLineAdmin(AuditedAdmin):
    list_display = ["code", "name", "service", "area_of_spend", "section_251_line"]
    list_filter = ["service", "area_of_spend"]
    search_fields = ["code", "name"]


@admin.register(models.Budget)
class BudgetAdmin(ClosedReadOnly, AuditedAdmin):
    form = OpenYearForm
    list_display = ["line", "year", "original", "revised"]
    readonly_fields = ["profile"]  # the budget book's phasing: import_budgets writes it
    list_filter = ["year", "line__service"]
    list_select_related = ["line", "year"]
    search_fields = ["line__code", "line__name"]

    save_function = staticmethod(record_services.budget_save)
    delete_function = staticmethod(record_services.budget_delete)
    service_argument = "budget"

    @staticmethod
    def closed(obj) -> bool:
        return obj.year.is_closed


@admin.register(models.Actual)
class ActualAdmin(ClosedReadOnly, AuditedAdmin):
    form = OpenPeriodForm
    list_display = ["line", "period", "amount"]
    list_filter = ["period__year", "line__service"]
    list_select_related = ["line", "period__year"]
    search_fields = ["line__code"]

    save_function = staticmethod(record_services.actual_save)
    delete_function = staticmethod(record_services.actual_delete)
    service_argument = "actual"


@admin.register(models.Forecast)
class ForecastAdmin(ClosedReadOnly, AuditedAdmin):
    form = ForecastAdminForm
    list_display = ["line", "period", "outturn", "author", "updated_at", "version"]
    list_filter = ["period__year", "line__service"]
    list_select_related = ["line", "period__year", "author"]
    search_fields = ["line__code", "commentary"]
    readonly_fields = ["updated_at", "version"]

    def get_readonly_fields(self, request, obj=None):
        # A forecast belongs to its line and period: a different line or period is a new
        # forecast (added, and checked, as one), never a moved one.
        if obj is not None:
            return ["line", "period", "author", *self.readonly_fields]
        return self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj, form, change):
        """Saved (and audited) already, by the service, when the form was validated."""

    def has_delete_permission(self, request, obj=None):
        # No service deletes a forecast: deleting one would take a line out of a submitted or
        # signed-off forecast behind the director's back.
        return False


@admin.register(models.Saving)
class SavingAdmin(AuditedAdmin):
    list_display = [
        "reference",
        "description",
        "service",
        "year",
        "target",
        "forecast_delivery",
        "rag",
    ]
    list_filter = ["year", "service", "rag"]


@admin.register(models.LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ["la_code", "name", "region_name"]
    search_fields = ["la_code", "name"]


@admin.register(models.StatisticalNeighbour)
class StatisticalNeighbourAdmin(admin.ModelAdmin):
    list_display = ["authority", "rank", "neighbour", "closeness"]
    list_select_related = ["authority", "neighbour"]
    search_fields = ["authority__name"]


@admin.register(models.ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    list_display = ["started_at", "kind", "file_name", "user", "rows", "outcome"]
    list_filter = ["kind", "outcome"]
    readonly_fields = [f.name for f in models.ImportRecord._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "at",
        "user",
        "source",
        "action",
        "object_repr",
        "field",
        "old_value",
        "new_value",
    ]
    list_filter = ["source", "action", "object_type"]
    search_fields = ["object_repr", "reason"]
    readonly_fields = [f.name for f in models.AuditEntry._meta.fields]


@admin.register(models.SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    """Submitting, signing off and returning go through budgets.services on the pages, which
    check who may do what; deleting a row would unlock a signed-off forecast."""

    list_display = ["service", "period", "status", "submitted_by", "signed_off_by", "returned_by"]
    list_filter = ["status", "period__year"]
    list_select_related = [
        "service",
        "period__year",
        "submitted_by",
        "signed_off_by",
        "returned_by",
    ]
    readonly_fields = [f.name for f in models.SignOff._meta.fields]


register_user_admin(admin.site)
