"""The DfE's published statistics of children looked after, and the ONS population they are
rates of, from the files shipped in fixtures/dfe."""

import csv
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from placements.models import LacRate, Population

MISSING = {"", "c", "z", "x", "low", "u", ":"}


def _number(value: str):
    return None if value.strip().lower() in MISSING else value.strip()


@transaction.atomic
def load_lac_benchmarks(folder: Path) -> tuple[int, int]:
    """DfE LAC numbers and rates per 10,000 on 31 March, and ONS 0–17 population; suppressed
    values (c, z, x, low, blank) are missing, never zero. Returns rows loaded of each."""
    rates = 0
    with open(folder / "cla_number_and_rate_per_10k_children.csv", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            if row["population_type"] != "Children looked after on 31 March each year":
                continue
            code, name = _area(row)
            children, rate = _number(row["children_count"]), _number(row["rate_per_10000"])
            LacRate.objects.update_or_create(
                area_code=code,
                year=int(row["time_period"]),
                defaults={
                    "area_name": name,
                    "level": row["geographic_level"],
                    "children": int(children) if children else None,
                    "rate_per_10k": Decimal(rate) if rate else None,
                },
            )
            rates += 1
    people = 0
    with open(
        folder / "ons_mid-year_population_estimates_2012_to_2024.csv", encoding="utf-8-sig"
    ) as f:
        for row in csv.DictReader(f):
            value = _number(row["population_estimate"])
            if value is None:
                continue
            code, _ = _area(row)
            Population.objects.update_or_create(
                area_code=code, year=int(row["time_period"]), defaults={"children": int(value)}
            )
            people += 1
    return rates, people


def _area(row) -> tuple[str, str]:
    level = row["geographic_level"]
    if level == "National":
        return "E92000001", "England"
    if level == "Regional":
        return row["region_code"], row["region_name"]
    return row["old_la_code"], row["la_name"]
