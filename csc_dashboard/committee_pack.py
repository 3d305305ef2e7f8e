"""The committee pack: a council's choice of committee tables and charts (PackItem), the one write
path for that choice (pack_save), and the one builder (build_pack) that the Committee page, the
print view, the PDF, the Excel and Word exports and `export_committee_pack` all read.

A council that has not chosen gets the default pack: every table in TABLE_KEYS order, each
labelled from Council.committee_labels, with a chart where the table has one.
"""

import datetime
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from budgets import trends
from budgets.access import Role, has_role
from budgets.formatting import pounds_millions
from budgets.models import AuditEntry, Council, Forecast, Period, Service
from budgets.services import audit
from csc_dashboard import committee
from csc_dashboard.committee_charts import BUILDERS, ChartSpec, chart_for
from csc_dashboard.models import PackItem

Source = AuditEntry.Source
TITLE_MAX, LABEL_MAX = 200, 30
LARGEST = 3  # areas and movements named on the front page

# What each table is, in a few words, for the administrator choosing the pack.
DESCRIPTIONS = {
    "budget_by_area": "The service's budget and forecast overspend by area of spend",
    "directorate_summary": "Each service of the directorate: budget, forecast, variance, movement",
    "forecast_movement": "The forecast overspend at each month, with the officers' explanations",
    "savings_by_year": "The service's agreed savings by year",
    "savings_delivery": "This year's savings: target, forecast delivery, shortfall and RAG",
    "lac_counts": "Looked-after children at the end of August over six years",
    "placement_costs": "Placements by type: number, unit cost, annual cost, DfE comparisons",
    "staffing": "Staff in post, agency workers and vacancies",
    "caseloads": "Cases per social worker by team, against target",
    "benchmarks": "The council against its statistical neighbours and England",
}


@dataclass
class PackEntry:
    """One section of a council's pack, as chosen (or by default)."""

    key: str
    position: int
    title: str = ""  # blank: the table's own title
    label: str = ""
    show_table: bool = True
    show_chart: bool = False

    @property
    def has_chart(self) -> bool:
        return self.key in BUILDERS

    @property
    def description(self) -> str:
        return DESCRIPTIONS.get(self.key, self.key)

    @property
    def included(self) -> bool:
        return self.show_table or (self.show_chart and self.has_chart)


def default_entries(council: Council) -> list[PackEntry]:
    labels = council.committee_labels if isinstance(council.committee_labels, dict) else {}
    return [
        PackEntry(
            key=key,
            position=position,
            label=labels[key][:LABEL_MAX] if isinstance(labels.get(key), str) else "",
            show_chart=key in BUILDERS,
        )
        for position, key in enumerate(committee.TABLE_KEYS, start=1)
    ]


def pack_entries(council: Council) -> list[PackEntry]:
    """The council's chosen pack, every table key included once (a table added to the product
    after the council chose comes last, left out); else the default pack. One query."""
    items = {item.key: item for item in PackItem.objects.filter(council=council)}
    if not items:
        return default_entries(council)
    last = max(item.position for item in items.values())
    entries = []
    for key in committee.TABLE_KEYS:
        item = items.get(key)
        if item is None:
            last += 1
            entries.append(PackEntry(key, last, show_table=False))
        else:
            entries.append(
                PackEntry(
                    key, item.position, item.title, item.label, item.show_table, item.show_chart
                )
            )
    return sorted(entries, key=lambda e: (e.position, committee.TABLE_KEYS.index(e.key)))


def pack_version(council: Council) -> int:
    """The version a save must be based on: 0 while the council has the default pack."""
    versions = PackItem.objects.filter(council=council).values_list("version", flat=True)
    return max(versions, default=0)


class PackConflict(Exception):
    def __str__(self) -> str:
        return (
            "Someone else changed the committee pack while you were editing it. "
            "Nothing was saved: review their changes and make yours again."
        )


def _clean(entries: list[PackEntry]) -> list[PackEntry]:
    keys = [e.key for e in entries]
    if sorted(keys) != sorted(committee.TABLE_KEYS):
        raise ValidationError("The pack must list every committee table exactly once.")
    problems = []
    for e in entries:
        if not 1 <= e.position <= 999:
            problems.append(f"{e.key}: the position must be a whole number from 1 to 999.")
        if len(e.title) > TITLE_MAX:
            problems.append(f"{e.key}: the title is longer than {TITLE_MAX} characters.")
        if len(e.label) > LABEL_MAX:
            problems.append(f"{e.key}: the label is longer than {LABEL_MAX} characters.")
    if problems:
        raise ValidationError(problems)
    # Renumbered 1, 2, 3… in the order asked for (ties keep the product's order).
    ordered = sorted(entries, key=lambda e: (e.position, committee.TABLE_KEYS.index(e.key)))
    return [
        replace(e, position=i, title=e.title.strip(), label=e.label.strip())
        for i, e in enumerate(ordered, start=1)
    ]


FIELDS = ("position", "title", "label", "show_table", "show_chart")


