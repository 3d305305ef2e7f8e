"""The demand model: a stock-and-flow projection of children looked after, by age bracket ×
placement group, from a council's own SSDA903 episodes.

The method is the one Social Finance publishes with its children's services demand model
(`cs-demand-model`): daily transition rates between states and daily entry rates, estimated over
a reference period, then run forward a day at a time with a variance that gives a ±2σ band.
This module is the arithmetic only: numpy arrays in, arrays out, no Django, no database. Dates
are whole days since 1970-01-01 (numpy's datetime64[D] as int64); an open episode ends on OPEN.
The projection is float arithmetic; money becomes Decimal in `monthly_summary`, where it leaves
for display and comparison.

States are numbered age × groups + group; the state after the last is "not in care".
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from budgets.calendar import month_ends

# Age brackets [0,1), [1,5), [5,10), [10,16), [16,18+): the birthdays that move a child on.
BRACKET_BIRTHDAYS = (1, 5, 10, 16)
AGE_LABELS = ("0-1", "1-5", "5-10", "10-16", "16+")
# SSDA903 reason for new episode: L change of legal status only, T both placement and legal
# status, U change of legal status and placement at the same time, all within one period of care.
CONTINUING_RNE = ("L", "T", "U")
# The demand model's own grouping of PLACE codes (an alternative to the cost categories).
DEMAND_MODEL_GROUPS = ("fostering", "residential", "supported", "other")
DEMAND_MODEL_PLACES = {
    **{code: "fostering" for code in ("U1", "U2", "U3", "U4", "U5", "U6")},
    **{code: "residential" for code in ("K2", "R1", "P3", "S1")},
    **{code: "supported" for code in ("H5", "K3", "P2")},
}
OPEN = np.int64(2**40)  # the end of an open episode: later than any real day
EPOCH = datetime.date(1970, 1, 1)
PENNY = Decimal("0.01")


def day_number(day: datetime.date) -> int:
    return (day - EPOCH).days


def day_date(number: int) -> datetime.date:
    return EPOCH + datetime.timedelta(days=int(number))


def demand_model_group(place: str) -> str:
    """The demand model's group of a PLACE code: fostering, residential, supported or other."""
    return DEMAND_MODEL_PLACES.get(place.strip().upper(), "other")


def state_labels(groups: list[str]) -> list[str]:
    """'<age> <group>' for each state, in state order."""
    return [f"{age} {group}" for age in AGE_LABELS for group in groups]


def birthdays(birth_year: np.ndarray, birth_month: np.ndarray, years: int) -> np.ndarray:
    """The day each child turns `years`: only the year and month of birth are kept, so a
    child is taken to be born on the 15th of the month."""
    months = (birth_year.astype(np.int64) + years - 1970) * 12 + birth_month.astype(np.int64) - 1
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + 14


@dataclass
class Episodes:
    """Episodes as parallel arrays. `start`/`end` are day numbers (end OPEN when open);
    `new_period` marks an episode that starts a period of care (an entry)."""

    child: np.ndarray
    start: np.ndarray
    end: np.ndarray
    group: np.ndarray
    birth_year: np.ndarray
    birth_month: np.ndarray
    new_period: np.ndarray

    def __len__(self) -> int:
        return len(self.child)


