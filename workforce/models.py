"""The social care establishment: teams, funded posts, how each post is filled over time, and
caseloads; the DfE workforce census totals and published indicators for benchmarking.

No worker's personal details are stored: not names, birth dates, ethnicity, gender or Social
Work England numbers. A filling records only status, FTE and cost.
"""

from django.db import models
from django.db.models import F, Q

from budgets.models import MONEY, BudgetLine, Council, Service
from budgets.numbers import DECIMAL_SQL_REGEX, WHOLE_SQL_REGEX
from budgets.scenarios import SavedScenario

FTE = {"max_digits": 6, "decimal_places": 2}


def _current_council():
    return Council.objects.current().values("pk")


class TeamQuerySet(models.QuerySet):
    def current(self):
        """The teams of the council this deployment serves (a national database holds many)."""
        return self.filter(service__directorate__council__in=_current_council())


class FillingQuerySet(models.QuerySet):
    def current(self):
        return self.filter(post__team__service__directorate__council__in=_current_council())


class Team(models.Model):
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=100)
    caseload_target = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    line = models.ForeignKey(
        BudgetLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The staffing budget line the team's posts are charged to.",
    )

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["service", "name"]
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="team_unique")]

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    """A funded post in the establishment."""

    reference = models.CharField(max_length=30, unique=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="posts")
    title = models.CharField(max_length=100)
    grade = models.CharField(max_length=20, blank=True)
    fte = models.DecimalField(**FTE)
    budgeted_cost = models.DecimalField(**MONEY, help_text="annual, with on-costs")
    social_work = models.BooleanField(default=True)

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(condition=Q(fte__gt=0, fte__lte=1), name="post_fte_range"),
            models.CheckConstraint(condition=Q(budgeted_cost__gte=0), name="post_cost_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class Filling(models.Model):
    """How a post is filled from `start` until `end` (open when null): permanent, agency or
    vacant, with the FTE and what it costs a year."""

    class Status(models.TextChoices):
        PERMANENT = "permanent", "Permanent"
        AGENCY = "agency", "Agency"
        VACANT = "vacant", "Vacant"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="fillings")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=9, choices=Status.choices)
    fte = models.DecimalField(**FTE)
    annual_cost = models.DecimalField(**MONEY, help_text="annual cost of this filling")

    objects = FillingQuerySet.as_manager()

    class Meta:
        ordering = ["post", "start"]
        constraints = [
            models.UniqueConstraint(fields=["post", "start"], name="filling_unique_start"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=F("start")), name="filling_dates"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["permanent", "agency", "vacant"]), name="filling_status"
            ),
            models.CheckConstraint(condition=Q(fte__gte=0, fte__lte=1), name="filling_fte"),
            models.CheckConstraint(condition=Q(annual_cost__gte=0), name="filling_cost"),
        ]

    def __str__(self) -> str:
        return f"{self.post.reference} {self.status} from {self.start}"


class TeamCaseload(models.Model):
    """A team's cases and case-holding FTE in a month; missing means not reported."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="caseloads")
    month = models.DateField(help_text="first day of the month")
    cases = models.PositiveIntegerField(null=True, blank=True)
    case_holding_fte = models.DecimalField(**FTE, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "month"], name="caseload_unique"),
            models.CheckConstraint(condition=Q(month__day=1), name="caseload_month_start"),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.month:%B %Y}"


class CensusReturnQuerySet(models.QuerySet):
    def current(self):
        """The returns of the council this deployment serves."""
        return self.filter(council__in=_current_council())


class CensusReturn(models.Model):
    """Totals of a DfE Children's Social Work Workforce census return, never worker records.
    A return belongs to the council whose LA code its header gives (a regional database holds
    several councils' returns for the same 30 September)."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="+")
    reference_date = models.DateField()
    workers = models.PositiveIntegerField()
    worker_fte = models.DecimalField(max_digits=8, decimal_places=2)
    agency_workers = models.PositiveIntegerField()
    vacancies = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    agency_fte = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    agency_headcount = models.PositiveIntegerField(null=True)
    cases = models.PositiveIntegerField(null=True)

    objects = CensusReturnQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["council", "reference_date"], name="census_return_unique"
            )
        ]

    def __str__(self) -> str:
        return f"CSWW census {self.reference_date}"


class Indicator(models.Model):
    """DfE published workforce indicators (census at 30 September) by area and year."""

    area_code = models.CharField(max_length=10)
    area_name = models.CharField(max_length=100)
    level = models.CharField(max_length=20)
    region_code = models.CharField(max_length=10, blank=True)
    year = models.PositiveSmallIntegerField()
    agency_rate = models.DecimalField(max_digits=5, decimal_places=1, null=True)
    vacancy_rate = models.DecimalField(max_digits=5, decimal_places=1, null=True)
    caseload = models.DecimalField(max_digits=5, decimal_places=1, null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area_code", "year"], name="indicator_unique")
        ]

    def __str__(self) -> str:
        return f"{self.area_name} {self.year}"


class Scenario(SavedScenario):
    """A council's saved staffing what-if: its kind and parameters; the result is worked out
    when shown."""

    class Kind(models.TextChoices):
        AGENCY_TARGET = "agency_target", "Bring the agency ratio to a target"
        FILL_VACANCIES = "fill", "Fill vacancies"
        AGENCY_RATES = "rates", "Change agency rates"

    kind = models.CharField(max_length=15, choices=Kind.choices)

    class Meta(SavedScenario.Meta):
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="workforce_scenario_name"),
            # Plain finite numbers only (no NaN, Infinity or 1e400): one such value made the
            # scenarios page fail for everyone. Added NOT VALID (migration 0003): rows saved
            # before stay, and the page skips them with a note.
            models.CheckConstraint(
                condition=(
                    Q(parameters__target__isnull=True)
                    | Q(parameters__target__regex=DECIMAL_SQL_REGEX)
                )
                & (
                    Q(parameters__percent__isnull=True)
                    | Q(parameters__percent__regex=DECIMAL_SQL_REGEX)
                )
                & (Q(parameters__count__isnull=True) | Q(parameters__count__regex=WHOLE_SQL_REGEX)),
                name="workforce_scenario_numbers",
            ),
        ]
