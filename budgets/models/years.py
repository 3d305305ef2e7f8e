"""The council's financial years (1 April to 31 March) and their twelve periods."""

import datetime
import re

from django.db import models
from django.db.models import Q

from budgets.calendar import month_end, month_of


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
