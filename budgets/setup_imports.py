"""The shape every set-up import shares (the budget book, the users file): the file's hash
logged before anything else, the administrator check, the council, the file read and checked,
then written all or nothing, and the outcome logged whatever happens. `setup_import` is that
shape once; budgets/budget_book_setup.py and budgets/users_setup.py supply the read and write.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction

from budgets.access import Role, has_role
from budgets.importing import (
    ImportFileError,
    ImportReport,
    file_digest,
    import_started,
    record_import,
)
from budgets.models import AuditEntry, Council, parse_year_label

Source = AuditEntry.Source


class SetupError(ValueError):
    """A setup step refused, with a message for the operator; nothing was written."""


def require_administrator(user) -> None:
    """The command line passes no user (an operator at the server); a page passes the signed-in
    user, who must be an administrator."""
    if user is not None and not has_role(user, Role.ADMINISTRATOR):
        raise PermissionDenied("Only an administrator can set the council up.")


def parse_year(text: str) -> int:
    try:
        return parse_year_label(text or "")
    except ValueError as exc:
        raise SetupError(str(exc)) from None


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


def current_council() -> Council:
    council = Council.objects.current().first()
    if council is None:
        raise ImportFileError("No council is set up yet: run setup_council first.")
    return council


def setup_import(
    source,
    *,
    kind: str,
    what: str,
    file_name: str,
    user,
    read: Callable,
    write: Callable,
) -> SetupReport:
    """Run one set-up import. `read(file, council, report)` reads and checks the file, sets
    `report.rows` and `report.errors`, and returns what `write(prepared, council, report)`
    needs; `write` runs in one transaction, only when the file has no errors. A refusal (not an
    administrator, no council, a file error, the database refusing) is the report's file error,
    and then nothing is counted as written."""
    source = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    report = SetupReport()
    digest, _ = file_digest(source)
    started = import_started(kind=kind, file_name=file_name, digest=digest, user=user)
    try:
        try:
            require_administrator(user)
        except PermissionDenied as exc:  # reported and logged like any other refusal
            raise ImportFileError(str(exc)) from None
        council = current_council()
        prepared = read(source, council, report)
        if report.ok:
            with transaction.atomic():
                write(prepared, council, report)
    except ImportFileError as exc:
        report.file_error = str(exc)
    except DatabaseError as exc:  # e.g. the year closed while the file was being read
        report.file_error = f"The {what} could not be saved: {exc}".strip()
    if not report.ok:
        report.created = report.updated = report.unchanged = 0
        report.notes, report.links = [], []
    record_import(
        kind=kind, file_name=file_name, digest=digest, user=user, report=report, started=started
    )
    return report
