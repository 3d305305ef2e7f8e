"""Build the budgets part of the demo council from the committee report's figures.

The figures live in `fixtures/lewisham_report.toml`, each traced to its section; this module only
turns them into rows. Every write is an update-or-create on the natural key, so loading twice
changes nothing.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from budgets.models import (
    Actual,
    Budget,
    BudgetLine,
    Council,
    Directorate,
    FinancialYear,
    Forecast,
    Period,
    Saving,
    Service,
    parse_year_label,
)

PENNY = Decimal("0.01")
MILLION = Decimal("1000000")


def spread(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split `amount` over `weights` in proportion, to the penny; the parts add up exactly
    (the rounding remainder goes to the last part)."""
    total = sum(weights, Decimal("0"))
    if not weights:
        return []
    if total == 0:
        weights, total = [Decimal("1")] * len(weights), Decimal(len(weights))
    parts = [(amount * w / total).quantize(PENNY, rounding=ROUND_HALF_UP) for w in weights[:-1]]
    return [*parts, amount - sum(parts, Decimal("0"))]


def monthly_actuals(outturns: list[Decimal], *, year_closed: bool) -> list[Decimal]:
    """Spend posted in each period, at one twelfth of the forecast outturn as it stood then.

    In a closed year the last period takes whatever makes the year's actuals equal the outturn,
    as the year-end ledger does."""
    actuals = [(o / 12).quantize(PENNY, rounding=ROUND_HALF_UP) for o in outturns]
    if year_closed and len(outturns) == 12:
        actuals[-1] = outturns[-1] - sum(actuals[:-1], Decimal("0"))
    return actuals


@transaction.atomic
def load_budget_demo(figures: dict, *, author) -> Council:
    spec = figures["council"]
    council, _ = Council.objects.update_or_create(
        la_code=spec["la_code"],
        defaults={
            "name": spec["name"],
            # The report went to committee every other month, and numbers its tables.
            "headline_periods_back": spec["headline_periods_back"],
            "committee_labels": spec["committee_labels"],
        },
    )
    years = _load_years(figures["years"])
    directorates = {
        d["code"]: Directorate.objects.update_or_create(
            council=council, code=d["code"], defaults={"name": d["name"]}
        )[0]
        for d in figures["directorates"]
    }
    services = {
        s["code"]: Service.objects.update_or_create(
            directorate=directorates[s["directorate"]], code=s["code"], defaults={"name": s["name"]}
        )[0]
        for s in figures["services"]
    }
    monitoring = figures["years"]["monitoring"]
    lines = []
    for code, service, area, s251, *budgets, name in figures["budget_lines"]["rows"]:
        line, _ = BudgetLine.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "service": services[service],
                "area_of_spend_id": area,
                "section_251_line": s251,
            },
        )
        for label, amount in zip(monitoring, budgets, strict=True):
            Budget.objects.update_or_create(
                line=line,
                year=years[label],
                defaults={"original": Decimal(amount), "revised": Decimal(amount)},
            )
        line.demo_budgets = dict(zip(monitoring, map(Decimal, budgets), strict=True))
        lines.append(line)

    for label in monitoring:
        _load_forecasts_and_actuals(figures, years[label], lines, author=author)
    _load_savings(figures["savings"]["rows"], years, services["CSC"])
    _close_periods(figures["years"]["closed_periods"], years)
    return council


def _load_years(spec: dict) -> dict[str, FinancialYear]:
    first = parse_year_label(spec["savings_from"])
    last = max(parse_year_label(label) for label in spec["monitoring"])
    years = {}
    for start in range(first, last + 1):
        year, _ = FinancialYear.objects.get_or_create(start_year=start)
        years[year.label] = year
    for label in spec["monitoring"]:
        for number in range(1, 13):
            Period.objects.get_or_create(year=years[label], number=number)
    return years


def _line_variances(figures: dict, label: str, lines: list[BudgetLine]) -> dict[str, list]:
    """Each line's variance at each forecast period, spread from the report's figures."""
    result: dict[str, list[Decimal]] = {line.code: [] for line in lines}
    for service_code, groups in figures["variances"][label].items():
        for area, path in groups.items():
            group = [
                line
                for line in lines
                if line.service.code == service_code and area in ("all", line.area_of_spend_id)
            ]
            weights = [line.demo_budgets[label] for line in group]
            for millions in path:
                for line, part in zip(
                    group, spread(Decimal(millions) * MILLION, weights), strict=True
                ):
                    result[line.code].append(part)
    return result


def _load_forecasts_and_actuals(figures, year: FinancialYear, lines, *, author) -> None:
    label = year.label
    count = figures["years"]["forecast_periods"][label]
    closed = figures["years"]["closed_periods"].get(label) == 12
    periods = {p.number: p for p in Period.objects.filter(year=year)}
    commentary = {
        (c["period"], c["service"]): c["text"] for c in figures["commentary"] if c["year"] == label
    }
    variances = _line_variances(figures, label, lines)
    for line in lines:
        budget = line.demo_budgets[label]
        path = variances[line.code] or [Decimal("0")] * count
        outturns = [budget + v for v in path[:count]]
        for number, (outturn, actual) in enumerate(
            zip(outturns, monthly_actuals(outturns, year_closed=closed), strict=True), start=1
        ):
            # The reporting dates' commentary sits on the service's largest line.
            text = ""
            if (number, line.service.code) in commentary and _is_largest(line, lines, label):
                text = commentary[(number, line.service.code)]
            Forecast.objects.update_or_create(
                line=line,
                period=periods[number],
                defaults={"outturn": outturn, "commentary": text, "author": author},
            )
            Actual.objects.update_or_create(
                line=line, period=periods[number], defaults={"amount": actual}
            )


def _is_largest(line, lines, label) -> bool:
    same = [other for other in lines if other.service_id == line.service_id]
    return max(same, key=lambda other: other.demo_budgets[label]).pk == line.pk


def _load_savings(rows, years, service) -> None:
    for label, target, description in rows:
        Saving.objects.update_or_create(
            reference=f"{service.code}-{label.replace('/', '-')}",
            defaults={
                "description": description,
                "service": service,
                "year": years[label],
                "target": Decimal(target),
                "forecast_delivery": Decimal(target),
                "rag": Saving.Rag.GREEN,
            },
        )


def _close_periods(closed: dict[str, int], years) -> None:
    for label, last_closed in closed.items():
        Period.objects.filter(year=years[label], number__lte=last_closed).update(
            status=Period.Status.CLOSED
        )
        Period.objects.filter(year=years[label], number__gt=last_closed).update(
            status=Period.Status.OPEN
        )
