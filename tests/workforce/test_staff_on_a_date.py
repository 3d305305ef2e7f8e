"""Staff on a date: the rule is written twice, in the ORM (workforce.selectors.filled_on, for
one date) and in SQL over month ends (workforce.selectors.agency_ratio_series, for a trend in
one query). They must agree."""

import datetime
from decimal import Decimal

import pytest

from budgets.models import Service
from workforce import metrics
from workforce.models import Filling, Post, Team
from workforce.selectors import agency_ratio_series, fte_by_status

D = datetime.date


@pytest.fixture
def establishment(southwark):
    """Three posts: an agency worker leaving on a month end (not counted that day), a
    permanent half-time worker starting on a month end (counted), and a vacancy."""
    team = Team.objects.create(
        service=Service.objects.filter(directorate__council=southwark).first(), name="Team A"
    )
    posts = [
        Post.objects.create(
            reference=f"T-{n}", team=team, title="SW", fte=Decimal("1"), budgeted_cost=50000
        )
        for n in range(3)
    ]
    for post, start, end, status, fte in [
        (posts[0], D(2024, 1, 1), D(2024, 2, 29), "agency", "1"),
        (posts[1], D(2024, 1, 31), None, "permanent", "0.5"),
        (posts[2], D(2024, 1, 1), None, "vacant", "1"),
    ]:
        Filling.objects.create(
            post=post, start=start, end=end, status=status, fte=Decimal(fte), annual_cost=0
        )
    return southwark


def test_the_sql_series_and_the_orm_sum_agree_at_every_month_end(establishment):
    for row in agency_ratio_series(first=D(2023, 12, 1), months=4):
        fte = fte_by_status(row.month_end)
        assert (row.agency, row.permanent) == (fte["agency"], fte["permanent"])


def test_staff_in_post_follows_the_date_rule_on_hand_checked_dates(establishment):
    in_post = [metrics.staff_in_post(fte_by_status(d)) for d in [D(2024, 1, 30), D(2024, 1, 31)]]
    assert in_post == [Decimal("1"), Decimal("1.5")]
    # 29 February: the agency worker's last day is not counted; the permanent half stays.
    assert fte_by_status(D(2024, 2, 29)) == {
        "permanent": Decimal("0.5"),
        "agency": Decimal("0"),
        "vacant": Decimal("1"),
    }
