"""Synthetic councils' structure and money: directorates, services, budget lines, budgets,
forecasts and actuals for every year asked for."""

import random
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import connection, transaction

from bench.synthetic.base import (
    AREAS,
    CARE_DIRECTORATE,
    CARE_SERVICE,
    DIRECTORATES,
    LINES_PER_SERVICE,
    SyntheticSpec,
    copy_rows,
    fetch_rows,
)
from bench.synthetic.care import PLACEMENTS, council_size, generate_placements, generate_staffing
from budgets.access import Role
from budgets.models import FinancialYear, Period
from budgets.progress import NO_PROGRESS


def ensure_years(spec: SyntheticSpec) -> dict[int, list[int]]:
    """Financial years and their twelve periods; returns start year → period ids (1..12)."""
    periods = {}
    for start in range(spec.last_year - spec.years + 1, spec.last_year + 1):
        year, _ = FinancialYear.objects.get_or_create(start_year=start)
        ids = []
        for number in range(1, 13):
            period, _ = Period.objects.get_or_create(year=year, number=number)
            ids.append(period.pk)
        periods[start] = ids
    return periods


@transaction.atomic
def generate(spec: SyntheticSpec, *, progress=NO_PROGRESS) -> dict[str, int]:
    """Councils with LA codes 001, 002, … (the DfE's codes start at 201, so synthetic councils
    never pass for real ones), their directorates, services, budget lines, budgets,
    monthly actuals and monthly forecasts for every year. Returns row counts by table."""
    rng = random.Random(spec.seed)  # noqa: S311 (reproducible test data, not secrets)
    periods = ensure_years(spec)
    counts = {}
    first_code = 1
    existing = {c for (c,) in fetch_rows("SELECT la_code FROM budgets_council")}
    codes = [
        f"{first_code + i:03d}"
        for i in range(spec.councils)
        if f"{first_code + i:03d}" not in existing
    ]
    counts["councils"] = copy_rows(
        "budgets_council",
        ["name", "la_code", "headline_periods_back", "committee_labels"],
        ((f"Synthetic council {code}", code, 1, "{}") for code in codes),
    )
    councils = fetch_rows(
        "SELECT id, la_code FROM budgets_council WHERE la_code = ANY(%s)", [codes]
    )
    copy_rows(
        "budgets_directorate",
        ["council_id", "code", "name"],
        ((cid, d, f"{d} directorate") for cid, _ in councils for d in DIRECTORATES),
    )
    directorates = fetch_rows(
        "SELECT d.id, d.code, c.la_code FROM budgets_directorate d "
        "JOIN budgets_council c ON c.id = d.council_id WHERE c.la_code = ANY(%s)",
        [codes],
    )
    copy_rows(
        "budgets_service",
        ["directorate_id", "code", "name"],
        ((did, s, f"{s} service") for did, d, _ in directorates for s in DIRECTORATES[d]),
    )
    services = fetch_rows(
        "SELECT s.id, s.code, c.la_code FROM budgets_service s "
        "JOIN budgets_directorate d ON d.id = s.directorate_id "
        "JOIN budgets_council c ON c.id = d.council_id WHERE c.la_code = ANY(%s)",
        [codes],
    )
    counts["budget_lines"] = copy_rows(
        "budgets_budgetline",
        ["code", "name", "service_id", "area_of_spend", "section_251_line"],
        (
            (f"{la}-{code}-{n:02d}", f"{code} cost centre {n}", sid, AREAS[n % len(AREAS)], "")
            for sid, code, la in services
            for n in range(LINES_PER_SERVICE)
        ),
    )
    lines = fetch_rows(
        "SELECT l.id FROM budgets_budgetline l JOIN budgets_service s ON s.id = l.service_id "
        "JOIN budgets_directorate d ON d.id = s.directorate_id "
        "JOIN budgets_council c ON c.id = d.council_id WHERE c.la_code = ANY(%s) ORDER BY l.id",
        [codes],
    )
    author = _synthetic_author()
    line_budgets = {lid: Decimal(rng.randrange(50_000, 3_000_000)) for (lid,) in lines}
    year_ids = dict(FinancialYear.objects.values_list("start_year", "pk"))

    counts["budgets"] = copy_rows(
        "budgets_budget",
        ["line_id", "year_id", "original", "revised"],
        (
            (lid, year_ids[start], amount, amount)
            for start in periods
            for lid, amount in line_budgets.items()
        ),
    )
    # Forecast drift: each line trends towards an outturn a few percent over or under budget.
    drift = {lid: Decimal(rng.randrange(-40, 120)) / 1000 for lid in line_budgets}

    def forecasts(step):
        for year, period_ids in enumerate(periods.values(), start=1):
            step.update(year)
            for lid, budget in line_budgets.items():
                for number, pid in enumerate(period_ids, start=1):
                    outturn = (budget * (1 + drift[lid] * number / 12)).quantize(Decimal("0.01"))
                    yield (lid, pid, outturn, "", author, 1)

    def actuals(step):
        for year, period_ids in enumerate(periods.values(), start=1):
            step.update(year)
            for lid, budget in line_budgets.items():
                monthly = (budget * (1 + drift[lid]) / 12).quantize(Decimal("0.01"))
                for pid in period_ids:
                    yield (lid, pid, monthly)

    with progress.step("Forecasts", total=len(periods), unit="years") as step:
        counts["forecasts"] = _copy_forecasts(forecasts(step))
    with progress.step("Actuals", total=len(periods), unit="years") as step:
        counts["actuals"] = copy_rows(
            "budgets_actual", ["line_id", "period_id", "amount"], actuals(step)
        )
    for table, count in generate_care(spec, codes, progress=progress).items():
        counts[table] = counts.get(table, 0) + count
    return counts


