"""The DfE children's social work workforce census return (XML): its totals for the reference
date; worker records are counted and summed, never stored."""

from decimal import Decimal

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring

from budgets.access import Role, has_role, may_load_council_data
from budgets.importing import (
    ImportFileError,
    ImportReport,
    logged_import,
    parse_date,
    sha256,
    shorten,
)
from budgets.models import Council, Service
from workforce.metrics import census_problems
from workforce.models import CensusReturn

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
    with logged_import(kind="csww", file_name=file_name, digest=digest, user=user, report=report):
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
    return report


# --- DfE published indicators (csww_indicators_2017_to_2025.csv) ------------------------------
