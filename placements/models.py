"""Children looked after (pseudonymised), their placement episodes and what placements cost.

No name, raw SSDA903 CHILD identifier, full date of birth or postcode is stored: the child's
reference is a keyed hash of the identifier (settings.CSC_CHILD_ID_SALT), and only the year and
month of birth are kept.
"""

from django.db import models
from django.db.models import F, Q

from budgets.models import MONEY, BudgetLine, Council, CouncilOwnedQuerySet
from budgets.numbers import DECIMAL_SQL_REGEX, WHOLE_SQL_REGEX
from budgets.scenarios import SavedScenario
from placements.categories import CostCategory


class Child(models.Model):
    """A child looked after by `council`. SSDA903 identifiers are unique within a council only,
    so a national database may hold the same reference for two councils."""

    # No index of its own: the unique (council, reference) index starts with the council.
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="+", db_index=False)
    reference = models.CharField(max_length=64, help_text="HMAC-SHA256 of CHILD")
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_month = models.PositiveSmallIntegerField(null=True, blank=True)
    uasc = models.BooleanField("unaccompanied asylum-seeking child", default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["council", "reference"], name="child_unique"),
            # The target of the episodes' (child, council) foreign key: see Episode.council.
            models.UniqueConstraint(fields=["id", "council"], name="child_id_council"),
            models.CheckConstraint(
                condition=Q(birth_month__isnull=True) | Q(birth_month__gte=1, birth_month__lte=12),
                name="child_birth_month_valid",
            ),
            models.CheckConstraint(
                condition=Q(reference__regex=r"^[0-9a-f]{64}$"), name="child_reference_is_hash"
            ),
        ]

    def __str__(self) -> str:
        return f"Child {self.reference[:10]}…"


class EpisodeQuerySet(models.QuerySet):
    def current(self):
        """The episodes of the council this deployment serves (Council.objects.current()), in
        the same query: no lookup of the council first."""
        return self.filter(council__in=Council.objects.current().values("pk"))


class Episode(models.Model):
    """An SSDA903 episode of care: one placement from DECOM until DEC (open when DEC is null).

    `council` repeats the child's council so that a national database (a million episodes)
    finds one council's episodes by index without a join; a composite foreign key (migration
    0002) makes the database refuse an episode whose council is not its child's.

    That composite key is the only foreign key the database checks on an episode: it already
    says the child exists, and so does the council (the child's own key checks it). Separate
    keys on `child` and `council` would each add a check per row to a million-episode import,
    and their indexes are the first columns of the (child, start) and (council, start, end)
    ones, so neither has its own (placements 0008).
    """

    child = models.ForeignKey(
        Child,
        on_delete=models.CASCADE,
        related_name="episodes",
        db_constraint=False,
        db_index=False,
    )
    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    start = models.DateField("DECOM")
    end = models.DateField("DEC", null=True, blank=True)
    rne = models.CharField("RNE", max_length=2, blank=True)
    legal_status = models.CharField("LS", max_length=2, blank=True)
    place = models.CharField("PLACE", max_length=2)
    place_provider = models.CharField("PLACE_PROVIDER", max_length=3, blank=True)
    reason_ended = models.CharField("REC", max_length=3, blank=True)
    category = models.CharField(max_length=20, choices=CostCategory.choices)
    weekly_cost = models.DecimalField(**MONEY, null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["council", "start", "end"], name="episode_council_dates")]
        constraints = [
            models.UniqueConstraint(fields=["child", "start"], name="episode_unique_start"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="episode_ends_after"
            ),
            models.CheckConstraint(
                condition=Q(category__in=CostCategory.values), name="episode_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(weekly_cost__isnull=True) | Q(weekly_cost__gte=0),
                name="episode_cost_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} {self.place} from {self.start}"


class CategoryLine(models.Model):
    """The budget line each cost category is charged to, per council."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=20, choices=CostCategory.choices)
    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["council", "category"], name="category_line_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} → {self.line.code}"


class RateCard(models.Model):
    """A category's standard weekly cost from a date, used where an episode has no cost: it
    costs every day from `effective_from` of every placement open then (a placement that
    started before the date is costed at this card from the date on), until the next card."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=20, choices=CostCategory.choices)
    effective_from = models.DateField()
    weekly_cost = models.DecimalField(**MONEY)

    objects = CouncilOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["council", "category", "effective_from"], name="rate_card_unique"
            ),
            models.CheckConstraint(condition=Q(weekly_cost__gte=0), name="rate_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} £{self.weekly_cost}/week from {self.effective_from}"


class UnitCostBenchmark(models.Model):
    """Comparators' average weekly unit cost per category (for the placement mix table), as
    one council compares itself (its own statistical neighbours)."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=20, choices=CostCategory.choices)
    comparator = models.CharField(max_length=40)
    weekly_cost = models.DecimalField(**MONEY)

    objects = CouncilOwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["council", "category", "comparator"], name="unit_benchmark_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.comparator}: {self.get_category_display()} £{self.weekly_cost}"


class LacRate(models.Model):
    """DfE: children looked after on 31 March, and the rate per 10,000 children, by area."""

    area_code = models.CharField(max_length=10, help_text="old LA code, region code, or E92")
    area_name = models.CharField(max_length=100)
    level = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField(help_text="the year of the 31 March count")
    children = models.PositiveIntegerField(null=True)
    rate_per_10k = models.DecimalField(max_digits=6, decimal_places=1, null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area_code", "year"], name="lac_rate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.area_name} {self.year}: {self.rate_per_10k} per 10,000"


class Population(models.Model):
    """ONS mid-year estimate of children aged 0–17, by area and year."""

    area_code = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    children = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area_code", "year"], name="population_unique")
        ]

    def __str__(self) -> str:
        return f"{self.area_code} {self.year}: {self.children:,} children"


class Scenario(SavedScenario):
    """A saved what-if: its kind and parameters; the result is worked out when shown."""

    class Kind(models.TextChoices):
        MOVE = "move", "Move children between categories"
        UNIT_COST = "unit_cost", "Change a category's unit cost"
        LAC_RATE = "lac_rate", "Bring the LAC rate to a comparator's"
        DEMAND = "demand", "Change the demand model's rates"

    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta(SavedScenario.Meta):
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="placements_scenario_name"),
            models.CheckConstraint(
                condition=Q(kind__in=["move", "unit_cost", "lac_rate", "demand"]),
                name="scenario_kind",
            ),
            # Plain finite numbers only (see workforce.Scenario); added NOT VALID (0004).
            models.CheckConstraint(
                condition=(
                    Q(parameters__percentage__isnull=True)
                    | Q(parameters__percentage__regex=DECIMAL_SQL_REGEX)
                )
                & (
                    Q(parameters__children__isnull=True)
                    | Q(parameters__children__regex=WHOLE_SQL_REGEX)
                ),
                name="placements_scenario_numbers",
            ),
        ]
