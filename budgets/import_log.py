"""The import log: a row per import, written as it starts and completed with its outcome, and
the redaction of personal data from what it quotes."""

import re
from contextlib import contextmanager

from django.db import transaction

from budgets.importing import ErrorList, ImportFileError, RowError, sha256, shorten

# --- Personal data never quoted in the import log -------------------------------------------
#
# The import log is kept for years and shown in the admin and on the upload pages, so for a file
# that holds personal data (SSDA903 episodes: the child's identifier, date of birth, postcodes,
# the provider's URN) it must quote no cell: "row 2, DOB: the cell is not a date", never the
# date. A row shifted by a missing cell puts a postcode under PLACE, so the rule is on the
# value, not only the column: in such an import a quoted value is kept only when it is a short
# code (PLACE "ZZ", PLACE_PROVIDER "PR9") in a column not declared personal. Importers' own
# messages stay as they are; redact_report() rewrites them as the import is logged.

_PERSONAL_IMPORTS: dict[str, frozenset[str]] = {}

# A value as Python's repr quotes it in a message ('SE6 4RU' or "O'Neil"), or cut short by
# shorten() before its closing quote. An apostrophe inside a word (child's) opens no quote.
_QUOTED = re.compile(
    r"""(?<!\w)(?:'(?:[^'\\]|\\.)*(?:'(?!\w)|…$)|"(?:[^"\\]|\\.)*(?:"(?!\w)|…$))"""
)
_HARMLESS_CODE = re.compile(r"^[A-Za-z0-9]{1,3}$")
_FOUND = re.compile(r"(Found: )(.*?)(\.?)$", re.S)
_HEADER_LIKE = re.compile(r"^[A-Za-z][A-Za-z _()£%/&.-]{0,39}$")


def declare_personal_import(kind: str, columns) -> None:
    """An importer whose files hold personal data declares its kind and the columns (file
    headers, any case) that are personal; its errors are then redacted as it is logged."""
    _PERSONAL_IMPORTS[kind] = frozenset(str(c).strip().upper() for c in columns)


def redact(message: str, *, personal_columns: frozenset[str], column: str = "") -> str:
    """`message` without the cell values it quotes, for an import of personal data: a quoted
    value becomes "the cell" unless it is a short code in a column not declared personal; in
    "Found: <headers>" (a file whose first row may be data, not headers) a header holding
    digits becomes "(a value)"."""
    column_is_personal = not column or column.strip().upper() in personal_columns

    def replace(match) -> str:
        quoted = match.group(0)
        whole = not quoted.endswith("…")  # a value cut short is never a code
        if whole and not column_is_personal and _HARMLESS_CODE.match(quoted[1:-1]):
            return quoted
        return "the cell"

    text = _QUOTED.sub(replace, message)

    def headers(match) -> str:
        names = [
            name if _HEADER_LIKE.match(name) else "(a value)"
            for name in (n.strip() for n in match.group(2).split(","))
        ]
        return match.group(1) + ", ".join(names) + match.group(3)

    return _FOUND.sub(headers, text)


def redact_report(kind: str, report) -> None:
    """Rewrite `report`'s errors in place for an import declared personal (the page shows the
    same report), before anything of it is stored."""
    personal = _PERSONAL_IMPORTS.get(kind)
    if personal is None:
        return
    report.errors = ErrorList(
        [
            RowError(e.row, redact(e.message, personal_columns=personal, column=e.column), e.column)
            for e in report.errors
        ],
        dropped=report.errors.unlisted,
    )
    if report.file_error:
        report.file_error = redact(report.file_error, personal_columns=personal)


def import_started(*, kind: str, file_name: str, digest: str, user):
    """Log the import as running, before its transaction begins: importers call this first and
    pass the record to record_import at the end. Called in autocommit (commands and upload
    views do not run in a transaction), the row is committed at once, so an import killed at
    any point, its COMMIT included, leaves a record that says it did not finish."""
    from budgets.models import ImportRecord

    return ImportRecord.objects.create(
        kind=kind,
        file_name=file_name[:255],
        sha256=digest,
        user=user if user is not None and user.is_authenticated else None,
        outcome=ImportRecord.Outcome.RUNNING,
        message="Started; not finished.",
    )


def record_import(
    *,
    kind: str,
    file_name: str,
    data: bytes | None = None,
    digest: str = "",
    user,
    report,
    started=None,
):
    """Write the import log row: the outcome of the record `started` wrote, or a new row. Call
    it outside the import's transaction, so that a refused import is logged even though its
    rows were rolled back.

    An import that changed something also gets one AuditEntry summarising it (who, which file,
    what changed), written with the log row: the audit trail then lists imports beside the
    edits made on pages, without a row per imported line (a million-row ledger would drown it).
    The import log row it points at holds the details."""
    from budgets.models import ImportRecord

    redact_report(kind, report)
    record = started or ImportRecord(
        kind=kind,
        file_name=file_name[:255],
        sha256=digest or sha256(data),
        user=user if user is not None and user.is_authenticated else None,
    )
    record.rows = report.rows
    record.created = report.created
    record.updated = report.updated
    record.unchanged = report.unchanged
    record.deleted = report.deleted
    record.outcome = ImportRecord.Outcome.SUCCESS if report.ok else ImportRecord.Outcome.FAILED
    record.message = shorten(report.summary(), 2000)
    # The listed errors only (each message already short), and how many more there were.
    record.errors = (
        [str(e) for e in report.errors]
        + ([f"… and {report.unlisted_errors:,} more errors"] if report.unlisted_errors else [])
        + ([report.file_error] if report.file_error else [])
    )
    with transaction.atomic():
        record.save()
        if report.ok and report.changed:
            from budgets.models import AuditEntry
            from budgets.services import audit

            audit(
                user=user,
                source=AuditEntry.Source.IMPORT if user is not None else AuditEntry.Source.COMMAND,
                action="import",
                obj=record,
                field=kind[:50],
                new=record.message,
                reason=f"{record.file_name} (SHA-256 {record.sha256[:12]}…)",
            )
    return record


@contextmanager
def logged_import(*, kind: str, file_name: str, digest: str, user, report):
    """The frame every file import shares: the log row written as it starts, a refused file
    (ImportFileError) kept as the report's file error, the outcome logged at the end.

        with logged_import(kind="…", file_name=…, digest=…, user=user, report=report):
            … read, check and write …
    """
    started = import_started(kind=kind, file_name=file_name, digest=digest, user=user)
    try:
        yield started
    except ImportFileError as exc:
        report.file_error = str(exc)
    record_import(
        kind=kind, file_name=file_name, digest=digest, user=user, report=report, started=started
    )
