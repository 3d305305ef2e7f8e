"""Setting a council up from its own files: the write functions behind `setup_council`,
`start_year`, `import_budgets` and `import_users`, and the administrator's Set up page.

Each owns its transaction, checks that the writer is an administrator (when a user is given:
the command line runs as no user) and writes an AuditEntry for every change, like the write
functions in budgets/services.py.
"""

import csv
import functools
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.db.models import Max
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify

from budgets.access import Role, has_role
from budgets.audit_trail import audit, audit_assignments
from budgets.budget_book import read_budget_book
from budgets.importing import (
    ImportFileError,
    ImportReport,
    RowError,
    file_digest,
    import_started,
    record_import,
)
from budgets.models import (
    AreaOfSpend,
    AuditEntry,
    Budget,
    BudgetLine,
    Council,
    Directorate,
    FinancialYear,
    Period,
    Service,
    label_for,
    parse_year_label,
)
from budgets.users_file import read_users_file

Source = AuditEntry.Source

# The DfE's lists of local authorities, shipped with the project: each has old_la_code, la_name.
DFE_DIR = settings.BASE_DIR / "fixtures" / "dfe"
DFE_AUTHORITY_FILES = ("sn_model_2025_wide.csv", "cla_number_and_rate_per_10k_children.csv")


class SetupError(ValueError):
    """A setup step refused, with a message for the operator; nothing was written."""


@dataclass
class SetupResult:
    messages: list[str] = field(default_factory=list)
    council: Council | None = None
    year: FinancialYear | None = None


def require_administrator(user) -> None:
    """The command line passes no user (an operator at the server); a page passes the signed-in
    user, who must be an administrator."""
    if user is not None and not has_role(user, Role.ADMINISTRATOR):
        raise PermissionDenied("Only an administrator can set the council up.")


@functools.lru_cache(maxsize=1)
def dfe_authorities(folder: Path = DFE_DIR) -> dict[str, str]:
    """Old LA code → authority name, from the DfE files in fixtures/dfe."""
    found: dict[str, str] = {}
    for name in DFE_AUTHORITY_FILES:
        path = Path(folder) / name
        if not path.is_file():
            continue
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                code = (row.get("old_la_code") or "").strip()
                if len(code) == 3 and code.isdigit():
                    found.setdefault(code, (row.get("la_name") or "").strip())
    return found


def parse_la_code(text: str) -> tuple[str, str]:
    """(code, DfE name) for a DfE old LA code such as `210`; SetupError for anything else."""
    code = (text or "").strip()
    if not (len(code) == 3 and code.isdigit()):
        raise SetupError(f"{text!r} is not an LA code: give the DfE's three-digit old LA code.")
    authorities = dfe_authorities()
    if code not in authorities:
        raise SetupError(
            f"{code} is not an LA code in the DfE's list of local authorities (fixtures/dfe)."
        )
    return code, authorities[code]


def parse_year(text: str) -> int:
    try:
        return parse_year_label(text or "")
    except ValueError as exc:
        raise SetupError(str(exc)) from None


def _ensure_year(start_year: int, *, user, source) -> tuple[FinancialYear, bool, int]:
    """The year and its twelve periods, created where missing; (year, created, periods added)."""
    year, created = FinancialYear.objects.get_or_create(start_year=start_year)
    if created:
        audit(user=user, source=source, action="create", obj=year)
    have = set(year.periods.values_list("number", flat=True))
    added = [Period(year=year, number=n) for n in range(1, 13) if n not in have]
    for period in Period.objects.bulk_create(added):
        audit(user=user, source=source, action="create", obj=period)
    return year, created, len(added)


