"""Selectors for the demand model: the current council's episodes and unit costs as the arrays
`placements.projection` works on. Two queries for the episodes and one or two for the costs;
no arithmetic beyond reshaping here."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from placements import projection, selectors
from placements.categories import CostCategory
from placements.models import Episode

COST = "cost"
DEMAND_MODEL = "demand-model"
GROUPINGS = {
    COST: "Cost categories",
    DEMAND_MODEL: "Demand model groups (fostering, residential, supported, other)",
}


def group_names(grouping: str) -> list[str]:
    """The placement groups of a grouping, in order: the cost categories' codes or the demand
    model's four groups."""
    if grouping == DEMAND_MODEL:
        return list(projection.DEMAND_MODEL_GROUPS)
    return list(CostCategory.values)


def group_labels(grouping: str) -> dict[str, str]:
    if grouping == DEMAND_MODEL:
        return {g: g.capitalize() for g in projection.DEMAND_MODEL_GROUPS}
    return dict(CostCategory.choices)


def category_group(grouping: str) -> dict[str, str]:
    """The group each cost category falls in. The demand model's groups are unions of the cost
    categories (fostering = in-house + agency; residential and supported share their PLACE
    codes with the residential and semi-independent categories), so costs carry over."""
    if grouping != DEMAND_MODEL:
        return {c: c for c in CostCategory.values}
    return {
        CostCategory.IN_HOUSE_FOSTERING: "fostering",
        CostCategory.IFA: "fostering",
        CostCategory.RESIDENTIAL: "residential",
        CostCategory.SEMI_INDEPENDENT: "supported",
    }


@dataclass
class EpisodeArrays:
    """The council's episodes as parallel arrays; `category` and `place` give the group."""

    child: np.ndarray
    start: np.ndarray
    end: np.ndarray
    rne: np.ndarray
    category: np.ndarray
    place: np.ndarray
    birth_year: np.ndarray
    birth_month: np.ndarray

    def __len__(self) -> int:
        return len(self.child)

    def groups(self, grouping: str) -> np.ndarray:
        """Each episode's group, as its index in group_names(grouping) (-1 if none)."""
        index = {name: i for i, name in enumerate(group_names(grouping))}
        if grouping == DEMAND_MODEL:
            codes = [index[projection.demand_model_group(p)] for p in self.place]
        else:
            codes = [index.get(c, -1) for c in self.category]
        return np.array(codes, dtype=np.int64)

    def as_kwargs(self, grouping: str) -> dict:
        """The keyword arguments of projection.clean_episodes."""
        return {
            "child": self.child,
            "start": self.start,
            "end": self.end,
            "rne": self.rne,
            "group": self.groups(grouping),
            "birth_year": self.birth_year,
            "birth_month": self.birth_month,
        }

    @property
    def latest_day(self) -> datetime.date | None:
        """The last day any episode started or ended, but not after today (None without
        episodes)."""
        days = np.concatenate([self.start, self.end])
        days = days[~np.isnat(days)]
        if not len(days):
            return None
        return min(days.max().astype(datetime.date), datetime.date.today())


def episode_arrays(episodes=None) -> EpisodeArrays:
    """The current council's episodes, one query (the child's year and month of birth joined)."""
    episodes = Episode.objects.current() if episodes is None else episodes
    rows = list(
        episodes.order_by().values_list(
            "child_id",
            "start",
            "end",
            "rne",
            "category",
            "place",
            "child__birth_year",
            "child__birth_month",
        )
    )
    columns = list(zip(*rows, strict=True)) if rows else [()] * 8
    return EpisodeArrays(
        child=np.array(columns[0], dtype=np.int64),
        start=np.array(columns[1], dtype="datetime64[D]"),
        end=np.array(
            [d if d is not None else np.datetime64("NaT") for d in columns[2]],
            dtype="datetime64[D]",
        ),
        rne=np.array(columns[3], dtype=str),
        category=np.array(columns[4], dtype=str),
        place=np.array(columns[5], dtype=str),
        birth_year=np.array([y or 0 for y in columns[6]], dtype=np.int64),
        birth_month=np.array([m or 0 for m in columns[7]], dtype=np.int64),
    )


@dataclass
class UnitCosts:
    """Weekly unit cost (Decimal £) per group; `fallback` names the groups without a cost of
    their own, which are given `fallback_cost` (the council's average over all placements)."""

    weekly: dict[str, Decimal]
    fallback: list[str]
    fallback_cost: Decimal | None

    def array(self, names: list[str]) -> np.ndarray:
        """One weekly cost per state (age × group), as floats for the projection."""
        per_group = [float(self.weekly.get(name, 0)) for name in names]
        return np.tile(per_group, len(projection.AGE_LABELS))


def unit_costs(grouping: str, day: datetime.date) -> UnitCosts:
    """Each group's average weekly cost of the placements open on `day`, from the council's
    episode costs and rate cards (placements.selectors.placement_costs). A demand-model group
    averages its categories weighted by children. A group with no cost of its own is given
    the average over all the council's placements that day, and is listed as a fallback."""
    names = group_names(grouping)
    to_group = category_group(grouping)
    sums: dict[str, Decimal] = {}
    counts: dict[str, int] = {}
    for row in selectors.placement_costs(day):
        group = to_group.get(row.category, "other" if grouping == DEMAND_MODEL else row.category)
        if row.unit_cost is not None and row.children:
            sums[group] = sums.get(group, Decimal("0")) + row.unit_cost * row.children
            counts[group] = counts.get(group, 0) + row.children
    weekly = {g: (sums[g] / counts[g]).quantize(projection.PENNY) for g in sums}
    all_children = sum(counts.values())
    fallback_cost = (
        (sum(sums.values(), Decimal("0")) / all_children).quantize(projection.PENNY)
        if all_children
        else None
    )
    fallback = [g for g in names if g not in weekly]
    for g in fallback:
        weekly[g] = fallback_cost or Decimal("0")
    return UnitCosts(weekly=weekly, fallback=fallback, fallback_cost=fallback_cost)
