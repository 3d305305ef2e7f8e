"""Establishment extracts, the DfE workforce census XML and the DfE's published indicators,
imported all or nothing; no worker's personal details are ever read into the database."""

import csv
import io
from decimal import Decimal, InvalidOperation
from pathlib import Path

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring
from django.db import transaction

from budgets.access import Role, has_role, may_load_council_data, may_load_service
from budgets.importing import (
    ImportFileError,
    ImportReport,
    RowError,
    column_indexes,
    file_digest,
    import_started,
    iter_rows,
    parse_date,
    parse_money,
    record_import,
    sha256,
    shorten,
)
from budgets.models import Council, Service
from workforce.metrics import annual_from_rates, census_problems
from workforce.models import CensusReturn, Filling, Indicator, Post, Team

COLUMNS = {
    "post": ["post reference", "post ref", "post id", "position"],
    "service": [],
    "team": [],
    "title": ["job title"],
    "grade": [],
    "fte": ["post fte"],
    "budgeted_cost": ["budget", "budgeted annual cost"],
    "social_work": ["social work post", "sw post"],
    "status": ["filled by"],
    "filled_fte": ["filling fte", "worker fte"],
    "annual_cost": ["actual annual cost", "cost"],
    "day_rate": ["agency day rate"],
    "hourly_rate": ["agency hourly rate"],
    "as_at": ["date", "effective date"],
}
REQUIRED = ["post", "service", "team", "title", "fte", "budgeted_cost", "status", "as_at"]
STATUSES = {
    "permanent": "permanent",
    "agency": "agency",
    "vacant": "vacant",
    "perm": "permanent",
    "interim": "agency",
    "locum": "agency",
}