def council_setup(*, user, la_code: str, name: str, year_label: str, source=Source.PAGE):
    """Create the council (or rename it, run again) and its first financial year with its
    twelve periods. Safe to repeat."""
    require_administrator(user)
    code, dfe_name = parse_la_code(la_code)
    name = (name or "").strip() or dfe_name
    if len(name) > Council._meta.get_field("name").max_length:
        raise SetupError("The council's name is longer than 100 characters.")
    start = parse_year(year_label)
    result = SetupResult()
    with transaction.atomic():
        if Council.objects.filter(name=name).exclude(la_code=code).exists():
            raise SetupError(f"Another council is already called {name!r}.")
        council = Council.objects.select_for_update().filter(la_code=code).first()
        if council is None:
            council = Council.objects.create(la_code=code, name=name)
            audit(user=user, source=source, action="create", obj=council)
            result.messages.append(f"Created the council {name} (LA code {code}).")
        elif council.name != name:
            old, council.name = council.name, name
            council.save(update_fields=["name"])
            audit(
                user=user,
                source=source,
                action="update",
                obj=council,
                field="name",
                old=old,
                new=name,
            )
            result.messages.append(f"Renamed the council with LA code {code}: {old} → {name}.")
        else:
            result.messages.append(f"The council {name} (LA code {code}) was already set up.")
        year, created, periods = _ensure_year(start, user=user, source=source)
        if created:
            result.messages.append(f"Created the financial year {year.label} and its 12 periods.")
        elif periods:
            result.messages.append(f"Added {periods} missing periods to {year.label}.")
        else:
            result.messages.append(f"The financial year {year.label} already had its 12 periods.")
    if Council.objects.count() > 1:
        current = settings.CSC_COUNCIL_LA_CODE
        if current != code:
            result.messages.append(
                f"This database holds more than one council: set CSC_COUNCIL_LA_CODE={code} "
                "so that the pages show this one"
                + (f" (it is {current} now)." if current else " (it is not set now).")
            )
    result.council, result.year = council, year
    return result


def next_year_start() -> int | None:
    latest = FinancialYear.objects.order_by("-start_year").first()
    return latest.start_year + 1 if latest else None


def year_start(*, user, year_label: str, source=Source.PAGE) -> SetupResult:
    """Start the next financial year: the year after the latest one, with its twelve periods.
    The council's structure (directorates, services, budget lines) carries forward as it is;
    the year's budgets come from its budget book."""
    require_administrator(user)
    start = parse_year(year_label)
    with transaction.atomic():
        # Serialise concurrent starts: two at once would otherwise both see the same latest year.
        list(FinancialYear.objects.select_for_update().order_by("-start_year")[:1])
        expected = next_year_start()
        if expected is None:
            raise SetupError("There is no financial year yet: run setup_council first.")
        if start != expected:
            latest = label_for(expected - 1)
            raise SetupError(
                f"{label_for(start)} is not the next financial year: the latest is {latest}, "
                f"so the next is {label_for(expected)}."
            )
        year, _, _ = _ensure_year(start, user=user, source=source)
    return SetupResult(
        messages=[
            f"Started {year.label} with its 12 periods. Directorates, services and budget "
            f"lines carry forward; load the year's budget book next "
            f"(import_budgets FILE --year {year.label}).",
        ],
        year=year,
    )


# --- The budget book ---------------------------------------------------------------------


@dataclass
class SetupReport(ImportReport):
    """An import's report, with notes for the operator (what was created) and, for a users
    file, the one-time set-password links: shown once, never logged or stored."""

    notes: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        if self.ok and self.rows and not self.changed:
            return f"Nothing changed: all {self.rows} rows were already as the file says."
        return super().summary()


def _as_file(source):
    return io.BytesIO(source) if isinstance(source, bytes | bytearray) else source


def _current_council() -> Council:
    council = Council.objects.current().first()
    if council is None:
        raise ImportFileError("No council is set up yet: run setup_council first.")
    return council


def _budget_year(book, year_label: str) -> FinancialYear:
    """The year the book is for: --year, else the file's Year column, else the latest open
    year. Refused when it does not exist or is closed."""
    labels = {row.year for row in book.rows if row.year}
    if year_label:
        start = parse_year(year_label)
        for row in book.rows:
            if row.year and parse_year_label(row.year) != start:
                book.errors.append(
                    RowError(row.row, f"{row.year} is not {label_for(start)}", book.header("year"))
                )
    elif labels:
        starts = {parse_year_label(label) for label in labels}
        if len(starts) > 1:
            raise ImportFileError(
                f"The file's {book.header('year')} column holds more than one year "
                f"({', '.join(sorted(labels))}): a budget book is for one year."
            )
        start = starts.pop()
    else:
        open_years = [y for y in FinancialYear.objects.order_by("-start_year") if not y.is_closed]
        if not open_years:
            raise ImportFileError("There is no open financial year: run start_year first.")
        start = open_years[0].start_year
    year = FinancialYear.objects.filter(start_year=start).first()
    if year is None:
        raise ImportFileError(
            f"There is no financial year {label_for(start)}: create it first (setup_council or "
            "start_year)."
        )
    if year.is_closed:
        raise ImportFileError(f"{year.label} is closed: its budgets are final and cannot change.")
    return year


def _area_code(name: str) -> str:
    return slugify(name).replace("-", "_")[:40]


