"""The demand model's arithmetic (placements.projection) on small hand-built histories, each
answer worked by hand."""

import datetime
from decimal import Decimal

import numpy as np
import pytest

from placements import projection as p

D = datetime.date


def days(*dates):
    return np.array([np.datetime64(d, "D") if d else np.datetime64("NaT") for d in dates])


def one_state_rates(exit_rate: float, entry: float = 0.0) -> p.Rates:
    """One state whose children leave care at `exit_rate` a day (moves[0, 1]: to not in care)."""
    return p.Rates(moves=np.array([[0, exit_rate]]), entries=np.array([entry]))


# --- projection ----------------------------------------------------------------------------


def test_a_stock_with_one_exit_rate_decays_by_that_share_each_day():
    stocks, _ = p.project(np.array([100.0]), one_state_rates(0.01), 2)
    assert stocks[:, 0] == pytest.approx([100, 99, 98.01])


def test_an_entry_rate_alone_gives_a_linear_rise():
    stocks, variance = p.project(np.array([10.0]), one_state_rates(0.0, entry=0.5), 4)
    assert stocks[:, 0] == pytest.approx([10, 10.5, 11, 11.5, 12])
    # No one leaves, so the variance is the entries' own (Poisson): 0.5 a day.
    assert variance[:, 0] == pytest.approx([0, 0.5, 1, 1.5, 2])


def test_the_band_follows_the_variance_formula_for_a_hand_computed_step():
    # Two states: A (0) moves to B (1) at 0.1 a day and leaves care at 0.1; B leaves at 0.2.
    # 100 in A, 50 in B, 2 a day entering A.
    rates = p.Rates(moves=np.array([[0, 0.1, 0.1], [0, 0, 0.2]]), entries=np.array([2.0, 0]))
    m = p.transition_matrix(rates)
    assert m == pytest.approx(np.array([[0.8, 0], [0.1, 0.8]]))
    stocks, variance = p.project(np.array([100.0, 50.0]), rates, 1)
    # A: 0.8 × 100 + 2 = 82; B: 0.1 × 100 + 0.8 × 50 = 50.
    assert stocks[1] == pytest.approx([82, 50])
    # M∘(1−M) = [[0.16, 0], [0.09, 0.16]]: A 0.16 × 100 + 2 = 18; B 0.09 × 100 + 0.16 × 50 = 17.
    assert variance[1] == pytest.approx([18, 17])
    lower, upper = p.band(stocks, variance)
    # Total 132, σ = √35 ≈ 5.916: the band is 132 ± 11.832.
    assert lower[1] == pytest.approx(132 - 2 * 35**0.5)
    assert upper[1] == pytest.approx(132 + 2 * 35**0.5)
    assert lower[0] == upper[0] == 150


def test_an_adjustment_multiplies_or_adds_and_is_floored_at_zero():
    rates = p.Rates(moves=np.array([[0, 0.1, 0.1], [0, 0, 0.2]]), entries=np.array([2.0, 0]))
    adjusted = p.adjust(
        rates,
        [
            p.Adjustment(source=0, target=1, multiply=2),
            p.Adjustment(source=1, target=2, add=-0.5),
            p.Adjustment(source=0, target=None, multiply=1.5),
        ],
    )
    assert adjusted.moves[0] == pytest.approx([0, 0.2, 0.1])
    assert adjusted.moves[1] == pytest.approx([0, 0, 0])
    assert adjusted.entries == pytest.approx([3, 0])
    assert rates.moves[0, 1] == 0.1  # the base rates are unchanged


def test_an_adjustment_that_pushes_outflows_past_one_is_scaled_keeping_the_adjusted_rate():
    rates = p.Rates(moves=np.array([[0, 0.3, 0.2], [0, 0, 0.1]]), entries=np.zeros(2))
    adjusted = p.adjust(rates, [p.Adjustment(source=0, target=1, add=0.6)])
    # 0.9 + 0.2 = 1.1 > 1: the adjusted 0.9 fits and stays; leaving care gets the 0.1 left.
    assert adjusted.moves[0] == pytest.approx([0, 0.9, 0.1])
    assert adjusted.moves[0].sum() == pytest.approx(1)