def clean_episodes(
    *,
    child: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    rne: np.ndarray,
    group: np.ndarray,
    birth_year: np.ndarray,
    birth_month: np.ndarray,
) -> Episodes:
    """The cleaning rules, all vectorised:

    - rows without a child (child < 0), a start (NaT) or a birth year and month (0) are
      dropped, as are rows without a group (< 0);
    - each child's episodes are sorted by start, then end, open last;
    - where episodes overlap, the earlier ends at the later's start; an episode left with no
      days (start = end) is dropped;
    - an episode starting the day the previous one ended, with RNE L, T or U, continues the
      period of care; any other episode starts a new one (an entry).

    `start`/`end` are datetime64[D] (an open episode's end is NaT).
    """
    start = np.asarray(start, dtype="datetime64[D]")
    end = np.asarray(end, dtype="datetime64[D]")
    has_start = ~np.isnat(start)
    end = np.where(np.isnat(end), OPEN, end.astype(np.int64))
    start = np.where(has_start, start.astype(np.int64), 0)
    child = np.asarray(child, dtype=np.int64)
    group = np.asarray(group, dtype=np.int64)
    birth_year = np.asarray(birth_year, dtype=np.int64)
    birth_month = np.asarray(birth_month, dtype=np.int64)
    rne = np.char.upper(np.char.strip(np.asarray(rne, dtype=str)))
    keep = has_start & (child >= 0) & (group >= 0) & (birth_year > 0)
    keep &= (birth_month >= 1) & (birth_month <= 12)
    child, start, end, rne, group = child[keep], start[keep], end[keep], rne[keep], group[keep]
    birth_year, birth_month = birth_year[keep], birth_month[keep]
    order = np.lexsort((end, start, child))
    child, start, end, rne, group = child[order], start[order], end[order], rne[order], group[order]
    birth_year, birth_month = birth_year[order], birth_month[order]
    same_child_next = np.zeros(len(child), dtype=bool)
    same_child_next[:-1] = child[:-1] == child[1:]
    next_start = np.empty_like(start)
    next_start[:-1] = start[1:]
    overlaps = same_child_next & (end > next_start)
    end = np.where(overlaps, next_start, end)
    nonempty = end > start
    child, start, end, rne, group = (
        child[nonempty],
        start[nonempty],
        end[nonempty],
        rne[nonempty],
        group[nonempty],
    )
    birth_year, birth_month = birth_year[nonempty], birth_month[nonempty]
    follows = np.zeros(len(child), dtype=bool)
    follows[1:] = (child[1:] == child[:-1]) & (start[1:] == end[:-1])
    continues = follows & np.isin(rne, CONTINUING_RNE)
    return Episodes(child, start, end, group, birth_year, birth_month, ~continues)


@dataclass
class Segments:
    """Spells in one state: an episode split at each birthday that crosses an age bracket."""

    child: np.ndarray
    start: np.ndarray
    end: np.ndarray
    state: np.ndarray
    new_period: np.ndarray

    def __len__(self) -> int:
        return len(self.child)


def split_by_age(episodes: Episodes, n_groups: int) -> Segments:
    """Each episode cut at the birthdays (1, 5, 10, 16) inside it: the child moves to the next
    age bracket on the birthday itself (an ageing transition)."""
    start, end = episodes.start, episodes.end
    cuts = [start]
    for years in BRACKET_BIRTHDAYS:
        cuts.append(
            np.clip(birthdays(episodes.birth_year, episodes.birth_month, years), start, end)
        )
    cuts.append(end)
    edges = np.stack(cuts, axis=1)  # episodes × 6: bracket j runs from edges[:, j] to [:, j+1]
    n = len(episodes)
    seg_start = edges[:, :-1].ravel()
    seg_end = edges[:, 1:].ravel()
    age = np.tile(np.arange(len(AGE_LABELS)), n)
    child = np.repeat(episodes.child, len(AGE_LABELS))
    group = np.repeat(episodes.group, len(AGE_LABELS))
    first = np.repeat(episodes.new_period, len(AGE_LABELS))
    keep = seg_end > seg_start
    # Only an episode's first non-empty segment can start a period of care.
    episode_index = np.repeat(np.arange(n), len(AGE_LABELS))[keep]
    is_first = np.ones(int(keep.sum()), dtype=bool)
    is_first[1:] = episode_index[1:] != episode_index[:-1]
    return Segments(
        child=child[keep],
        start=seg_start[keep],
        end=seg_end[keep],
        state=(age * n_groups + group)[keep],
        new_period=first[keep] & is_first,
    )


def segments_from_episodes(n_groups: int, **arrays) -> Segments:
    return split_by_age(clean_episodes(**arrays), n_groups)


def stock_on(segments: Segments, day: int, n_states: int) -> np.ndarray:
    """Children in each state on `day` (SSDA903: a spell ending on a day does not count on it)."""
    open_ = (segments.start <= day) & (segments.end > day)
    return np.bincount(segments.state[open_], minlength=n_states).astype(float)


