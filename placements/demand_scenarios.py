"""Demand scenarios: saved changes to the demand model's rates ("10% fewer entries into
residential", "IFA to in-house moves doubled"), shown against the base projection in children
and in money.

A scenario's parameters (placements.Scenario, kind "demand") are
`{"grouping": "cost", "adjustments": [{"from": ..., "to": ..., "factor" or "addition": ...}]}`:

- `from` is a placement group (every age bracket of it), one state ("10-16 residential"), or
  "entry" (children entering care, into the `to` group or state);
- `to` is a group, a state, or "exit" (leaving care); a group after a `from` state means the
  same age bracket in that group;
- `factor` multiplies the rate (0 to 100); `addition` adds to it, per year: for entries,
  children a year; for moves, the share of the group's children a year (the model's daily
  rate × 365). Results are floored at 0 (projection.adjust).

Every parameter, from the form or from the database, goes through `parse_parameters`, which
refuses bad input (not finite, a negative factor, an unknown group or state) with a message.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from budgets.numbers import parse_decimal
from placements import demand, demand_inputs, projection

ENTRY = "entry"
EXIT = "exit"
MAX_ADJUSTMENTS = 12
MAX_FACTOR = 100
MAX_ADDITION = 10_000  # children, or shares of a group, a year
DAYS_A_YEAR = 365


@dataclass(frozen=True)
class RateChange:
    """One parsed change: `source`/`target` as written (groups, states, entry, exit)."""

    source: str
    target: str
    factor: Decimal | None = None
    addition: Decimal | None = None

    def describe(self, labels: Mapping[str, str]) -> str:
        def name(selector: str) -> str:
            if selector == EXIT:
                return "leaving care"
            age, _, group = selector.rpartition(" ")
            return f"{age} {labels.get(group, group)}".strip()

        what = (
            f"entries into {name(self.target)}"
            if self.source == ENTRY
            else f"{name(self.source)} to {name(self.target)}"
        )
        if self.factor is not None:
            return f"{what} × {self.factor.normalize():f}"
        sign = "+" if self.addition >= 0 else "−"
        return f"{what} {sign}{abs(self.addition).normalize():f} a year"

    def as_json(self) -> dict:
        change = {"from": self.source, "to": self.target}
        if self.factor is not None:
            change["factor"] = str(self.factor)
        else:
            change["addition"] = str(self.addition)
        return change


@dataclass(frozen=True)
class DemandScenario:
    grouping: str
    changes: tuple[RateChange, ...]

    def as_json(self) -> dict:
        return {"grouping": self.grouping, "adjustments": [c.as_json() for c in self.changes]}

    def describe(self) -> str:
        labels = demand_inputs.group_labels(self.grouping)
        return "; ".join(c.describe(labels) for c in self.changes)

    def adjustments(self) -> list[projection.Adjustment]:
        """The changes as the projection's rate adjustments (daily rates, state numbers)."""
        groups = demand_inputs.group_names(self.grouping)
        n_groups = len(groups)
        n_states = n_groups * len(projection.AGE_LABELS)
        result = []
        for change in self.changes:
            multiply = float(change.factor) if change.factor is not None else 1.0
            add = float(change.addition) / DAYS_A_YEAR if change.addition is not None else 0.0
            if change.source == ENTRY:
                for state in _states(change.target, groups):
                    result.append(projection.Adjustment(state, None, multiply, add))
                continue
            for state in _states(change.source, groups):
                if change.target == EXIT:
                    target = n_states
                else:
                    target = _target(change.target, groups, age=state // n_groups)
                result.append(projection.Adjustment(state, target, multiply, add))
        return result


def _split(selector: str, groups: list[str]) -> tuple[int | None, int]:
    """(age bracket index or None for every bracket, group index); ValueError when unknown."""
    age, _, group = selector.rpartition(" ")
    if group not in groups or (age and age not in projection.AGE_LABELS):
        raise ValueError(selector)
    return (projection.AGE_LABELS.index(age) if age else None), groups.index(group)


def _states(selector: str, groups: list[str]) -> list[int]:
    age, group = _split(selector, groups)
    ages = range(len(projection.AGE_LABELS)) if age is None else [age]
    return [a * len(groups) + group for a in ages]


def _target(selector: str, groups: list[str], *, age: int) -> int:
    target_age, group = _split(selector, groups)
    return (age if target_age is None else target_age) * len(groups) + group


def selectors(grouping: str) -> list[tuple[str, str]]:
    """The groups and states a change may name, as (value, label), groups first."""
    groups = demand_inputs.group_names(grouping)
    labels = demand_inputs.group_labels(grouping)
    result = [(g, f"{labels[g]} (every age)") for g in groups]
    result += [
        (f"{age} {g}", f"{age} {labels[g]}") for age in projection.AGE_LABELS for g in groups
    ]
    return result


def parse_parameters(raw) -> DemandScenario:
    """A demand scenario's parameters, every part checked; raises ValueError whose message
    lists every problem, each with the number of the change it is in."""
    if not isinstance(raw, Mapping):
        raise ValueError("The scenario's parameters are not readable.")
    grouping = raw.get("grouping") or demand_inputs.COST
    if grouping not in demand_inputs.GROUPINGS:
        raise ValueError(f"Choose the placement groups: {' or '.join(demand_inputs.GROUPINGS)}.")
    items = raw.get("adjustments")
    if not isinstance(items, list) or not items:
        raise ValueError("Give at least one rate to change.")
    if len(items) > MAX_ADJUSTMENTS:
        raise ValueError(f"Change at most {MAX_ADJUSTMENTS} rates in one scenario.")
    groups = demand_inputs.group_names(grouping)
    problems, changes = [], []
    for number, item in enumerate(items, start=1):
        try:
            changes.append(_parse_change(item, groups))
        except ValueError as exc:
            problems.append(f"Change {number}: {exc}")
    if problems:
        raise ValueError(" ".join(problems))
    return DemandScenario(grouping, tuple(changes))


def _parse_change(item, groups: list[str]) -> RateChange:
    if not isinstance(item, Mapping):
        raise ValueError("not readable.")
    source = str(item.get("from") or "").strip()
    target = str(item.get("to") or "").strip()
    if source == EXIT or target == ENTRY:
        raise ValueError("children enter care from 'entry' and leave to 'exit', not the reverse.")
    if source == ENTRY and target == EXIT:
        raise ValueError("choose the group children enter.")
    if not source or not target:
        raise ValueError("choose where children move from and to.")
    for selector in (source, target):
        if selector in (ENTRY, EXIT):
            continue
        try:
            _split(selector, groups)
        except ValueError:
            raise ValueError(f"{selector[:40]!r} is not a placement group or state.") from None
    if source != ENTRY and target != EXIT:
        (source_age, source_group), (target_age, target_group) = (
            _split(source, groups),
            _split(target, groups),
        )
        if source_group == target_group and (target_age is None or target_age == source_age):
            raise ValueError("choose two different groups or states.")
    factor_text, addition_text = item.get("factor"), item.get("addition")
    has_factor = factor_text not in (None, "")
    has_addition = addition_text not in (None, "")
    if has_factor == has_addition:
        raise ValueError("give either a factor or an addition a year.")
    if has_factor:
        factor = parse_decimal(
            str(factor_text), minimum=0, maximum=MAX_FACTOR, places=4, what="the factor"
        )
        return RateChange(source, target, factor=factor)
    addition = parse_decimal(
        str(addition_text),
        minimum=-MAX_ADDITION,
        maximum=MAX_ADDITION,
        places=4,
        what="the addition a year",
    )
    return RateChange(source, target, addition=addition)


@dataclass
class ScenarioOutcome:
    """A demand scenario against the base projection, over the same months."""

    end: datetime.date  # the last month end projected
    base_children: float
    children: float
    base_cost: Decimal
    cost: Decimal

    @property
    def change_in_children(self) -> float:
        return self.children - self.base_children

    @property
    def change_in_cost(self) -> Decimal:
        return self.cost - self.base_cost


def outcome(
    scenario: DemandScenario,
    *,
    arrays: demand_inputs.EpisodeArrays,
    latest: datetime.date,
    months: int = 12,
) -> ScenarioOutcome:
    """The projection from `latest` (rates from the three years to it) for `months`, without
    and with the scenario's changes: children at the last month end and the cost of the months."""
    options = demand.default_options(latest, grouping=scenario.grouping, months=months)
    result = demand.run(options, arrays=arrays, adjustments=scenario.adjustments())
    base, changed = result.base_months, result.months
    return ScenarioOutcome(
        end=changed[-1].date,
        base_children=base[-1].total,
        children=changed[-1].total,
        base_cost=sum((m.cost for m in base), Decimal("0")),
        cost=sum((m.cost for m in changed), Decimal("0")),
    )
