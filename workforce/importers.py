"""The workforce imports: establishment extracts, the DfE workforce census XML and the DfE's
published indicators, each in its own module; their public names are importable from here."""

import csv
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from workforce.csww_import import csww_import
from workforce.establishment_import import establishment_import
from workforce.models import Indicator

__all__ = ["csww_import", "establishment_import", "load_workforce_benchmarks"]


MISSING = {"", "c", "z", "x", "low", "u", ":"}


def _value(text: str):
    return None if text.strip().lower() in MISSING else Decimal(text.strip())


@transaction.atomic
def load_workforce_benchmarks(folder: Path) -> int:
    count = 0
    with open(folder / "csww_indicators_2017_to_2025.csv", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            level = row["geographic_level"]
            if level == "National":
                code, name = "E92000001", "England"
            elif level == "Regional":
                code, name = row["region_code"], row["region_name"]
            else:
                code, name = row["old_la_code"], row["la_name"]
            Indicator.objects.update_or_create(
                area_code=code,
                year=int(row["time_period"]),
                defaults={
                    "area_name": name,
                    "level": level,
                    "region_code": row["region_code"] or "",
                    "agency_rate": _value(row["agency_rate_fte"]),
                    "vacancy_rate": _value(row["vacancy_rate_fte"]),
                    "caseload": _value(row["caseload_fte"]),
                },
            )
            count += 1
    return count
