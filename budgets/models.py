"""The financial core: years, periods, the council's structure, budgets, actuals, forecasts,
savings. Invariants live in the database as unique and check constraints.

Money is numeric(14,2) pounds, held as Decimal.
"""

import datetime
import re
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from budgets.calendar import month_end, month_of  # noqa: F401  (month_of: re-exported)

MONEY = {"max_digits": 14, "decimal_places": 2}


class FinancialYear(models.Model):
    """A council financial year, 1 April to 31 March, labelled like `2024/25`."""

    start_year = models.PositiveSmallIntegerField(unique=True)

    class Meta:
        ordering = ["start_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_year__gte=2000, start_year__lte=2099),
                name="financial_year_start_in_range",
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return label_for(self.start_year)

    @property
    def starts_on(self) -> datetime.date:
        return datetime.date(self.start_year, 4, 1)

    @property
    def ends_on(self) -> datetime.date:
        return datetime.date(self.start_year + 1, 3, 31)

    @property
    def is_closed(self) -> bool:
        """Its last period (March) is closed: the year's budgets are final (the database
        enforces it, migration 0008)."""
        return self.periods.filter(number=12, status=Period.Status.CLOSED).exists()


def label_for(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


_LABEL = re.compile(r"^(\d{4})/(\d{2})$")


def parse_year_label(label: str) -> int:
    """`2024/25` → 2024. Raises ValueError on anything else, including `2024/26`."""
    match = _LABEL.match(label.strip())
    if not match:
        raise ValueError(f"{label!r} is not a financial year like 2024/25")
    start = int(match.group(1))
    if (start + 1) % 100 != int(match.group(2)):
        raise ValueError(f"{label!r} is not a financial year: the years must be consecutive")
    return start


class Period(models.Model):
    """A month of a financial year: period 1 is April, period 12 is March."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="periods")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["year__start_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="period_unique_in_year"),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=12), name="period_number_1_to_12"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "closed"]), name="period_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year.label} P{self.number} ({self.month_name})"

    @property
    def month_starts_on(self) -> datetime.date:
        return month_of(self.year.start_year, self.number)

    @property
    def month_ends_on(self) -> datetime.date:
        """The last day of the period's month (the date a topic page shows for the period)."""
        return month_end(self.month_starts_on)

    @property
    def month_name(self) -> str:
        return self.month_starts_on.strftime("%B %Y")

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class CouncilQuerySet(models.QuerySet):
    def current(self):
        """The council this deployment serves, as a one-row queryset usable in a subquery:
        the one whose LA code is settings.CSC_COUNCIL_LA_CODE, or else the first created.
        A national benchmarking database holds many councils; the pages show one."""
        code = settings.CSC_COUNCIL_LA_CODE
        councils = self.filter(la_code=code) if code else self.order_by("pk")
        return councils[:1]


class CouncilOwnedQuerySet(models.QuerySet):
    """For tables whose rows belong to a council through a `council` foreign key (scenarios,
    rate cards, benchmarks, census returns): `current()` keeps the rows of the council this
    deployment serves, so a national database shows each council only its own."""

    def current(self):
        return self.filter(council__in=Council.objects.current().values("pk"))


class Council(models.Model):
    """The council whose budget this is; `la_code` is the DfE's old three-digit LA code."""

    name = models.CharField(max_length=100, unique=True)
    la_code = models.CharField(max_length=3, unique=True, help_text="DfE old LA code, e.g. 210")
    headline_periods_back = models.PositiveSmallIntegerField(
        default=1,
        help_text="The overview's headlines compare with the forecast this many periods before "
        "(1: last month; 2 for a committee that meets every other month).",
    )
    committee_labels = models.JSONField(
        default=dict,
        blank=True,
        help_text="Optional section labels for the committee tables, by table key "
        '(e.g. {"budget_by_area": "9"}), shown before each table\'s title.',
    )

    objects = CouncilQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(la_code__regex=r"^\d{3}$"), name="la_code_3_digits"),
            models.CheckConstraint(
                condition=Q(headline_periods_back__gte=1, headline_periods_back__lte=11),
                name="council_headline_periods_1_to_11",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Directorate(models.Model):
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="directorates")
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=100)
    directors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="directed_directorates",
        help_text="Directors who sign off this directorate's services.",
    )

    class Meta:
        ordering = ["council__name", "code"]
        constraints = [
            models.UniqueConstraint(fields=["council", "code"], name="directorate_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Service(models.Model):
    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="services")
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=100)
    finance_officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="assigned_services",
        help_text="Finance officers who may load and forecast this service's budget lines.",
    )

    class Meta:
        ordering = ["directorate__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["directorate", "code"], name="service_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class AreaOfSpend(models.Model):
    """A heading a budget line's spend is reported under (Staffing, Children's placements, ...).

    Every deployment has the six of a children's services budget (DEFAULT_AREAS, created by
    migration); a budget book may add a council's own, such as "Contracts" for a waste service.
    `position` orders them in tables and charts; `code` is a short slug of the name.
    """

    code = models.SlugField(max_length=40, unique=True, allow_unicode=False)
    name = models.CharField(max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "areas of spend"

    def __str__(self) -> str:
        return self.name


def areas_by_code() -> dict[str, "AreaOfSpend"]:
    """Every area of spend by code, in one query, for labelling and ordering rows."""
    return {area.code: area for area in AreaOfSpend.objects.all()}


def area_sort_key(areas: dict[str, "AreaOfSpend"], code: str) -> tuple:
    """Order by the area's position, then its name; an unknown code sorts last."""
    area = areas.get(code)
    return (area.position, area.name) if area else (10_000, code)


# The six areas every deployment starts with: (code, name), in their reporting order.
DEFAULT_AREAS = (
    ("staffing", "Staffing"),
    ("placements", "Children's placements"),
    ("specialist_support", "Specialist support"),
    ("other_support", "Other support"),
    ("other_costs", "Other costs"),
    ("income", "Income"),
)
INCOME_AREA = "income"


class BudgetLine(models.Model):
    """One cost centre of a service. `code` is the ledger's cost-centre code."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=150)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="lines")
    area_of_spend = models.ForeignKey(
        AreaOfSpend,
        on_delete=models.PROTECT,
        to_field="code",
        db_column="area_of_spend",
        related_name="lines",
    )
    section_251_line = models.CharField(
        max_length=10, blank=True, help_text="Section 251 outturn line, e.g. 3.1.2, where known."
    )

    class Meta:
        ordering = ["service", "area_of_spend", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(section_251_line="") | Q(section_251_line__regex=r"^\d+(\.\d+)*$"),
                name="line_s251_format",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Budget(models.Model):
    """The original budget set in February, and the revised budget after virements."""

    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="budgets")
    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="budgets")
    original = models.DecimalField(**MONEY)
    revised = models.DecimalField(**MONEY)
    profile = ArrayField(
        models.DecimalField(**MONEY),
        size=12,
        null=True,
        blank=True,
        help_text="The budget book's monthly phasing, P1 (April) to P12 (March), where given.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["line", "year"], name="budget_unique_per_line_year"),
            models.CheckConstraint(
                condition=Q(profile__isnull=True) | Q(profile__len=12),
                name="budget_profile_12_months",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line.code} {self.year}: £{self.revised:,}"


class Actual(models.Model):
    """Ledger spend posted to a line in one period (that month's spend, not cumulative)."""

    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="actuals")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="actuals")
    amount = models.DecimalField(**MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["line", "period"], name="actual_unique_per_line_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line.code} {self.period}: £{self.amount:,}"


class LedgerEntry(models.Model):
    """The ledger's account-level detail behind an Actual: one account of a cost centre in a
    period, as the finance system exported it (rows for the same account summed)."""

    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="ledger_entries")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="ledger_entries")
    account = models.CharField(max_length=40)
    description = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["line", "period", "account"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.UniqueConstraint(
                fields=["line", "period", "account"], name="ledger_entry_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line.code} {self.account} {self.period}: £{self.amount:,}"


class Forecast(models.Model):
    """The finance officer's full-year forecast outturn for a line, as it stood at a period.

    `version` counts saves, so that a save based on an older version can be refused instead of
    silently overwriting a colleague's figure.
    """

    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="forecasts")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="forecasts")
    outturn = models.DecimalField(**MONEY)
    commentary = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="forecasts"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["line", "period"], name="forecast_unique_per_line_period"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="forecast_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.line.code} {self.period}: £{self.outturn:,}"


