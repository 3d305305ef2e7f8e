"""The tables a budget report to committee carries, built from live data for any council and
any of its services: each a CommitteeTable of typed cells, which the Committee page renders with
django-tables2 and the exports write to XLSX and CSV.

Each table has a stable key (TABLE_KEYS) and a title that says what it shows; the council's pack
(committee_pack) chooses their order, titles and labels. The placements, staffing and caseload
tables are in the pack when the council has that data, whatever the service.

Cell kinds: "text"; "millions" (Decimal pounds, shown as £m to one decimal with underspends in
brackets); "pounds"; "count"; "percent"; "number".
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from budgets import calendar, trends
from budgets import metrics as budget_metrics
from budgets.benchmark_metrics import FinanceBenchmarks, finance_benchmarks
from budgets.models import Council, Forecast, Period, Saving, Service
from budgets.reference import neighbours_of
from placements import selectors as placement_selectors
from workforce import metrics as workforce_metrics
from workforce import selectors as workforce_selectors

ZERO = Decimal("0")


@dataclass
class CommitteeTable:
    key: str
    title: str
    columns: list[tuple[str, str, str]]  # (key, header, kind)
    rows: list[dict] = field(default_factory=list)
    total: dict | None = None
    note: str = ""
    label: str = ""  # the council's own label for the table, e.g. its report's section number

    @property
    def heading(self) -> str:
        """The title, after the council's label when it has one."""
        return f"{self.label} {self.title}" if self.label else self.title

    @property
    def sheet_name(self) -> str:
        """A spreadsheet tab name (at most 31 characters, no slashes): label, then key."""
        name = f"{self.label} {self.key}" if self.label else self.key
        return name[:31].replace("/", "-")


def period_end(period: Period) -> datetime.date:
    return calendar.period_end(period.year.start_year, period.number)


def budget_by_area(period: Period, service: Service) -> CommitteeTable:
    areas = budget_metrics.area_positions(period, service)
    total = budget_metrics.total(areas)
    return CommitteeTable(
        "budget_by_area",
        f"{service.name}: budget and forecast by area of spend",
        [
            ("area", "Area of spend", "text"),
            ("budget", "£m", "millions"),
            ("variance", f"Forecast overspend {period.year.label}", "millions"),
        ],
        [{"area": a.name, "budget": a.budget, "variance": a.variance} for a in areas],
        {"area": "Total", "budget": total.budget, "variance": total.variance},
    )


def directorate_summary(
    period: Period, services, directorate_code: str, *, back: int = 1
) -> CommitteeTable:
    """Each service of the directorate, with its forecast's movement over `back` periods (the
    council's headline_periods_back)."""
    now = budget_metrics.directorate_positions(period, services)
    before_period = trends.headline_period(period, back=back)
    before = budget_metrics.directorate_positions(before_period, services) if before_period else []
    previous = {s.key: s.forecast for d in before for s in d.children}
    rows = []
    for directorate in now:
        if directorate.key != directorate_code:
            continue
        for s in directorate.children:
            rows.append(
                {
                    "service": s.name,
                    "budget": s.budget,
                    "forecast": s.forecast,
                    "variance": s.variance,
                    "movement": s.forecast - previous[s.key] if s.key in previous else None,
                }
            )
    total = {
        "service": "Total",
        **{
            k: sum((r[k] or ZERO for r in rows), ZERO)
            for k in ("budget", "forecast", "variance", "movement")
        },
    }
    since = before_period.month_name if before_period else "the start of the year"
    return CommitteeTable(
        "directorate_summary",
        "Budget, forecast outturn and variance by service",
        [
            ("service", "Service", "text"),
            ("budget", "Budget £m", "millions"),
            ("forecast", "Forecast outturn £m", "millions"),
            ("variance", "Variance £m", "millions"),
            ("movement", f"Movement since {since} £m", "millions"),
        ],
        rows,
        total,
    )


def forecast_movement(period: Period, service: Service) -> CommitteeTable:
    """The year-end overspend as forecast at each period, with the reasons given
    in the forecasts' commentary."""
    path = trends.forecast_path(period, [service])
    notes = {}
    for forecast in (
        Forecast.objects.filter(
            line__service=service, period__year_id=period.year_id, period__number__lte=period.number
        )
        .exclude(commentary="")
        .select_related("period", "line")
        .order_by("line__code")
    ):
        notes.setdefault(forecast.period.number, []).append(forecast.commentary)
    return CommitteeTable(
        "forecast_movement",
        f"{service.name}: forecast overspend at each month and why",
        [
            ("month", "Month", "text"),
            ("variance", "Forecast overspend £m", "millions"),
            ("movement", "Change £m", "millions"),
            ("reasons", "Explanation", "text"),
        ],
        [
            {
                "month": point.month.strftime("%B %Y"),
                "variance": point.variance,
                "movement": point.variance - path[i - 1].variance if i else None,
                "reasons": " ".join(notes.get(point.number, [])),
            }
            for i, point in enumerate(path)
        ],
    )


