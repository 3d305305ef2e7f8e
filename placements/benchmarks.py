"""The DfE's LAC rate per 10,000 on 31 March for the years before the rates file starts.

`cla_number_and_rate_per_10k_children.csv` (loaded into `LacRate` by
`placements.importers.load_lac_benchmarks`) covers the last five years only; the LAIT extract
(`budgets.DfeFigure`, measures `LAC` and `LACnum`) goes back further. Its rates fill the years
the rates file does not hold, for councils and England; a year the rates file holds is never
overwritten, and a second run changes nothing.
"""

from django.db import transaction

from budgets.models import DfeFigure
from budgets.reference import ENGLAND
from placements.models import LacRate


@transaction.atomic
def lac_rates_from_lait() -> int:
    """Create the LacRate rows the LAIT extract has and LacRate lacks. Returns rows created."""
    have = set(LacRate.objects.values_list("area_code", "year"))
    figures: dict[tuple[str, int], dict] = {}
    for figure in DfeFigure.objects.filter(
        measure__in=["LAC", "LACnum"], level__in=["Local authority", "National"]
    ).exclude(area_code=""):
        key = (figure.area_code, figure.year)
        if key in have:
            continue
        row = figures.setdefault(
            key, {"area_name": figure.area_name, "level": figure.level, "values": {}}
        )
        row["values"][figure.measure] = figure.value
    LacRate.objects.bulk_create(
        [
            LacRate(
                area_code=code,
                year=year,
                area_name="England" if code == ENGLAND else row["area_name"],
                level=row["level"],
                children=int(row["values"]["LACnum"])
                if row["values"].get("LACnum") is not None
                else None,
                rate_per_10k=row["values"].get("LAC"),
            )
            for (code, year), row in figures.items()
        ],
        batch_size=2000,
    )
    return len(figures)
