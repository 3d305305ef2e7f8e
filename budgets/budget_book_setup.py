"""The budget book import: the council's directorates, services and budget lines (created or
updated), and a year's original and revised budgets and monthly profiles, all or nothing, every
change audited. The file is read by budgets/budget_book.py; the shared import shape is
budgets/setup_imports.setup_import."""

from django.db.models import Max
from django.db.models.functions import Upper
from django.utils.text import slugify

from budgets.audit_trail import audit
from budgets.budget_book import read_budget_book
from budgets.importing import ImportFileError, RowError
from budgets.models import (
    AreaOfSpend,
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
from budgets.setup_imports import SetupError, SetupReport, Source, parse_year, setup_import


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

    def read(file, council, report):
        book = read_budget_book(file, file_name=file_name, max_bytes=max_bytes)
        report.rows = book.count
        try:
            year = _budget_year(book, year_label)
        except SetupError as exc:
            raise ImportFileError(str(exc)) from None
        area_codes, new_areas = _resolve_areas(book)
        existing = _check_lines(book, council)
        report.errors = sorted(book.errors, key=lambda e: (e.row, e.column))
        return book, year, area_codes, new_areas, existing

    def write(prepared, council, report):
        book, year, area_codes, new_areas, existing = prepared
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

    return setup_import(
        source,
        kind="budgets",
        what="budget book",
        file_name=file_name,
        user=user,
        read=read,
        write=write,
    )


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