def savings_by_year(service: Service) -> CommitteeTable:
    totals: dict[str, Decimal] = {}
    for saving in Saving.objects.filter(service=service).select_related("year"):
        totals[saving.year.label] = totals.get(saving.year.label, ZERO) + saving.target
    rows = [{"year": label, "target": amount} for label, amount in sorted(totals.items())]
    return CommitteeTable(
        "savings_by_year",
        f"{service.name}: savings by year",
        [("year", "Year", "text"), ("target", "£m", "millions")],
        rows,
        {"year": "Total", "target": sum(totals.values(), ZERO)},
    )


def savings_delivery(period: Period, service: Service) -> CommitteeTable:
    savings = list(Saving.objects.filter(service=service, year_id=period.year_id))
    totals = budget_metrics.savings_totals(savings)
    return CommitteeTable(
        "savings_delivery",
        f"{service.name}: savings delivery {period.year.label}",
        [
            ("reference", "Reference", "text"),
            ("description", "Saving", "text"),
            ("target", "Target £m", "millions"),
            ("delivery", "Forecast delivery £m", "millions"),
            ("shortfall", "Shortfall £m", "millions"),
            ("rag", "RAG", "text"),
        ],
        [
            {
                "reference": s.reference,
                "description": s.description,
                "target": s.target,
                "delivery": s.forecast_delivery,
                "shortfall": s.shortfall,
                "rag": s.get_rag_display(),
            }
            for s in savings
        ],
        {
            "reference": "Total",
            "description": "",
            "target": totals.target,
            "delivery": totals.delivery,
            "shortfall": totals.shortfall,
            "rag": "",
        },
    )


def lac_counts(period: Period) -> CommitteeTable:
    last = period.year.start_year
    rows = [
        {
            "date": f"August {year}",
            "children": placement_selectors.lac_on(datetime.date(year, 8, 31)),
        }
        for year in range(last, last - 6, -1)
    ]
    return CommitteeTable(
        "lac_counts",
        "Looked-after children at the end of August, six years",
        [("date", "Date", "text"), ("children", "Children", "count")],
        rows,
    )


def placement_costs(day: datetime.date, finance: FinanceBenchmarks | None = None) -> CommitteeTable:
    """The council's placements by category on `day`, then the DfE's Section 251 weekly unit
    costs and looked-after spend per child of the council beside its statistical neighbours'
    average and median and England's, for the financial year the benchmark rule gives."""
    rows = [
        {
            "category": c.label,
            "share": c.share,
            "children": c.children,
            "unit": c.unit_cost,
            "annual": c.annual_cost,
        }
        for c in placement_selectors.placement_costs(day)
        if c.children
    ]
    total = {
        "category": "Total",
        "share": sum((r["share"] for r in rows), ZERO),
        "children": sum(r["children"] for r in rows),
        "unit": None,
        "annual": sum((r["annual"] for r in rows), ZERO),
    }
    # The total closes the council's own rows; the DfE's comparisons follow it.
    rows.append(total)
    note = ""
    if finance is not None:
        year = finance.year.label
        for c in finance.rows:
            rows.append(
                {
                    "category": f"{c.label}, {'a week' if c in finance.unit_costs else '£ a year'}"
                    f" (DfE {year})"
                    if year
                    else f"{c.label} (DfE)",
                    "unit": c.council,
                    "neighbours_average": c.neighbours_average,
                    "neighbours_median": c.neighbours_median,
                    "england": c.england,
                }
            )
        note = (
            f"DfE rows: Section 251 outturn. {finance.year.note} Spend per child is gross "
            "looked-after spend over the children looked after on the 31 March ending the year."
        )
    return CommitteeTable(
        "placement_costs",
        f"Looked-after children by placement type: number, unit cost and annual cost "
        f"as at {day:%-d %B %Y}",
        [
            ("category", "Placement", "text"),
            ("share", "% of children", "percent"),
            ("children", "Number", "count"),
            ("unit", "Average weekly cost £", "pounds"),
            ("neighbours_average", "Statistical neighbours' average £", "pounds"),
            ("neighbours_median", "Statistical neighbours' median £", "pounds"),
            ("england", "England £", "pounds"),
            ("annual", "Aggregate annual cost £m", "millions"),
        ],
        rows,
        note=note,
    )


