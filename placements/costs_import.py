"""Placement costs: weekly costs per episode, or a rate card per cost category."""

from django.db import transaction

from budgets.importing import (
    ImportReport,
    RowError,
    column_indexes,
    file_digest,
    iter_rows,
    logged_import,
    parse_date,
    parse_money,
)
from budgets.progress import NO_PROGRESS
from placements.categories import CostCategory
from placements.import_common import (
    as_stream,
    cell,
    current_council,
    pseudonymise,
    refuse_outsider,
)
from placements.models import Episode, RateCard

COST_EPISODE = {"CHILD": [], "DECOM": [], "WEEKLY_COST": ["weekly cost", "cost per week"]}
COST_CARD = {
    "CATEGORY": [],
    "EFFECTIVE_FROM": ["from", "effective from"],
    "WEEKLY_COST": ["weekly cost", "cost per week"],
}


def costs_import(
    source, *, file_name: str, user=None, max_bytes=None, progress=NO_PROGRESS
) -> ImportReport:
    """Weekly costs per episode (CHILD, DECOM, WEEKLY_COST) or a rate card per category
    (CATEGORY, EFFECTIVE_FROM, WEEKLY_COST), told apart by their columns."""
    source = as_stream(source)
    digest, _ = file_digest(source)
    report = ImportReport()
    with logged_import(
        kind="placement costs", file_name=file_name, digest=digest, user=user, report=report
    ):
        council = current_council()
        refuse_outsider(user)
        header, rows = iter_rows(source, file_name=file_name, max_bytes=max_bytes)
        rows = progress.counted(rows, f"Reading {file_name}")
        names = {h.strip().upper().replace(" ", "_") for h in header}
        if "CATEGORY" in names:
            _rate_card(council, header, rows, report)
        else:
            _episode_costs(header, rows, report)
    return report


def _rate_card(council, header, rows, report) -> None:
    columns = column_indexes(header, COST_CARD, required=list(COST_CARD))
    labels = {c.value: c for c in CostCategory} | {c.label.lower(): c for c in CostCategory}
    cards = {}
    for number, cells in rows:
        report.rows += 1
        category = labels.get(cell(cells, columns, "CATEGORY").lower()) or labels.get(
            cell(cells, columns, "CATEGORY")
        )
        try:
            if category is None:
                raise ValueError(f"{cell(cells, columns, 'CATEGORY')!r} is not a cost category")
            day = parse_date(cell(cells, columns, "EFFECTIVE_FROM"))
            cost = parse_money(cell(cells, columns, "WEEKLY_COST"))
            if cost < 0:
                raise ValueError("a weekly cost cannot be negative")
            cards[(category, day)] = cost
        except ValueError as exc:
            report.errors.append(RowError(number, str(exc)))
    if report.ok:
        with transaction.atomic():
            for (category, day), cost in cards.items():
                card, created = RateCard.objects.get_or_create(
                    council=council,
                    category=category,
                    effective_from=day,
                    defaults={"weekly_cost": cost},
                )
                if created:
                    report.created += 1
                elif card.weekly_cost != cost:
                    card.weekly_cost = cost
                    card.save(update_fields=["weekly_cost"])
                    report.updated += 1
                else:
                    report.unchanged += 1


def _episode_costs(header, rows, report) -> None:
    columns = column_indexes(header, COST_EPISODE, required=list(COST_EPISODE))
    costs = {}
    for number, cells in rows:
        report.rows += 1
        try:
            start = parse_date(cell(cells, columns, "DECOM"))
            cost = parse_money(cell(cells, columns, "WEEKLY_COST"))
            if cost < 0:
                raise ValueError("a weekly cost cannot be negative")
            costs[(pseudonymise(cell(cells, columns, "CHILD")), start)] = (number, cost)
        except ValueError as exc:
            report.errors.append(RowError(number, str(exc)))
    found = {
        (e.child.reference, e.start): e
        for e in Episode.objects.current()
        .filter(child__reference__in={ref for ref, _ in costs})
        .select_related("child")
    }
    for key, (number, _) in costs.items():
        if key not in found:
            report.errors.append(RowError(number, "no episode for this child and start date"))
    if report.ok:
        with transaction.atomic():
            for key, (_, cost) in costs.items():
                episode = found[key]
                if episode.weekly_cost == cost:
                    report.unchanged += 1
                else:
                    episode.weekly_cost = cost
                    episode.save(update_fields=["weekly_cost"])
                    report.updated += 1