def generate_care(spec: SyntheticSpec, codes: list[str], *, progress=NO_PROGRESS) -> dict[str, int]:
    """Children in care, placement episodes and staffing histories for each council, charged to
    its children's social care lines (placements and staffing)."""
    rows = fetch_rows(
        "SELECT c.id, c.la_code, s.id, l.id, l.area_of_spend FROM budgets_council c"
        " JOIN budgets_directorate d ON d.council_id = c.id"
        " JOIN budgets_service s ON s.directorate_id = d.id AND s.code = %s"
        " JOIN budgets_budgetline l ON l.service_id = s.id"
        " WHERE c.la_code = ANY(%s) AND d.code = %s"
        " AND l.area_of_spend IN ('placements', 'staffing')"
        " ORDER BY c.la_code, l.code",
        [CARE_SERVICE, codes, CARE_DIRECTORATE],
    )
    councils: dict[str, dict] = {}
    for council_id, la_code, service_id, line_id, area in rows:
        found = councils.setdefault(
            la_code, {"id": council_id, "service": service_id, "placements": [], "staffing": []}
        )
        found[area].append(line_id)
    counts: dict[str, int] = {}
    category_lines = []
    step = progress.step("Children in care and staff", total=len(councils), unit="councils")
    with step as counted:
        for done, (la_code, council) in enumerate(councils.items(), start=1):
            counted.update(done)
            _generate_council_care(spec, la_code, council, counts, category_lines)
    copy_rows(
        "placements_categoryline", ["council_id", "category", "line_id"], iter(category_lines)
    )
    return counts


def _generate_council_care(spec, la_code, council, counts, category_lines) -> None:
    # Seeded per council, so a council's data does not depend on how many came before.
    rng = random.Random(f"{spec.seed}-{la_code}")  # noqa: S311 (test data, not secrets)
    lac, staff = council_size(la_code, rng)
    made = generate_placements(council["id"], lac, spec, rng)
    made |= generate_staffing(la_code, staff, council["service"], council["staffing"][0], spec, rng)
    for table, count in made.items():
        counts[table] = counts.get(table, 0) + count
    lines = council["placements"]
    category_lines += [
        (council["id"], category, lines[n % len(lines)])
        for n, (category, *_rest) in enumerate(PLACEMENTS)
    ]


def _copy_forecasts(rows) -> int:
    # updated_at is set by the database default for COPY (auto_now applies only to .save()).
    with connection.cursor() as cursor:
        sql = (
            "COPY budgets_forecast (line_id, period_id, outturn, commentary, author_id, version,"
            " updated_at) FROM STDIN"
        )
        count = 0
        with cursor.cursor.copy(sql) as copy:
            from django.utils import timezone

            now = timezone.now()
            for row in rows:
                copy.write_row((*row, now))
                count += 1
    return count


def _synthetic_author() -> int:
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(username="synthetic-finance")
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=Role.FINANCE_OFFICER))
    return user.pk