def moves(segments: Segments, n_states: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(day, from state, to state) of every move between states; to = n_states for leaving
    care. A spell followed the same day by the same child's next spell, in the same period of
    care, moves into it (nothing is counted when the state is unchanged)."""
    ended = segments.end != OPEN
    nxt = np.zeros(len(segments), dtype=bool)
    nxt[:-1] = (
        (segments.child[1:] == segments.child[:-1])
        & (segments.start[1:] == segments.end[:-1])
        & ~segments.new_period[1:]
    )
    target = np.full(len(segments), n_states, dtype=np.int64)
    target[:-1] = np.where(nxt[:-1], segments.state[1:], n_states)
    real = ended & (target != segments.state)
    return segments.end[real], segments.state[real], target[real]


@dataclass
class Rates:
    """Daily rates: `moves[s, r]` from in-care state s to state r (r = n for leaving care),
    `entries[s]` children entering care into s per day."""

    moves: np.ndarray
    entries: np.ndarray

    @property
    def n(self) -> int:
        return len(self.entries)


def estimate_rates(segments: Segments, n_states: int, *, first: int, last: int) -> Rates:
    """Rates over the reference period `first`..`last` (day numbers, inclusive).

    Move rate s → r: the mean, over the period's days on which s held children the day
    before, of (moves s → r that day) ÷ (children in s the day before). Entry rate into s:
    entries into s in the period ÷ the period's days.
    """
    days = last - first + 1
    if days < 1:
        raise ValueError("The reference period must end on or after its start.")
    # Children in each state on each day from the day before the period to its last day.
    window = days + 1
    change = np.zeros((window + 1, n_states))
    lo = np.clip(segments.start - (first - 1), 0, window)
    hi = np.clip(segments.end - (first - 1), 0, window)
    np.add.at(change, (lo, segments.state), 1)
    np.add.at(change, (hi, segments.state), -1)
    stock = np.cumsum(change, axis=0)[:window]  # stock[i] = children on day first - 1 + i
    before = stock[:-1]  # the day before each day of the period
    on_days = (before > 0).sum(axis=0)
    day, source, target = moves(segments, n_states)
    inside = (day >= first) & (day <= last)
    day, source, target = day[inside], source[inside], target[inside]
    held = before[day - first, source]
    counted = held > 0
    share = np.zeros((n_states, n_states + 1))
    np.add.at(share, (source[counted], target[counted]), 1 / held[counted])
    rates = np.divide(share, on_days[:, None], out=np.zeros_like(share), where=on_days[:, None] > 0)
    entering = segments.new_period & (segments.start >= first) & (segments.start <= last)
    entries = np.bincount(segments.state[entering], minlength=n_states) / days
    return Rates(rates, entries.astype(float))


@dataclass
class Adjustment:
    """A change to one rate: `target` is a state number, n for leaving care, or None for the
    entry rate into `source`. `multiply` then `add`; the result is floored at 0."""

    source: int
    target: int | None
    multiply: float = 1.0
    add: float = 0.0


def adjust(rates: Rates, adjustments: list[Adjustment]) -> Rates:
    """Rates with the adjustments applied. Where a state's outward rates then add up to more
    than 1 (more than every child leaving each day), they are scaled to sum to 1: the adjusted
    rates keep their values where they fit (the others share what is left), and only when the
    adjusted rates alone pass 1 are they scaled down themselves (and the others become 0)."""
    moves_, entries = rates.moves.copy(), rates.entries.copy()
    touched = np.zeros_like(moves_, dtype=bool)
    for a in adjustments:
        if a.target is None:
            entries[a.source] = max(entries[a.source] * a.multiply + a.add, 0.0)
        else:
            moves_[a.source, a.target] = max(moves_[a.source, a.target] * a.multiply + a.add, 0.0)
            touched[a.source, a.target] = True
    for s in np.nonzero(moves_.sum(axis=1) > 1)[0]:
        fixed = moves_[s, touched[s]].sum()
        free = moves_[s, ~touched[s]].sum()
        if fixed <= 1:
            if free > 0:
                moves_[s, ~touched[s]] *= (1 - fixed) / free
        else:
            moves_[s, touched[s]] /= fixed
            moves_[s, ~touched[s]] = 0
    return Rates(moves_, entries)


def transition_matrix(rates: Rates) -> np.ndarray:
    """M with M[r, s] the daily rate s → r and M[s, s] = 1 − s's outward rates (leaving care
    included), so that stock(t+1) = M · stock(t) + entries."""
    n = rates.n
    m = rates.moves[:, :n].T.copy()
    np.fill_diagonal(m, 0)
    m[np.diag_indices(n)] = 1 - rates.moves.sum(axis=1) + np.diag(rates.moves[:, :n])
    return m


def project(stock: np.ndarray, rates: Rates, days: int) -> tuple[np.ndarray, np.ndarray]:
    """(stock, variance), each (days + 1) × states, row 0 the start:
    stock(t+1) = M·stock(t) + entries; variance(t+1) = variance(t) + (M∘(1−M))·stock(t) +
    entries (each child's daily move is a Bernoulli trial; entries are Poisson)."""
    m = transition_matrix(rates)
    spread = m * (1 - m)
    stocks = np.empty((days + 1, rates.n))
    variance = np.empty((days + 1, rates.n))
    stocks[0], variance[0] = stock, 0.0
    for t in range(days):
        stocks[t + 1] = m @ stocks[t] + rates.entries
        variance[t + 1] = variance[t] + spread @ stocks[t] + rates.entries
    return stocks, variance


def band(stocks: np.ndarray, variance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lower and upper ±2σ bounds of the total (states' variances added), floored at 0."""
    total, sigma = stocks.sum(axis=1), np.sqrt(variance.sum(axis=1))
    return np.maximum(total - 2 * sigma, 0), total + 2 * sigma


def daily_cost(
    stocks: np.ndarray, weekly: np.ndarray, *, inflation: float = 0.0, first_day: int = 1
) -> np.ndarray:
    """Cost of each projected day: children in each state × the weekly unit cost of its
    placement group ÷ 7, raised by `inflation` a year (compounded by day, 365 days a year).
    Row i of `stocks` is day i of the projection; day 0 (the start) is not charged."""
    day_index = np.arange(len(stocks))
    uplift = (1 + inflation) ** (day_index / 365)
    cost = stocks @ (weekly / 7) * uplift
    cost[:first_day] = 0
    return cost


def money(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(PENNY, rounding=ROUND_HALF_UP)


@dataclass
class Month:
    date: datetime.date
    total: float
    lower: float
    upper: float
    by_group: dict[str, float]
    cost: Decimal  # the month's projected cost (the days after the start up to the month end)


def monthly_summary(
    *,
    start: datetime.date,
    stocks: np.ndarray,
    variance: np.ndarray,
    costs: np.ndarray,
    groups: list[str],
    months: int,
) -> list[Month]:
    """Each month end's projected children (total, band, by group) and the month's cost in
    Decimal pounds (the float costs of its days summed, then rounded to the penny)."""
    lower, upper = band(stocks, variance)
    by_group = stocks.reshape(len(stocks), len(AGE_LABELS), len(groups)).sum(axis=1)
    result, previous = [], 0
    for end in month_ends(start, months):
        i = (end - start).days
        if i >= len(stocks):
            break
        result.append(
            Month(
                date=end,
                total=float(stocks[i].sum()),
                lower=float(lower[i]),
                upper=float(upper[i]),
                by_group={g: float(by_group[i, k]) for k, g in enumerate(groups)},
                cost=money(costs[previous + 1 : i + 1].sum()),
            )
        )
        previous = i
    return result


def quarter_of(day: datetime.date) -> str:
    """The financial quarter a day falls in, e.g. '2025/26 Q1' (April to June)."""
    year = day.year if day.month >= 4 else day.year - 1
    return f"{year}/{(year + 1) % 100:02d} Q{(day.month - 4) % 12 // 3 + 1}"


def by_quarter(months: list[Month]) -> list[tuple[str, Decimal]]:
    """The months' costs added up by financial quarter, in order."""
    totals: dict[str, Decimal] = {}
    for month in months:
        key = quarter_of(month.date)
        totals[key] = totals.get(key, Decimal("0")) + month.cost
    return list(totals.items())