def test_adjusted_rates_that_alone_pass_one_are_scaled_to_one_and_the_others_become_zero():
    rates = p.Rates(moves=np.array([[0, 0.3, 0.2], [0, 0, 0.1]]), entries=np.zeros(2))
    adjusted = p.adjust(
        rates,
        [p.Adjustment(source=0, target=1, multiply=3), p.Adjustment(source=0, target=2, add=0.4)],
    )  # 0.9 and 0.6 add up to 1.5: scaled to 0.6 and 0.4
    assert adjusted.moves[0] == pytest.approx([0, 0.6, 0.4])


def test_costs_are_children_times_the_weekly_cost_over_seven_with_inflation_by_day():
    stocks = np.array([[7.0], [7.0], [14.0]])
    cost = p.daily_cost(stocks, np.array([700.0]))
    assert cost == pytest.approx([0, 700, 1400])  # the start day itself is not charged
    cost = p.daily_cost(np.full((366, 1), 1.0), np.array([7.0]), inflation=0.1)
    assert cost[365] == pytest.approx(1.1)


def test_the_monthly_summary_adds_each_months_days_and_rounds_the_money_to_pence():
    start = D(2025, 3, 30)
    n = (D(2025, 4, 30) - start).days  # 31 days
    stocks = np.ones((n + 1, len(p.AGE_LABELS) * 2))  # 10 states of one child each
    costs = np.full(n + 1, 1.005)
    months = p.monthly_summary(
        start=start,
        stocks=stocks,
        variance=np.zeros_like(stocks),
        costs=costs,
        groups=["a", "b"],
        months=2,
    )
    assert [m.date for m in months] == [D(2025, 3, 31), D(2025, 4, 30)]
    assert months[0].cost == Decimal("1.01")  # one day (31 March)
    assert months[1].cost == Decimal("30.15")  # thirty days of April
    assert months[1].by_group == {"a": 5, "b": 5} and months[1].total == 10
    assert p.by_quarter(months) == [
        ("2024/25 Q4", Decimal("1.01")),
        ("2025/26 Q1", Decimal("30.15")),
    ]


# --- cleaning --------------------------------------------------------------------------------


def clean(**columns):
    n = len(columns["child"])
    defaults = {
        "rne": ["S"] * n,
        "group": [0] * n,
        "birth_year": [2010] * n,
        "birth_month": [1] * n,
    }
    return p.clean_episodes(**{**defaults, **columns})


def test_rows_without_a_child_a_start_or_a_birth_are_dropped():
    episodes = clean(
        child=[-1, 2, 3, 4, 5],
        start=days("2024-01-01", None, "2024-01-01", "2024-01-01", "2024-01-01"),
        end=days(None, None, None, None, None),
        birth_year=[2010, 2010, 0, 2010, 2010],
        birth_month=[1, 1, 1, 0, 3],
    )
    assert episodes.child.tolist() == [5]


def test_overlapping_episodes_end_the_earlier_at_the_later_start_after_sorting():
    episodes = clean(
        child=[1, 1, 1],
        start=days("2024-03-01", "2024-01-01", "2024-01-01"),
        end=days(None, "2024-04-01", "2024-02-01"),
        rne=["P", "S", "P"],
    )
    # Sorted by start then end: 1 Jan–1 Feb, 1 Jan–1 Apr, 1 Mar–open. The first overlaps the
    # second and is cut to nothing (dropped); the second is cut at 1 March.
    assert [p.day_date(d) for d in episodes.start] == [D(2024, 1, 1), D(2024, 3, 1)]
    assert [p.day_date(d) for d in episodes.end[:1]] == [D(2024, 3, 1)]
    assert episodes.end[1] == p.OPEN


def test_an_episode_following_the_same_day_with_rne_l_t_or_u_continues_the_period_of_care():
    episodes = clean(
        child=[1, 1, 1, 1, 1],
        start=days("2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01", "2024-06-01"),
        end=days("2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01", None),
        rne=["S", "L", "T", "P", "U"],
    )
    # L and T continue; P the same day starts a new period; U after a gap starts one too.
    assert episodes.new_period.tolist() == [True, False, False, True, True]


# --- the age split and the groupings ----------------------------------------------------------