def staffing(day: datetime.date) -> CommitteeTable:
    fte = workforce_selectors.fte_by_status(day)
    rows = [
        {"measure": "FTE staff in post", "value": workforce_metrics.staff_in_post(fte)},
        {"measure": "of whom agency FTE", "value": fte["agency"]},
        {
            "measure": "Agency workers, % of staff in post",
            "value": workforce_metrics.agency_ratio(fte),
        },
        {"measure": "Vacant FTE", "value": fte["vacant"]},
    ]
    return CommitteeTable(
        "staffing",
        f"Staff in post, agency workers and vacancies as at {day:%-d %B %Y}",
        [("measure", "Measure", "text"), ("value", "Value", "number")],
        rows,
    )


def caseloads(day: datetime.date) -> CommitteeTable:
    """Every team with a caseload target or a caseload record for the month (workforce
    metrics decide which: the rows come from the data)."""
    rows = [
        {"team": r["team"], "target": r["target"], "actual": r["actual"]}
        for r in workforce_selectors.caseloads(day.replace(day=1))
    ]
    return CommitteeTable(
        "caseloads",
        "Average number of cases per social worker by team",
        [("team", "Team", "text"), ("target", "Target", "number"), ("actual", "Actual", "number")],
        rows,
        note="A blank means no figure was reported.",
    )


def benchmarks(la_code: str, lac: dict, staff: dict) -> CommitteeTable:
    """The LAC rate and workforce indicators of the years the benchmark rule gives for the
    period's end (lac["rule"], staff["rule"]), never a later year's."""
    by_key = {row["key"]: row for row in staff["rows"]}
    england = by_key.get("england", {})
    sn = by_key.get("neighbours", {})
    council = by_key.get("council", {})
    rows = [
        {
            "measure": f"Looked after children per 10,000 (31 March {lac['year']})",
            "council": lac["council"],
            "neighbours": lac["neighbours"],
            "england": lac["england"],
        },
    ] + [
        {
            "measure": f"{label} ({staff['year']} census)",
            "council": council.get(key),
            "neighbours": sn.get(key),
            "england": england.get(key),
        }
        for label, key in [
            ("Agency rate %", "agency_rate"),
            ("Vacancy rate %", "vacancy_rate"),
            ("Caseload per social worker", "caseload"),
        ]
    ]
    return CommitteeTable(
        "benchmarks",
        "The council against its statistical neighbours and England",
        [
            ("measure", "Measure", "text"),
            ("council", "This council", "number"),
            ("neighbours", "Statistical neighbours", "number"),
            ("england", "England", "number"),
        ],
        rows,
        note=" ".join(
            ["Source: Department for Education statistics.", lac["rule"].note, staff["rule"].note]
        ),
    )


# Every table's stable key, in the default pack's order: the keys of Council.committee_labels.
TABLE_KEYS = (
    "budget_by_area",
    "directorate_summary",
    "forecast_movement",
    "savings_by_year",
    "savings_delivery",
    "lac_counts",
    "placement_costs",
    "staffing",
    "caseloads",
    "benchmarks",
)


def committee_pack(
    period: Period, services, *, service: Service, council: Council
) -> list[CommitteeTable]:
    """The tables for `service` (its directorate's summary over `services`, those the reader
    may see), then the council's placements, staffing and benchmark tables where it has the
    data. Their order, titles and labels are the pack's (committee_pack.build_pack)."""
    day = period_end(period)
    tables = [
        budget_by_area(period, service),
        directorate_summary(
            period, services, service.directorate.code, back=council.headline_periods_back
        ),
        forecast_movement(period, service),
        savings_by_year(service),
        savings_delivery(period, service),
    ]
    if placement_selectors.has_episodes():
        finance = finance_benchmarks(council.la_code, day)
        tables += [lac_counts(period), placement_costs(day, finance)]
    if workforce_selectors.has_fillings():
        tables.append(staffing(day))
    caseload_table = caseloads(day)
    if caseload_table.rows:
        tables.append(caseload_table)
    neighbours = [a.la_code for a in neighbours_of(council.la_code)]
    lac = placement_selectors.lac_rate_benchmark(council.la_code, neighbours, day)
    staff = workforce_selectors.benchmarks(council.la_code, neighbours, day)
    if lac["year"] is not None or staff["year"] is not None:
        tables.append(benchmarks(council.la_code, lac, staff))
    return tables