class Saving(models.Model):
    """An agreed budget reduction for a service in a year, and how much of it will be delivered."""

    class Rag(models.TextChoices):
        RED = "red", "Red"
        AMBER = "amber", "Amber"
        GREEN = "green", "Green"

    reference = models.CharField(max_length=30, unique=True)
    description = models.CharField(max_length=300)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="savings")
    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="savings")
    target = models.DecimalField(**MONEY)
    forecast_delivery = models.DecimalField(**MONEY)
    rag = models.CharField("RAG", max_length=5, choices=Rag.choices)

    class Meta:
        ordering = ["year__start_year", "reference"]
        constraints = [
            models.CheckConstraint(condition=Q(target__gte=0), name="saving_target_not_negative"),
            models.CheckConstraint(
                condition=Q(forecast_delivery__gte=0), name="saving_delivery_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(rag__in=["red", "amber", "green"]), name="saving_rag_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.description}"

    @property
    def shortfall(self) -> Decimal:
        return max(self.target - self.forecast_delivery, Decimal("0"))


class LocalAuthority(models.Model):
    """An English local authority as the DfE publishes it: reference data for benchmarking."""

    la_code = models.CharField("old LA code", max_length=3, unique=True)
    name = models.CharField(max_length=100)
    region_name = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"
        constraints = [
            models.CheckConstraint(
                condition=Q(la_code__regex=r"^\d{3}$"), name="local_authority_code_3_digits"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.la_code})"


class StatisticalNeighbour(models.Model):
    """One of the ten councils the DfE's statistical-neighbour model pairs with an authority."""

    authority = models.ForeignKey(
        LocalAuthority, on_delete=models.CASCADE, related_name="neighbour_links"
    )
    neighbour = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    closeness = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["authority", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "rank"], name="neighbour_rank_unique"),
            models.UniqueConstraint(
                fields=["authority", "neighbour"], name="neighbour_pair_unique"
            ),
            models.CheckConstraint(
                condition=Q(rank__gte=1, rank__lte=10), name="neighbour_rank_1_to_10"
            ),
            models.CheckConstraint(
                condition=~Q(authority=models.F("neighbour")), name="neighbour_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.authority.name} → {self.neighbour.name} (#{self.rank})"


class DfeFigure(models.Model):
    """One figure of the DfE's Local Authority Interactive Tool extract
    (lait_cla_finance_workforce_2016_to_2025.csv): a measure for an area in a year.

    `year` is the calendar year of a 31 March or 30 September measure, or the first year of a
    financial-year measure (`2024-25` is 2024), as `FinancialYear.start_year` counts. A
    suppressed value (c, z, x, low, -, blank) is stored as null: missing, never zero. Regions
    have no code in the file: `area_code` is blank and the name tells them apart."""

    measure = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    time_period = models.CharField(max_length=7, help_text="as published: 2024 or 2024-25")
    level = models.CharField(max_length=20, help_text="Local authority, Regional or National")
    area_code = models.CharField(max_length=10, blank=True, help_text="old LA code or E92000001")
    area_name = models.CharField(max_length=100)
    value = models.DecimalField(max_digits=16, decimal_places=2, null=True)

    class Meta:
        ordering = ["measure", "year", "area_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "year", "level", "area_code", "area_name"],
                name="dfe_figure_unique",
            ),
        ]
        indexes = [models.Index(fields=["area_code", "measure", "year"], name="dfe_figure_area")]

    def __str__(self) -> str:
        return f"{self.area_name} {self.measure} {self.time_period}: {self.value}"


