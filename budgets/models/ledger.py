"""The money: budgets, actuals and their ledger detail, forecasts and savings.

Money is numeric(14,2) pounds, held as Decimal.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from budgets.models.structure import BudgetLine, Service
from budgets.models.years import FinancialYear, Period

MONEY = {"max_digits": 14, "decimal_places": 2}


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

    # No index of its own: the unique (line, period) index below starts with the line.
    line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="actuals", db_index=False
    )
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

    # No index of its own: the unique (line, period, account) index starts with the line.
    line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="ledger_entries", db_index=False
    )
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
