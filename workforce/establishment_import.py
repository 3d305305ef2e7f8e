"""Establishment extracts: posts and how each is filled at a date, imported all or nothing;
no worker's personal details are ever read into the database."""

import io
from decimal import Decimal, InvalidOperation

from django.db import transaction

from budgets.access import Role, has_role, may_load_service
from budgets.importing import (
    ImportFileError,
    ImportReport,
    RowError,
    column_indexes,
    file_digest,
    iter_rows,
    logged_import,
    parse_date,
    parse_money,
)
from budgets.models import Council, Service
from budgets.progress import NO_PROGRESS
from workforce.metrics import annual_from_rates
from workforce.models import Filling, Post, Team

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


def establishment_import(
    source, *, file_name: str, user=None, progress=NO_PROGRESS
) -> ImportReport:
    """Posts and how each is filled at a date. A post whose filling changed gets a new filling
    from that date (the previous one ends then); the same file twice changes nothing."""
    source = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    digest, _ = file_digest(source)
    report = ImportReport()
    with logged_import(
        kind="establishment", file_name=file_name, digest=digest, user=user, report=report
    ):
        header, rows = iter_rows(source, file_name=file_name)
        rows = progress.counted(rows, f"Reading {file_name}")
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
