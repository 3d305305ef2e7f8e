"""The admin writes through service functions: every saved row goes through a `save_function`
(budgets/record_services.py: record_save by default, actual_save and budget_save for the
figures, with their permission and lock checks) and every deletion through a `delete_function`,
so each change becomes AuditEntry rows with the administrator's name, like changes on pages."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group

from budgets import record_services
from budgets.audit_trail import audit_assignments  # noqa: F401  (its old home: re-exported)
from budgets.models import AuditEntry


class AuditedAdmin(admin.ModelAdmin):
    """Saves and deletes through the service functions, which audit each changed field with its
    old and new value, and every deletion; assignments (many-to-many) are audited here, once
    the admin has saved the relation."""

    # The write functions, and the name under which they take the row.
    save_function = staticmethod(record_services.record_save)
    delete_function = staticmethod(record_services.record_delete)
    service_argument = "obj"

    def _call(self, function, request, obj):
        return function(
            user=request.user, source=AuditEntry.Source.ADMIN, **{self.service_argument: obj}
        )

    def save_model(self, request, obj, form, change):
        self._call(self.save_function, request, obj)

    def save_related(self, request, form, formsets, change):
        before = {
            name: set(getattr(form.instance, name).all()) if change else set()
            for name in form.changed_data
            if name in {f.name for f in form.instance._meta.many_to_many}
        }
        super().save_related(request, form, formsets, change)
        for name, old in before.items():
            audit_assignments(
                user=request.user,
                source=AuditEntry.Source.ADMIN,
                obj=form.instance,
                field=name,
                old=old,
                new=set(getattr(form.instance, name).all()),
            )

    def delete_model(self, request, obj):
        self._call(self.delete_function, request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._call(self.delete_function, request, obj)


class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    """Role changes (group membership) and deactivations are audited like any other change."""


class AuditedGroupAdmin(AuditedAdmin, GroupAdmin):
    """Roles are groups found by name (budgets.access.Role): renaming or deleting one changes
    what its members may do, so it is audited like an assignment."""


def register_user_admin(site) -> None:
    User = get_user_model()
    for model, model_admin in [(User, AuditedUserAdmin), (Group, AuditedGroupAdmin)]:
        if site.is_registered(model):
            site.unregister(model)
        site.register(model, model_admin)
