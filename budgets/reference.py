"""Load the DfE's local authorities and statistical neighbours (sn_model_2025_wide.csv).

The file is the DfE's own download: one row per authority, `SN_1 … SN_10` the neighbours' old LA
codes, `SN_nP` how close each is. Loading is all or nothing and safe to repeat.
"""

from pathlib import Path

import pandas as pd
from django.db import transaction

from budgets.models import LocalAuthority, StatisticalNeighbour

SN_FILE = "sn_model_2025_wide.csv"


class ReferenceDataError(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def read_neighbours(path: Path) -> pd.DataFrame:
    # utf-8-sig: the DfE's files start with a byte-order mark.
    frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    missing = {"old_la_code", "la_name", "region_name"} - set(frame.columns)
    missing |= {f"SN_{n}" for n in range(1, 11)} - set(frame.columns)
    if missing:
        raise ReferenceDataError([f"{path.name}: missing columns {sorted(missing)}"])
    return frame


@transaction.atomic
def load_statistical_neighbours(path: Path) -> int:
    """Returns the number of authorities loaded."""
    frame = read_neighbours(Path(path))
    errors = []
    authorities = {}
    for index, row in frame.iterrows():
        code = row["old_la_code"].strip()
        if not (len(code) == 3 and code.isdigit()):
            errors.append(f"row {index + 2}: old_la_code {code!r} is not a 3-digit code")
            continue
        authorities[code], _ = LocalAuthority.objects.update_or_create(
            la_code=code,
            defaults={"name": row["la_name"].strip(), "region_name": row["region_name"].strip()},
        )
    for index, row in frame.iterrows():
        code = row["old_la_code"].strip()
        if code not in authorities:
            continue
        for rank in range(1, 11):
            neighbour = row[f"SN_{rank}"].strip()
            if neighbour not in authorities:
                errors.append(f"row {index + 2}: SN_{rank} {neighbour!r} is not a known authority")
                continue
            StatisticalNeighbour.objects.update_or_create(
                authority=authorities[code],
                rank=rank,
                defaults={
                    "neighbour": authorities[neighbour],
                    "closeness": row.get(f"SN_{rank}P", "").strip(),
                },
            )
    if errors:
        raise ReferenceDataError(errors)
    return len(authorities)


def neighbours_of(la_code: str) -> list[LocalAuthority]:
    """The authority's ten statistical neighbours, closest first."""
    links = StatisticalNeighbour.objects.filter(authority__la_code=la_code).select_related(
        "neighbour"
    )
    return [link.neighbour for link in links.order_by("rank")]
