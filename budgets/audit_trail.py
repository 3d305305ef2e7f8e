"""The audit trail's one writer: every service function (pages, imports, the admin, commands)
records its changes with `audit`, and role or service assignments with `audit_assignments`."""

from budgets.models import AuditEntry


def audit(*, user, source, action, obj, field="", old="", new="", reason="") -> AuditEntry:
    return AuditEntry.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        source=source,
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        field=field,
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
        reason=reason,
    )


def audit_assignments(*, user, source, obj, field: str, old: set, new: set) -> None:
    """An "assign" row for each member added to a many-to-many relation (roles, services,
    directorates) and an "unassign" row for each removed: the admin and the users import both
    record assignments this way."""
    for added in sorted(new - old, key=str):
        audit(user=user, source=source, action="assign", obj=obj, field=field, new=added)
    for removed in sorted(old - new, key=str):
        audit(user=user, source=source, action="unassign", obj=obj, field=field, old=removed)


# Fields whose values never go into the trail: that they changed is recorded, not the value.
NOT_RECORDED = {"password"}


def audit_changes(*, user, source, old, new, reason="") -> int:
    """An "update" row for each concrete field whose value differs between `old` and `new`
    (two instances of one model: the row as stored, the row as saved). Returns the count."""
    written = 0
    for field in new._meta.concrete_fields:
        if field.primary_key:
            continue
        before, after = getattr(old, field.attname), getattr(new, field.attname)
        if before != after and field.name in NOT_RECORDED:
            before, after = "", "(changed)"
        if before != after:
            audit(
                user=user,
                source=source,
                action="update",
                obj=new,
                field=field.name,
                old=before,
                new=after,
                reason=reason,
            )
            written += 1
    return written