def _resolve_areas(book) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Each area name in the file → the code of its AreaOfSpend (matched by name or code,
    ignoring case), and the council's own areas to create as (code, name)."""
    areas = list(AreaOfSpend.objects.all())
    known = {a.name.lower(): a.code for a in areas} | {a.code.lower(): a.code for a in areas}
    taken = {a.code for a in areas}
    codes, new = {}, []
    for row in book.rows:
        key = row.area.lower()
        if key in codes:
            continue
        if key in known:
            codes[key] = known[key]
            continue
        code = _area_code(row.area)
        if not code or code in taken:
            book.errors.append(
                RowError(
                    row.row,
                    f"{row.area!r} is not an area of spend, and cannot be added as one "
                    f"(its code {code!r} is {'taken' if code else 'empty'})",
                    book.header("area"),
                )
            )
            continue
        taken.add(code)
        codes[key] = code
        new.append((code, row.area))
    return codes, new


def _check_lines(book, council: Council) -> dict[str, BudgetLine]:
    """The file's cost centres that exist already, by code; one of another council's is an
    error."""
    codes = [row.cost_centre for row in book.rows]
    existing = {
        line.code.upper(): line
        for line in BudgetLine.objects.annotate(code_upper=Upper("code"))
        .filter(code_upper__in=codes)
        .select_related("service__directorate__council")
    }
    for row in book.rows:
        line = existing.get(row.cost_centre)
        if line is not None and line.service.directorate.council_id != council.pk:
            book.errors.append(
                RowError(
                    row.row,
                    f"cost centre {row.cost_centre} is a budget line of "
                    f"{line.service.directorate.council.name}, not of {council.name}",
                    book.header("cost_centre"),
                )
            )
    return existing


def _refuse_unless_administrator(user) -> None:
    """An import's writer must be an administrator (or the command line, no user); refused as a
    file error, so the refusal is reported and logged like any other."""
    try:
        require_administrator(user)
    except PermissionDenied as exc:
        raise ImportFileError(str(exc)) from None


def budget_book_import(
    source,
    *,
    file_name: str,
    user=None,
    year_label: str = "",
    source_kind=Source.IMPORT,
    max_bytes=None,
) -> SetupReport:
    """Load a budget book, all or nothing: the council's directorates, services and budget
    lines (created or updated), and the year's original and revised budgets and monthly
    profiles. A changed revised budget is recorded as a virement. Logged whatever happens."""
    source = _as_file(source)
    report = SetupReport()
    digest, _ = file_digest(source)
    started = import_started(kind="budgets", file_name=file_name, digest=digest, user=user)
    try:
        _refuse_unless_administrator(user)
        council = _current_council()
        book = read_budget_book(source, file_name=file_name, max_bytes=max_bytes)
        report.rows = book.count
        try:
            year = _budget_year(book, year_label)
        except SetupError as exc:
            raise ImportFileError(str(exc)) from None
        area_codes, new_areas = _resolve_areas(book)
        existing = _check_lines(book, council)
        report.errors = sorted(book.errors, key=lambda e: (e.row, e.column))
        if report.ok:
            with transaction.atomic():
                _write_budget_book(
                    book,
                    report,
                    council=council,
                    year=year,
                    area_codes=area_codes,
                    new_areas=new_areas,
                    existing=existing,
                    user=user,
                    source_kind=source_kind,
                    reason=f"Budget book {file_name}",
                )
    except ImportFileError as exc:
        report.file_error = str(exc)
    except DatabaseError as exc:  # e.g. the year closed while the file was being read
        report.file_error = f"The budget book could not be saved: {exc}".strip()
    if not report.ok:
        report.created = report.updated = report.unchanged = 0
        report.notes = []
    record_import(
        kind="budgets",
        file_name=file_name,
        digest=digest,
        user=user,
        report=report,
        started=started,
    )
    return report