def _cell(cells, columns, name):
    index = columns.get(name)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _fte(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an FTE") from None
    if not value.is_finite() or not 0 <= value <= 1:
        raise ValueError(f"FTE {text} must be from 0 to 1")
    return value


def establishment_import(source, *, file_name: str, user=None) -> ImportReport:
    """Posts and how each is filled at a date. A post whose filling changed gets a new filling
    from that date (the previous one ends then); the same file twice changes nothing."""
    source = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    digest, _ = file_digest(source)
    started = import_started(kind="establishment", file_name=file_name, digest=digest, user=user)
    report = ImportReport()
    try:
        header, rows = iter_rows(source, file_name=file_name)
        columns = column_indexes(header, COLUMNS, required=REQUIRED)
        # Service codes are unique within a council only: look them up in this council's.
        services = {
            s.code.upper(): s
            for s in Service.objects.filter(
                directorate__council__in=Council.objects.current().values("pk")
            ).select_related("directorate")
        }
        parsed, seen = [], {}
        for number, cells in rows:
            report.rows += 1
            try:
                reference = _cell(cells, columns, "post")
                if not reference:
                    raise ValueError("the post reference is missing")
                _refuse_long(cells, columns)
                if reference in seen:
                    raise ValueError(
                        f"post {reference} appears again (first on row {seen[reference]})"
                    )
                service = services.get(_cell(cells, columns, "service").upper())
                if service is None:
                    raise ValueError(f"unknown service {_cell(cells, columns, 'service')!r}")
                status = STATUSES.get(_cell(cells, columns, "status").lower())
                if status is None:
                    raise ValueError(
                        f"{_cell(cells, columns, 'status')!r} is not permanent, agency or vacant"
                    )
                fte = _fte(_cell(cells, columns, "fte"))
                if fte == 0:
                    raise ValueError("a post's FTE must be more than 0")
                filled = _fte(_cell(cells, columns, "filled_fte") or str(fte))
                budgeted = parse_money(_cell(cells, columns, "budgeted_cost"))
                cost = _filling_cost(cells, columns, status, filled, budgeted * filled / fte)
                parsed.append(
                    (
                        number,
                        reference,
                        service,
                        cells,
                        status,
                        fte,
                        filled,
                        budgeted,
                        cost,
                        parse_date(_cell(cells, columns, "as_at")),
                    )
                )
                seen[reference] = number
            except ValueError as exc:
                report.errors.append(RowError(number, str(exc)))
        if report.ok:
            _write_establishment(parsed, columns, report, user=user)
    except ImportFileError as exc:
        report.file_error = str(exc)
    record_import(
        kind="establishment",
        file_name=file_name,
        digest=digest,
        user=user,
        report=report,
        started=started,
    )
    return report


# The database's own lengths (workforce.models): a longer cell is a row error, not a crash.
LENGTHS = {"post": 30, "title": 100, "grade": 20, "team": 100}


def _refuse_long(cells, columns) -> None:
    for name, limit in LENGTHS.items():
        if len(_cell(cells, columns, name)) > limit:
            raise ValueError(f"the {name} is longer than {limit} characters")


def _refuse_unauthorised(parsed, user) -> list[RowError]:
    """Every post a file touches, as it is now and as the file makes it, must be in a service
    the uploader may load (budgets.access.may_load_service): a file never moves another
    service's post, nor one of another council's."""
    existing = {
        p.reference: p.team.service
        for p in Post.objects.filter(reference__in=[row[1] for row in parsed])
        .select_related("team__service__directorate")
        .select_for_update()
    }
    allowed, errors = {}, []
    for number, reference, service, *_ in parsed:
        for touched in (existing.get(reference), service):
            if touched is None:
                continue
            if touched.pk not in allowed:
                allowed[touched.pk] = may_load_service(user, touched)
            if not allowed[touched.pk]:
                errors.append(
                    RowError(
                        number,
                        f"post {reference} would change {touched.name}, which you may not "
                        "load (not assigned to you, or another council's)",
                        "post",
                    )
                )
                break
    return errors


def _filling_cost(cells, columns, status, filled, permanent_cost) -> Decimal:
    if status == "vacant":
        return Decimal("0")
    if _cell(cells, columns, "annual_cost"):
        return parse_money(_cell(cells, columns, "annual_cost"))
    day, hour = _cell(cells, columns, "day_rate"), _cell(cells, columns, "hourly_rate")
    cost = annual_from_rates(
        fte=filled,
        day_rate=parse_money(day) if day else None,
        hourly_rate=parse_money(hour) if hour else None,
    )
    if cost is None and status == "agency":
        raise ValueError("an agency filling needs an annual cost, a day rate or an hourly rate")
    return cost if cost is not None else permanent_cost


@transaction.atomic
def _write_establishment(parsed, columns, report, *, user=None) -> None:
    """The one write of posts and fillings; checks the uploader against every post first."""
    if user is not None and not has_role(user, Role.FINANCE_OFFICER, Role.ADMINISTRATOR):
        raise ImportFileError("Only a finance officer or an administrator loads posts.")
    refused = _refuse_unauthorised(parsed, user)
    if refused:
        report.errors = refused
        return
    for _, reference, service, cells, status, fte, filled, budgeted, cost, day in parsed:
        team, _ = Team.objects.get_or_create(service=service, name=_cell(cells, columns, "team"))
        social = _cell(cells, columns, "social_work").lower() not in {"n", "no", "false", "0"}
        values = {
            "team": team,
            "title": _cell(cells, columns, "title"),
            "grade": _cell(cells, columns, "grade"),
            "fte": fte,
            "budgeted_cost": budgeted,
            "social_work": social,
        }
        post, created = Post.objects.get_or_create(reference=reference, defaults=values)
        if not created and any(getattr(post, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(post, name, value)
            post.save()
        current = post.fillings.filter(start__lte=day).order_by("-start").first()
        same = current and (current.status, current.fte, current.annual_cost) == (
            status,
            filled,
            cost,
        )
        if same and (current.end is None or current.end > day):
            report.unchanged += 1
            continue
        if current and current.start == day:
            current.status, current.fte, current.annual_cost = status, filled, cost
            current.save()
            report.updated += 1
            continue
        if current and (current.end is None or current.end > day):
            current.end = day
            current.save(update_fields=["end"])
        Filling.objects.create(post=post, start=day, status=status, fte=filled, annual_cost=cost)
        report.created += 1


# --- The DfE Children's Social Work Workforce census (XML) -----------------------------------


# The census table's columns hold up to 999,999.99 (and whole numbers up to 2**31).
CENSUS_LIMITS = {Decimal: Decimal("1000000"), int: 2**31}
# The return's LA-level totals (module LALevelVacancies): field, XML element, type.
LA_LEVEL = [
    ("vacancies", "NumberOfVacancies", Decimal),
    ("agency_fte", "NoAgencyFTE", Decimal),
    ("agency_headcount", "NoAgencyHeadcount", int),
]


def _number(element, path, kind=Decimal, *, signed=False):
    """A census number from 0 up to the column's limit; `signed`: a negative one is read too
    (an LA-level count the importer warns about rather than refuses)."""
    node = element.find(path)
    if node is None or node.text is None or not node.text.strip():
        return None
    text = node.text.strip()
    low = -CENSUS_LIMITS[kind] if signed else 0
    try:
        value = kind(text)
        usable = (kind is int or value.is_finite()) and low <= value < CENSUS_LIMITS[kind]
    except (ValueError, ArithmeticError):
        usable = False
    if not usable:
        raise ImportFileError(
            f"{path} {shorten(text, 40)!r} is not a number from 0 to {CENSUS_LIMITS[kind] - 1:,}"
        )
    return value


def _census_council(root, user):
    """The council whose return this is, from the file's own LA code (the DfE header's
    Source/LEA): this deployment's council, or another council set up in the same database
    (a regional deployment), which the uploader must be allowed to load for. A file without
    the code is this deployment's. Any other LA code is refused, naming both."""
    council = Council.objects.current().first()
    if council is None:
        raise ImportFileError("Set up the council before loading its census return.")
    lea = (root.findtext("./Header/Source/LEA") or "").strip()
    if not lea or lea == council.la_code:
        return council
    other = Council.objects.filter(la_code=lea).first()
    if other is None:
        raise ImportFileError(
            f"The census return is for LA {shorten(lea, 20)}; this deployment serves "
            f"{council.name} (LA {council.la_code})."
        )
    if not may_load_for(user, other):
        raise ImportFileError(
            f"The census return is for {other.name} (LA {other.la_code}), which you may not "
            f"load for; this deployment serves {council.name} (LA {council.la_code})."
        )
    return other


def may_load_for(user, council) -> bool:
    """An operator at the command line, an administrator, or a finance officer of one of
    `council`'s services."""
    if user is None or has_role(user, Role.ADMINISTRATOR):
        return True
    return (
        has_role(user, Role.FINANCE_OFFICER)
        and Service.objects.filter(directorate__council=council, finance_officers=user).exists()
    )


def csww_import(data: bytes, *, file_name: str, user=None) -> ImportReport:
    """Store the census return's totals for its reference date. Worker records are counted and
    summed, never stored; their personal fields are not even read. XML with a DOCTYPE or entity
    declarations is refused before parsing (entity-expansion attacks)."""
    report = ImportReport()
    digest = sha256(data)
    started = import_started(kind="csww", file_name=file_name, digest=digest, user=user)
    try:
        if not may_load_council_data(user):
            raise ImportFileError(
                "Only an administrator or a finance officer of this council loads its census."
            )
        try:
            root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden):
            raise ImportFileError(
                "The XML declares a DTD or entities, which are not allowed."
            ) from None
        except Exception as exc:  # ParseError and friends
            raise ImportFileError(f"The file is not well-formed XML: {exc}") from None
        for element in root.iter():  # the DfE's schema may put everything in a namespace
            element.tag = element.tag.rsplit("}", 1)[-1]
        council = _census_council(root, user)
        reference = root.find("./Header/CollectionDetails/ReferenceDate")
        if reference is None or not (reference.text or "").strip():
            raise ImportFileError("Message/Header/CollectionDetails/ReferenceDate is missing.")
        try:
            day = parse_date(reference.text)
        except ValueError as exc:
            raise ImportFileError(f"ReferenceDate: {exc}") from None
        workers = root.findall(".//CSWWWorker")
        fte, agency, cases = Decimal("0"), 0, 0
        for number, worker in enumerate(workers, start=1):
            value = _number(worker, "FTE")
            fte += value or 0
            agency += (worker.findtext("AgencyWorker") or "").strip() in {"1", "true", "Y"}
            cases += _number(worker, "Cases30", int) or 0
            report.rows = number
        if fte >= CENSUS_LIMITS[Decimal] or cases >= CENSUS_LIMITS[int]:
            raise ImportFileError("The census totals are larger than any council's.")
        vacancies = root.find(".//LALevelVacancies")
        la_level = {
            name: _number(vacancies, tag, kind, signed=True) if vacancies is not None else None
            for name, tag, kind in LA_LEVEL
        }
        totals = {
            "workers": len(workers),
            "worker_fte": fte,
            "agency_workers": agency,
            "cases": cases,
            **la_level,
        }
        report.warnings = census_problems(totals, tags={n: t for n, t, _ in LA_LEVEL})
        # A negative count cannot be stored as a count: kept as not reported, and warned.
        totals |= {
            name: None for name, value in la_level.items() if value is not None and value < 0
        }
        _, created = CensusReturn.objects.update_or_create(
            council=council, reference_date=day, defaults=totals
        )
        report.created, report.updated = int(created), int(not created)
    except ImportFileError as exc:
        report.file_error = str(exc)
    record_import(
        kind="csww", file_name=file_name, digest=digest, user=user, report=report, started=started
    )
    return report


# --- DfE published indicators (csww_indicators_2017_to_2025.csv) ------------------------------

MISSING = {"", "c", "z", "x", "low", "u", ":"}


def _value(text: str):
    return None if text.strip().lower() in MISSING else Decimal(text.strip())


@transaction.atomic
def load_workforce_benchmarks(folder: Path) -> int:
    count = 0
    with open(folder / "csww_indicators_2017_to_2025.csv", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            level = row["geographic_level"]
            if level == "National":
                code, name = "E92000001", "England"
            elif level == "Regional":
                code, name = row["region_code"], row["region_name"]
            else:
                code, name = row["old_la_code"], row["la_name"]
            Indicator.objects.update_or_create(
                area_code=code,
                year=int(row["time_period"]),
                defaults={
                    "area_name": name,
                    "level": level,
                    "region_code": row["region_code"] or "",
                    "agency_rate": _value(row["agency_rate_fte"]),
                    "vacancy_rate": _value(row["vacancy_rate_fte"]),
                    "caseload": _value(row["caseload_fte"]),
                },
            )
            count += 1
    return count