def test_a_child_moves_to_the_next_age_bracket_on_the_birthday_that_crosses_it():
    # Born June 2014: taken as 15 June 2014, so 10 on 15 June 2024.
    episodes = clean(
        child=[1],
        start=days("2024-01-01"),
        end=days("2024-09-01"),
        group=[1],
        birth_year=[2014],
        birth_month=[6],
    )
    segments = p.split_by_age(episodes, n_groups=2)
    assert [p.day_date(d) for d in segments.start] == [D(2024, 1, 1), D(2024, 6, 15)]
    assert [p.day_date(d) for d in segments.end] == [D(2024, 6, 15), D(2024, 9, 1)]
    labels = p.state_labels(["a", "b"])
    assert [labels[s] for s in segments.state] == ["5-10 b", "10-16 b"]
    assert segments.new_period.tolist() == [True, False]
    day, source, target = p.moves(segments, 10)
    # The birthday moves the child on; the episode's end on 1 September takes them out of care.
    assert [p.day_date(d) for d in day] == [D(2024, 6, 15), D(2024, 9, 1)]
    assert [labels[s] for s in source] == ["5-10 b", "10-16 b"]
    assert target.tolist() == [labels.index("10-16 b"), 10]
    assert p.stock_on(segments, p.day_number(D(2024, 6, 14)), 10)[labels.index("5-10 b")] == 1
    assert p.stock_on(segments, p.day_number(D(2024, 6, 15)), 10)[labels.index("10-16 b")] == 1


def test_the_demand_model_groups_place_codes_into_four():
    assert [p.demand_model_group(c) for c in ["U1", "u6", "K2", "R1", "P3", "S1"]] == [
        "fostering",
        "fostering",
        "residential",
        "residential",
        "residential",
        "residential",
    ]
    assert [p.demand_model_group(c) for c in ["H5", "K3", "P2", "K1", "P1", "A3", "Z1"]] == [
        "supported",
        "supported",
        "supported",
        "other",
        "other",
        "other",
        "other",
    ]


# --- rates from a history ----------------------------------------------------------------


def test_rates_are_the_mean_daily_share_moving_and_entries_per_day():
    # Two children in one state (one group, age 10-16) over a 10-day reference period, 1–10
    # March 2024. Child 1 leaves on 3 March (2 in care on 2 March: 1/2 that day); child 2 on
    # 6 March (1 in care the day before: 1/1). Child 3 enters on 8 March and stays.
    # Days with children the day before: 1–6 March (6 days) and 9–10 March (2 days): 8 days.
    # Exit rate = (1/2 + 1) / 8 = 0.1875; entry rate = 1 entry / 10 days = 0.1.
    episodes = clean(
        child=[1, 2, 3],
        start=days("2024-01-01", "2024-01-01", "2024-03-08"),
        end=days("2024-03-03", "2024-03-06", None),
    )
    segments = p.split_by_age(episodes, n_groups=1)
    state = p.state_labels(["g"]).index("10-16 g")
    rates = p.estimate_rates(
        segments, 5, first=p.day_number(D(2024, 3, 1)), last=p.day_number(D(2024, 3, 10))
    )
    assert rates.moves[state, 5] == pytest.approx(0.1875)
    assert rates.moves.sum() == pytest.approx(0.1875)
    assert rates.entries[state] == pytest.approx(0.1)
    assert rates.entries.sum() == pytest.approx(0.1)


def test_a_change_of_group_within_a_period_is_a_transition_not_an_exit():
    episodes = clean(
        child=[1, 1],
        start=days("2024-01-01", "2024-03-05"),
        end=days("2024-03-05", "2024-06-01"),
        group=[0, 1],
        rne=["S", "P"],
    )
    # RNE P is not L, T or U: the second episode starts a new period, so this is an exit and
    # an entry. With T it is a move from group 0 to group 1.
    segments = p.split_by_age(episodes, 2)
    assert p.moves(segments, 10)[2].tolist() == [10, 10]
    assert segments.new_period.tolist() == [True, True]
    episodes = clean(
        child=[1, 1],
        start=days("2024-01-01", "2024-03-05"),
        end=days("2024-03-05", "2024-06-01"),
        group=[0, 1],
        rne=["S", "T"],
    )
    segments = p.split_by_age(episodes, 2)
    labels = p.state_labels(["a", "b"])
    _, source, target = p.moves(segments, 10)
    assert [labels[s] for s in source] == ["10-16 a", "10-16 b"]
    assert target.tolist() == [labels.index("10-16 b"), 10]  # then out of care on 1 June
    rates = p.estimate_rates(
        segments, 10, first=p.day_number(D(2024, 3, 1)), last=p.day_number(D(2024, 3, 10))
    )
    # One child in a from 1 March; moves on 5 March; a held a child the day before on 1–5
    # March (5 days): 1/1 ÷ 5 = 0.2.
    assert rates.moves[labels.index("10-16 a"), labels.index("10-16 b")] == pytest.approx(0.2)
    assert rates.entries.sum() == 0
