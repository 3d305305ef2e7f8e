"""The council and its structure: directorates, services, areas of spend, budget lines."""

from django.conf import settings
from django.db import models
from django.db.models import Q


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
