"""The users import: the council's users, their roles (groups), services (finance officers)
and directorates (directors), all or nothing, every change audited; new users get a one-time
set-password link, never a password. The file is read by budgets/users_file.py; the shared
import shape is budgets/setup_imports.setup_import."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from budgets.access import Role
from budgets.audit_trail import audit, audit_assignments
from budgets.importing import RowError
from budgets.models import Council, Directorate, Service
from budgets.setup_imports import SetupReport, Source, setup_import
from budgets.users_file import read_users_file


def users_import(
    source,
    *,
    file_name: str,
    user=None,
    resend: bool = False,
    source_kind=Source.IMPORT,
    max_bytes=None,
) -> SetupReport:
    """Create and update the council's users from a users file, all or nothing: name, email,
    role (a group), services (finance officers) and directorates (directors); every role and
    assignment change is audited. New users get no password: the report carries a one-time
    set-password link for each (and, with `resend`, for every listed user who has not set one
    yet)."""

    def read(file, council, report):
        users = read_users_file(file, file_name=file_name, max_bytes=max_bytes)
        report.rows = users.count
        assignments = _resolve_assignments(users, council)
        if user is not None:
            for row in users.rows:
                if row.username.lower() == user.username.lower() and row.role != Role.ADMINISTRATOR:
                    users.errors.append(
                        RowError(
                            row.row,
                            "you cannot remove your own administrator role",
                            users.header("role"),
                        )
                    )
        report.errors = sorted(users.errors, key=lambda e: (e.row, e.column))
        return users, assignments

    def write(prepared, council, report):
        users, assignments = prepared
        written = _write_users(
            users, assignments, report, council=council, user=user, source_kind=source_kind
        )
        report.links = [
            (account.username, set_password_link(account))
            for account, created in written
            if created or (resend and not account.has_usable_password())
        ]

    return setup_import(
        source,
        kind="users",
        what="users file",
        file_name=file_name,
        user=user,
        read=read,
        write=write,
    )


def set_password_link(user) -> str:
    """A one-time link to choose a password: Django's password-reset token, valid for
    settings.CSC_SET_PASSWORD_DAYS days and until the password is set. Never logged or stored."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("set_password", kwargs={"uidb64": uid, "token": token})
    return f"{settings.CSC_SITE_URL}{path}"


def _resolve_assignments(users, council: Council) -> dict[int, tuple[list, list]]:
    """Each row's services and directorates as objects of the council; unknown or ambiguous
    codes become row errors."""
    services = list(
        Service.objects.filter(directorate__council=council).select_related("directorate")
    )
    by_full = {f"{s.directorate.code.upper()}/{s.code.upper()}": s for s in services}
    by_code: dict[str, list] = {}
    for service in services:
        by_code.setdefault(service.code.upper(), []).append(service)
    directorates = {d.code.upper(): d for d in Directorate.objects.filter(council=council)}
    resolved = {}
    for row in users.rows:
        found_services, found_directorates, errors = [], [], []
        for code in row.services:
            if "/" in code:
                service = by_full.get(code)
                if service is None:
                    errors.append(("services", f"{council.name} has no service {code}"))
                    continue
            else:
                matches = by_code.get(code, [])
                if len(matches) != 1:
                    errors.append(
                        (
                            "services",
                            f"{council.name} has no service {code}"
                            if not matches
                            else f"{code} is a service of more than one directorate: "
                            "write it as DIRECTORATE/SERVICE",
                        )
                    )
                    continue
                service = matches[0]
            found_services.append(service)
        for code in row.directorates:
            if code not in directorates:
                errors.append(("directorates", f"{council.name} has no directorate {code}"))
                continue
            found_directorates.append(directorates[code])
        users.errors.extend(RowError(row.row, message, users.header(c)) for c, message in errors)
        resolved[row.row] = (found_services, found_directorates)
    return resolved


def _write_users(users, assignments, report, *, council, user, source_kind) -> list:
    User = get_user_model()
    groups = {group.name: group for group in Group.objects.filter(name__in=Role.ALL)}
    for name in Role.ALL:
        if name not in groups:
            groups[name] = Group.objects.create(name=name)
    existing = {
        account.username.lower(): account
        for account in User.objects.filter(
            username__in=[row.username for row in users.rows]
        ).prefetch_related("groups")
    }
    council_services = Service.objects.filter(directorate__council=council)
    council_directorates = Directorate.objects.filter(council=council)
    written = []
    for row in users.rows:
        account = existing.get(row.username.lower())
        created = account is None
        changed = False
        if created:
            account = User.objects.create_user(
                username=row.username,
                email=row.email,
                first_name=row.first_name,
                last_name=row.last_name,
            )  # no password given: an unusable one, until the user sets theirs
            audit(user=user, source=source_kind, action="create", obj=account)
        else:
            for name in ("first_name", "last_name", "email"):
                old, new = getattr(account, name), getattr(row, name)
                if old != new:
                    setattr(account, name, new)
                    audit(
                        user=user,
                        source=source_kind,
                        action="update",
                        obj=account,
                        field=name,
                        old=old,
                        new=new,
                    )
                    changed = True
            if changed:
                account.save(update_fields=["first_name", "last_name", "email"])
        old_roles = {g for g in account.groups.all() if g.name in Role.ALL}
        new_roles = {groups[row.role]}
        if old_roles != new_roles:
            account.groups.remove(*(old_roles - new_roles))
            account.groups.add(*(new_roles - old_roles))
            audit_assignments(
                user=user,
                source=source_kind,
                obj=account,
                field="groups",
                old=old_roles,
                new=new_roles,
            )
            changed = True
        wanted_services, wanted_directorates = assignments[row.row]
        for relation, objects, wanted in [
            ("finance_officers", council_services, set(wanted_services)),
            ("directors", council_directorates, set(wanted_directorates)),
        ]:
            held = set(objects.filter(**{relation: account}))
            for obj in wanted - held:
                getattr(obj, relation).add(account)
                audit_assignments(
                    user=user, source=source_kind, obj=obj, field=relation, old=set(), new={account}
                )
            for obj in held - wanted:
                getattr(obj, relation).remove(account)
                audit_assignments(
                    user=user, source=source_kind, obj=obj, field=relation, old={account}, new=set()
                )
            changed = changed or held != wanted
        if created:
            report.created += 1
        elif changed:
            report.updated += 1
        else:
            report.unchanged += 1
        written.append((account, created))
    return written
