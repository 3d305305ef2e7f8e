"""The data sets and pages the benchmark measures."""

import os
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from budgets.access import Role
from budgets.models import Council
from csc_dashboard.synthetic import SyntheticSpec, generate_budgets


@dataclass
class Scale:
    name: str
    councils: int
    years: int

    def prepare(self) -> None:
        """Generate the data set once; a later run reuses it (the councils already exist)."""
        have = Council.objects.filter(name__startswith="Synthetic council").count()
        if have < self.councils:
            generate_budgets(
                SyntheticSpec(councils=self.councils - have, years=self.years, seed=have + 1)
            )

    def reader(self):
        user, _ = get_user_model().objects.get_or_create(username="bench-director")
        user.groups.add(Group.objects.get(name=Role.DIRECTOR))
        return user

    def pages(self) -> list[tuple[str, str]]:
        return [
            ("overview", "/?year=2025/26&period=6"),
            ("service budget", "/budgets/CYP/CSC/?year=2025/26&period=6"),
        ]


# One large county first, then every council in England (about 150) on top of it.
NATIONAL = int(os.environ.get("BENCH_NATIONAL_COUNCILS", "150"))
SCALES = [Scale("one council", 1, 10), Scale(f"national ({NATIONAL} councils)", NATIONAL, 10)]


def import_benchmarks() -> list[tuple]:
    return []