class ImportRecord(models.Model):
    """Every import, successful or not: who, when, which file (name and SHA-256), what happened.

    The file itself is not kept: only its hash, so a re-upload of the same file is recognisable.
    """

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Imported"
        FAILED = "failed", "Refused"
        # Written (and committed) before the import's transaction begins, and replaced by the
        # outcome when it ends: a record left RUNNING is an import that was killed or crashed,
        # even at its COMMIT, whose rows may or may not have been written.
        RUNNING = "running", "Not finished"

    kind = models.CharField(max_length=40, help_text="e.g. actuals, placements, establishment")
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Empty for imports run from the command line.",
    )
    started_at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=7, choices=Outcome.choices)
    message = models.TextField(blank=True)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["success", "failed", "running"]),
                name="import_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="import_sha256"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.get_outcome_display()})"


class AuditEntry(models.Model):
    """Who changed what, when, from which value to which, and why. Written by the write
    functions in budgets/services.py (pages, imports and commands) and by the admin; never
    edited or deleted except by the retention command."""

    class Source(models.TextChoices):
        PAGE = "page", "Page"
        IMPORT = "import", "Import"
        ADMIN = "admin", "Admin"
        COMMAND = "command", "Command"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    action = models.CharField(max_length=30)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50)
    object_repr = models.CharField(max_length=200)
    field = models.CharField(max_length=50, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=["page", "import", "admin", "command"]),
                name="audit_source_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class SignOff(models.Model):
    """A service's forecast for a period: submitted by its finance officer, then signed off by a
    director of the service's directorate who is not the same person, or returned with a reason
    (which the officer sees until they submit again)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        SIGNED_OFF = "signed_off", "Signed off"
        RETURNED = "returned", "Returned"

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="sign_offs")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="sign_offs")
    status = models.CharField(max_length=10, choices=Status.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "period"], name="sign_off_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "signed_off", "returned"]),
                name="sign_off_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(signed_off_by__isnull=True)
                | ~Q(signed_off_by=models.F("submitted_by")),
                name="sign_off_not_by_submitter",
            ),
            models.CheckConstraint(
                condition=Q(status="submitted", signed_off_by__isnull=True)
                | Q(status="signed_off", signed_off_by__isnull=False, signed_off_at__isnull=False)
                | Q(
                    status="returned",
                    signed_off_by__isnull=True,
                    returned_by__isnull=False,
                    returned_at__isnull=False,
                )
                & ~Q(return_reason=""),
                name="sign_off_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} {self.period}: {self.get_status_display()}"
