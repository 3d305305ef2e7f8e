"""Setting a council up from its own files: the write functions behind `setup_council`,
`start_year`, `import_budgets` and `import_users`, and the administrator's Set up page.

Each owns its transaction, checks that the writer is an administrator (when a user is given:
the command line runs as no user) and writes an AuditEntry for every change, like the write
functions in budgets/services.py.
"""

import csv
import functools
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from budgets.audit_trail import audit
from budgets.budget_book_setup import budget_book_import
from budgets.models import Council, FinancialYear, Period, label_for
from budgets.setup_imports import (
    SetupError,
    SetupReport,
    Source,
    parse_year,
    require_administrator,
)
from budgets.users_setup import set_password_link, users_import

# Re-exported: the commands, the Set up page and tests import these from here.
__all__ = [
    "SetupError",
    "SetupReport",
    "Source",
    "budget_book_import",
    "council_setup",
    "parse_year",
    "require_administrator",
    "set_password_link",
    "users_import",
    "year_start",
]

# The DfE's lists of local authorities, shipped with the project: each has old_la_code, la_name.
DFE_DIR = settings.BASE_DIR / "fixtures" / "dfe"
DFE_AUTHORITY_FILES = ("sn_model_2025_wide.csv", "cla_number_and_rate_per_10k_children.csv")


@dataclass
class SetupResult:
    messages: list[str] = field(default_factory=list)
    council: Council | None = None
    year: FinancialYear | None = None


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
