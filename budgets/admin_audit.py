"""Audit for changes made in the Django admin: every saved field, deletion and role or service
assignment becomes an AuditEntry with the administrator's name, like changes made on pages."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group

from budgets.models import AuditEntry
from budgets.services import audit


def audit_assignments(*, user, source, obj, field: str, old: set, new: set) -> None:
    """An "assign" row for each member added to a many-to-many relation (roles, services,
    directorates) and an "unassign" row for each removed: the admin and the users import both
    record assignments this way."""
    for added in sorted(new - old, key=str):
        audit(user=user, source=source, action="assign", obj=obj, field=field, new=added)
    for removed in sorted(old - new, key=str):
        audit(user=user, source=source, action="unassign", obj=obj, field=field, old=removed)


class AuditedAdmin(admin.ModelAdmin):
    """Records each changed field with its old and new value, and every deletion."""

    def save_model(self, request, obj, form, change):
        old = type(obj).objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        if old is None:
            audit(user=request.user, source=AuditEntry.Source.ADMIN, action="create", obj=obj)
            return
        model_fields = {f.name for f in obj._meta.get_fields()}
        for name in form.changed_data:
            if name not in model_fields:
                continue  # a form-only field, e.g. the version a forecast edit was based on
            field = obj._meta.get_field(name)
            if field.many_to_many:
                continue  # recorded in save_related, once the relation is saved
            audit(
                user=request.user,
                source=AuditEntry.Source.ADMIN,
                action="update",
                obj=obj,
                field=name,
                old=getattr(old, field.attname),
                new=getattr(obj, field.attname),
            )

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
        audit(user=request.user, source=AuditEntry.Source.ADMIN, action="delete", obj=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit(user=request.user, source=AuditEntry.Source.ADMIN, action="delete", obj=obj)
        super().delete_queryset(request, queryset)


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