@transaction.atomic
def pack_save(
    *, user, council: Council, entries: list[PackEntry], based_on_version: int, source=Source.PAGE
) -> int:
    """Save a council's pack as a whole: administrators of the council this deployment serves
    only; refused (PackConflict) when the pack changed since `based_on_version`; every changed
    field audited. Returns the new version."""
    if not has_role(user, Role.ADMINISTRATOR) or Council.objects.current().first() != council:
        raise PermissionDenied("Only the council's administrators choose its committee pack.")
    entries = _clean(entries)
    # The council's row is the pack's lock: two saves of one pack run one after the other.
    Council.objects.select_for_update().get(pk=council.pk)
    current = pack_version(council)
    if based_on_version != current:
        raise PackConflict()
    version = current + 1
    existing = {item.key: item for item in PackItem.objects.filter(council=council)}
    for entry in entries:
        item = existing.get(entry.key)
        created = item is None
        if created:
            item = PackItem(council=council, key=entry.key)
        changes = [
            (name, getattr(item, name) if not created else "", getattr(entry, name))
            for name in FIELDS
            if created or getattr(item, name) != getattr(entry, name)
        ]
        for name, _, new in changes:
            setattr(item, name, new)
        item.version = version
        item.save()
        for name, old, new in changes:
            audit(
                user=user,
                source=source,
                action="pack_item_add" if created else "pack_item_change",
                obj=item,
                field=name,
                old=old,
                new=new,
            )
    return version


# The pack itself, built from live data.


@dataclass
class Section:
    key: str
    label: str
    title: str
    table: committee.CommitteeTable
    chart: ChartSpec | None
    show_table: bool

    @property
    def heading(self) -> str:
        return f"{self.label} {self.title}" if self.label else self.title


@dataclass
class FrontPage:
    council: str
    service: str
    period: str
    committee_date: datetime.date | None
    headlines: list[str] = field(default_factory=list)
    commentary: list[tuple[str, str]] = field(default_factory=list)  # (line, explanation)


@dataclass
class Pack:
    front: FrontPage
    sections: list[Section]
    produced: datetime.datetime
    period: Period
    service: Service

    @property
    def charts(self) -> list[Section]:
        return [s for s in self.sections if s.chart is not None]

    @property
    def tables(self) -> list[committee.CommitteeTable]:
        return [s.table for s in self.sections]


def period_label(period: Period) -> str:
    return f"{period.year.label} period {period.number} ({period.month_name})"


def build_pack(
    *,
    council: Council,
    period: Period,
    services,
    service: Service,
    produced: datetime.datetime,
    committee_date: datetime.date | None = None,
) -> Pack:
    """The pack for `service` at `period`, as the council chose it. `services` are those the
    reader may see (the directorate summary covers only those)."""
    tables = {
        t.key: t
        for t in committee.committee_pack(period, services, service=service, council=council)
    }
    sections = []
    for entry in pack_entries(council):
        table = tables.get(entry.key)
        if table is None or not entry.included:
            continue  # the council has no such data, or chose to leave it out
        table.label = entry.label
        if entry.title:
            table.title = entry.title
        chart = chart_for(table) if entry.show_chart else None
        if chart is not None and chart.is_empty:
            chart = None
        if chart is None and not entry.show_table:
            continue
        sections.append(
            Section(entry.key, entry.label, table.title, table, chart, entry.show_table)
        )
    front = front_page(council, period, service, tables, committee_date=committee_date)
    return Pack(front, sections, produced, period, service)


def front_page(
    council: Council, period: Period, service: Service, tables: dict, *, committee_date=None
) -> FrontPage:
    """The pack's first page in words, from the pack's own tables (so it agrees with them to
    the digit): the service's overspend and its movement since the last report (the directorate
    summary), its largest areas (budget by area), and why it moved (the officers' commentary
    on the lines that moved most). Two queries."""
    since = trends.headline_period(period, back=council.headline_periods_back)
    row = next(
        (r for r in tables["directorate_summary"].rows if r["service"] == service.name), None
    )
    areas = [r for r in tables["budget_by_area"].rows if r["variance"] > 0]
    areas.sort(key=lambda r: r["variance"], reverse=True)
    if row is None:
        sentences = [f"{service.name} has no budget in {period.year.label}."]
    else:
        movement = row["movement"]
        headline = trends.Headline(
            name=service.name,
            variance=row["variance"],
            change=movement if since is not None else None,
            since=since if movement is not None else None,
            periods_back=council.headline_periods_back,
            main_area=areas[0]["area"] if areas else "",
            main_area_variance=areas[0]["variance"] if areas else Decimal("0"),
        )
        sentences = [headline.sentence]
    if areas:
        sentences.append(
            "The largest overspends are "
            + ", ".join(
                f"{a['area'].lower()} ({pounds_millions(a['variance'])})" for a in areas[:LARGEST]
            )
            + "."
        )
    return FrontPage(
        council=council.name,
        service=service.name,
        period=period_label(period),
        committee_date=committee_date,
        headlines=sentences,
        commentary=largest_movements(period, since, service),
    )


def largest_movements(period: Period, since: Period | None, service: Service):
    """The lines whose forecast moved most since `since` and carry commentary at `period`:
    (the line and its movement, the officer's explanation). One query."""
    periods = [period] if since is None else [period, since]
    forecasts = list(
        Forecast.objects.filter(line__service=service, period__in=periods).select_related("line")
    )
    before = {f.line_id: f.outturn for f in forecasts if f.period_id != period.pk}
    moved = []
    for forecast in forecasts:
        if forecast.period_id != period.pk or not forecast.commentary:
            continue
        previous = before.get(forecast.line_id)
        change = forecast.outturn - previous if previous is not None else None
        moved.append((abs(change) if change is not None else Decimal("0"), forecast, change))
    moved.sort(key=lambda m: (m[0], m[1].line.code), reverse=True)
    result = []
    for _, forecast, change in moved[:LARGEST]:
        what = f"{forecast.line.name} ({forecast.line.code})"
        if change:
            direction = "up" if change > 0 else "down"
            what += f", {direction} {pounds_millions(abs(change))}"
        result.append((what, forecast.commentary))
    return result
