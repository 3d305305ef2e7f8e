"""Children looked after on a date: the rule is written twice, in the ORM
(placements.selectors.open_on, for one date) and in SQL over month ends
(placements.selectors.monthly_lac_series, for a trend in one query). They must agree."""

import datetime

import pytest

from placements.importers import pseudonymise
from placements.models import Child, Episode
from placements.selectors import lac_by_category_on, lac_on, monthly_lac_series

D = datetime.date


def episode(council, code, start, end=None, *, category="ifa"):
    child, _ = Child.objects.get_or_create(council=council, reference=pseudonymise(code))
    return Episode.objects.create(
        child=child,
        council=council,
        start=start,
        end=end,
        place="U4",
        place_provider="PR4",
        category=category,
    )


@pytest.fixture
def episodes(southwark):
    """Boundaries on purpose: an episode ending on a month end (not counted that day), one
    starting on a month end (counted), a child with two episodes in one month (counted once),
    and an open one."""
    episode(southwark, "A1", D(2024, 1, 10), D(2024, 2, 29))
    episode(southwark, "A2", D(2024, 2, 29), D(2024, 4, 2), category="residential")
    episode(southwark, "A3", D(2024, 1, 1), D(2024, 3, 15))
    episode(southwark, "A3", D(2024, 3, 15), None, category="residential")
    episode(southwark, "A4", D(2023, 12, 31), None)
    return southwark


def test_the_sql_series_and_the_orm_count_agree_at_every_month_end(episodes):
    series = monthly_lac_series(first=D(2023, 12, 1), months=6)
    by_month: dict[datetime.date, dict[str, int]] = {}
    for row in series:
        by_month.setdefault(row.month_end, {})[row.category] = row.children
    for month_end in [D(2023, 12, 31), D(2024, 1, 31), D(2024, 2, 29), D(2024, 3, 31)]:
        assert by_month.get(month_end, {}) == lac_by_category_on(month_end)
        assert sum(by_month.get(month_end, {}).values()) == lac_on(month_end)


def test_the_counts_follow_the_ssda903_rule_on_hand_checked_dates(episodes):
    # 31 Dec: A4 only. 31 Jan: A1, A3, A4. 29 Feb: A1 ends that day (not counted); A2 starts.
    # 31 Mar: A3 (second episode), A2, A4.
    assert [lac_on(d) for d in [D(2023, 12, 31), D(2024, 1, 31), D(2024, 2, 29)]] == [1, 3, 3]
    assert lac_by_category_on(D(2024, 3, 31)) == {"ifa": 1, "residential": 2}
