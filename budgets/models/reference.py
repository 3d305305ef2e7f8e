"""Reference data for benchmarking: local authorities, statistical neighbours, DfE figures."""

from django.db import models
from django.db.models import Q


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
