"""Reading a users file (CSV or XLSX): username, full name, email, role, and the services (for a
finance officer) or directorates (for a director) they are assigned.

Parsing only: each cell is checked and every problem reported with the file's row number and
its own column header. Services and directorates are resolved against the council's structure
by `budgets.council_setup.users_import`, which also writes.
"""

import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from budgets.access import Role
from budgets.importing import ImportFileError, RowError, column_indexes, iter_rows

COLUMNS = {
    "username": ["user name", "user", "login", "user id"],
    "full_name": ["full name", "name"],
    "email": ["email", "email address", "e-mail"],
    "role": ["role", "roles"],
    "services": ["services", "service"],
    "directorates": ["directorates", "directorate"],
}
LABELS = {"username": "Username", "full_name": "Full name", "email": "Email", "role": "Role"}

# Role names as people write them, squashed to letters (case, spaces and plurals ignored).
ROLE_SPELLINGS = {
    "financeofficer": Role.FINANCE_OFFICER,
    "finance": Role.FINANCE_OFFICER,
    "director": Role.DIRECTOR,
    "scrutinymember": Role.SCRUTINY_MEMBER,
    "scrutiny": Role.SCRUTINY_MEMBER,
    "councillor": Role.SCRUTINY_MEMBER,
    "administrator": Role.ADMINISTRATOR,
    "admin": Role.ADMINISTRATOR,
}


def parse_role(text: str) -> str:
    key = re.sub(r"[^a-z]", "", text.lower())
    role = ROLE_SPELLINGS.get(key) or ROLE_SPELLINGS.get(key.removesuffix("s"))
    if role is None:
        raise ValueError(
            f"{text!r} is not a role: use finance officer, director, scrutiny member or "
            "administrator"
        )
    return role


def split_codes(text: str) -> list[str]:
    return [part.strip().upper() for part in text.split(";") if part.strip()]


@dataclass
class UserRow:
    row: int
    username: str
    first_name: str
    last_name: str
    email: str
    role: str
    services: list[str]  # `DIR/SVC` or a bare `SVC`
    directorates: list[str]


@dataclass
class UsersFile:
    rows: list[UserRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    count: int = 0

    def header(self, name: str) -> str:
        return self.headers.get(name) or LABELS.get(name, name.capitalize())


def split_name(full_name: str) -> tuple[str, str]:
    """`Cllr Grace Adeyemi` → (`Cllr Grace`, `Adeyemi`): get_full_name() gives it back."""
    parts = full_name.split()
    if len(parts) == 1:
        return parts[0], ""
    return " ".join(parts[:-1]), parts[-1]


def read_users_file(source, *, file_name: str, max_bytes=None) -> UsersFile:
    header, rows = iter_rows(source, file_name=file_name, max_bytes=max_bytes)
    columns = column_indexes(header, COLUMNS, required=[])
    missing = [LABELS[name] for name in LABELS if name not in columns]
    if missing:
        raise ImportFileError(
            f"No column for {', '.join(missing)}. The file's columns are: "
            f"{', '.join(h for h in map(str, header) if h) or 'none'}."
        )
    result = UsersFile(headers={name: str(header[i]) for name, i in columns.items()})
    User = get_user_model()
    first_row: dict[str, int] = {}
    for number, cells in rows:
        result.count += 1
        errors = []

        def cell(name, cells=cells):
            index = columns.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        def fail(name, message, number=number, errors=errors):
            errors.append(RowError(number, message, result.header(name)))

        username = cell("username")
        if not username:
            fail("username", "the username is missing")
        else:
            try:
                User.username_validator(username)
                if len(username) > User._meta.get_field("username").max_length:
                    raise ValidationError("too long")
            except ValidationError:
                fail("username", f"{username!r} is not a username (letters, digits, @ . + - _)")
            first = first_row.setdefault(username.lower(), number)
            if first != number:
                fail("username", f"{username} appears again (first on row {first})")
        full_name = " ".join(cell("full_name").split())
        if not full_name:
            fail("full_name", "the full name is missing")
        first_name, last_name = split_name(full_name) if full_name else ("", "")
        if len(first_name) > 150 or len(last_name) > 150:
            fail("full_name", "the full name is too long")
        email = cell("email")
        try:
            validate_email(email)
        except ValidationError:
            fail("email", f"{email!r} is not an email address" if email else "the email is missing")
        role = ""
        try:
            role = parse_role(cell("role"))
        except ValueError as exc:
            fail("role", str(exc) if cell("role") else "the role is missing")
        services, directorates = split_codes(cell("services")), split_codes(cell("directorates"))
        if services and role and role != Role.FINANCE_OFFICER:
            fail("services", "only a finance officer is assigned services")
        if directorates and role and role != Role.DIRECTOR:
            fail("directorates", "only a director is assigned directorates")
        if errors:
            result.errors.extend(errors)
            continue
        result.rows.append(
            UserRow(
                row=number,
                username=username,
                first_name=first_name,
                last_name=last_name,
                email=email,
                role=role,
                services=services,
                directorates=directorates,
            )
        )
    if not result.count:
        raise ImportFileError(f"{file_name or 'The file'} has no users.")
    return result