def _write_budget_book(
    book, report, *, council, year, area_codes, new_areas, existing, user, source_kind, reason
) -> None:
    def log(action, obj, **kwargs):
        audit(user=user, source=source_kind, action=action, obj=obj, **kwargs)

    # Nothing may close the year while its budgets are written (the database refuses a closed
    # year's budgets too; this makes the refusal a clear message instead).
    last = Period.objects.select_for_update().filter(year=year, number=12).first()
    if last is not None and last.is_closed:
        raise ImportFileError(f"{year.label} is closed: its budgets are final and cannot change.")

    position = AreaOfSpend.objects.aggregate(top=Max("position"))["top"] or 0
    for code, name in new_areas:
        position += 1
        area = AreaOfSpend.objects.create(code=code, name=name, position=position)
        log("create", area)
        report.notes.append(f"Added the area of spend {name!r} (code {code}).")

    directorates = {d.code.upper(): d for d in Directorate.objects.filter(council=council)}
    services = {
        (s.directorate.code.upper(), s.code.upper()): s
        for s in Service.objects.filter(directorate__council=council).select_related("directorate")
    }
    budgets = {b.line_id: b for b in Budget.objects.filter(year=year)}
    for row in book.rows:
        changed = False
        directorate = directorates.get(row.directorate_code)
        if directorate is None:
            directorate = Directorate.objects.create(
                council=council, code=row.directorate_code, name=row.directorate_name
            )
            directorates[row.directorate_code] = directorate
            log("create", directorate)
            report.notes.append(f"Added the directorate {directorate}.")
        elif directorate.name != row.directorate_name:
            old, directorate.name = directorate.name, row.directorate_name
            directorate.save(update_fields=["name"])
            log("update", directorate, field="name", old=old, new=directorate.name, reason=reason)
            changed = True
        key = (row.directorate_code, row.service_code)
        service = services.get(key)
        if service is None:
            service = Service.objects.create(
                directorate=directorate, code=row.service_code, name=row.service_name
            )
            services[key] = service
            log("create", service)
            report.notes.append(f"Added the service {service} to {directorate.code}.")
        elif service.name != row.service_name:
            old, service.name = service.name, row.service_name
            service.save(update_fields=["name"])
            log("update", service, field="name", old=old, new=service.name, reason=reason)
            changed = True

        wanted = {
            "name": row.description,
            "service_id": service.pk,
            "area_of_spend_id": area_codes[row.area.lower()],
            "section_251_line": row.s251,
        }
        line = existing.get(row.cost_centre)
        if line is None:
            line = BudgetLine.objects.create(code=row.cost_centre, **wanted)
            log("create", line)
        else:
            fields = [name for name, value in wanted.items() if getattr(line, name) != value]
            for name in fields:
                old = getattr(line, name)
                setattr(line, name, wanted[name])
                log(
                    "update",
                    line,
                    field=name.removesuffix("_id"),
                    old=old,
                    new=wanted[name],
                    reason=reason,
                )
            if fields:
                line.save(update_fields=fields)
                changed = True

        budget = budgets.get(line.pk)
        if budget is None:
            budget = Budget.objects.create(
                line=line,
                year=year,
                original=row.original,
                revised=row.revised,
                profile=row.profile,
            )
            log("create", budget, field="revised", new=budget.revised, reason=reason)
            report.created += 1
            continue
        fields = []
        if budget.original != row.original:
            log(
                "update",
                budget,
                field="original",
                old=budget.original,
                new=row.original,
                reason=reason,
            )
            budget.original = row.original
            fields.append("original")
        if budget.revised != row.revised:
            log(
                "virement",
                budget,
                field="revised",
                old=budget.revised,
                new=row.revised,
                reason=reason,
            )
            budget.revised = row.revised
            fields.append("revised")
        if (budget.profile or None) != row.profile:
            log(
                "update",
                budget,
                field="profile",
                old=_profile_text(budget.profile),
                new=_profile_text(row.profile),
                reason=reason,
            )
            budget.profile = row.profile
            fields.append("profile")
        if fields:
            budget.save(update_fields=fields)
            changed = True
        if changed:
            report.updated += 1
        else:
            report.unchanged += 1


def _profile_text(profile) -> str:
    return "" if not profile else "; ".join(f"{amount:.2f}" for amount in profile)


# --- Users -------------------------------------------------------------------------------


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
    source = _as_file(source)
    report = SetupReport()
    digest, _ = file_digest(source)
    started = import_started(kind="users", file_name=file_name, digest=digest, user=user)
    try:
        _refuse_unless_administrator(user)
        council = _current_council()
        users = read_users_file(source, file_name=file_name, max_bytes=max_bytes)
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
        if report.ok:
            with transaction.atomic():
                written = _write_users(
                    users, assignments, report, council=council, user=user, source_kind=source_kind
                )
            report.links = [
                (account.username, set_password_link(account))
                for account, created in written
                if created or (resend and not account.has_usable_password())
            ]
    except ImportFileError as exc:
        report.file_error = str(exc)
    if not report.ok:
        report.created = report.updated = report.unchanged = 0
    record_import(
        kind="users", file_name=file_name, digest=digest, user=user, report=report, started=started
    )
    return report


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
