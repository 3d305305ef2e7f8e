"""The synthetic data generator behind `make bench`: realistic shapes, reproducible, COPY."""

import datetime
import io
import random

import pytest
from django.core.management import call_command

from bench.synthetic import LARGE_COUNTY_LAC, LARGE_COUNTY_STAFF, children_in_care
from budgets.models import BudgetLine, Council
from placements import selectors as placement_selectors
from placements.categories import category_for
from placements.models import CategoryLine, Child, Episode
from workforce import metrics as workforce_metrics
from workforce import selectors as workforce_selectors
from workforce.models import Post

FIRST = datetime.date(2024, 4, 1).toordinal()


@pytest.fixture
def large_county(db, settings):
    call_command(
        "generate_synthetic", councils=2, years=3, seed=7, force=True, stdout=io.StringIO()
    )
    settings.CSC_COUNCIL_LA_CODE = "001"
    return Council.objects.get(la_code="001")


def test_a_large_county_has_about_2000_children_in_care_and_1500_staff(large_county):
    day = datetime.date(2024, 9, 30)
    assert abs(placement_selectors.lac_on(day) - LARGE_COUNTY_LAC) < LARGE_COUNTY_LAC * 0.1
    assert Post.objects.filter(team__service__directorate__council=large_county).count() == (
        LARGE_COUNTY_STAFF
    )
    ratio = workforce_metrics.agency_ratio(workforce_selectors.fte_by_status(day))
    assert 5 <= ratio <= 45
    lines = BudgetLine.objects.filter(service__directorate__council=large_county)
    assert 250 <= lines.count() <= 350


def test_episodes_are_valid_ssda903_and_belong_to_their_childs_council(large_county):
    episodes = Episode.objects.filter(council=large_county)
    assert episodes.count() > 10 * LARGE_COUNTY_LAC / 2
    for place, provider, category in episodes.values_list(
        "place", "place_provider", "category"
    ).distinct():
        assert category_for(place, provider) == category
    assert not Episode.objects.exclude(council_id=models_child_council()).exists()
    # Open episodes carry a planned end; only the last episode of a child may be open.
    assert not episodes.filter(end__isnull=True, planned_end__isnull=True).exists()
    assert CategoryLine.objects.filter(council=large_county).count() == 8
    # No child is held with a day of birth: only year and month.
    assert not Child.objects.filter(birth_month__isnull=True).exists()


def models_child_council():
    from django.db.models import OuterRef, Subquery

    return Subquery(Child.objects.filter(pk=OuterRef("child_id")).values("council_id"))


def test_the_same_seed_gives_the_same_children_and_another_seed_does_not():
    def children(seed):
        rng = random.Random(seed)  # noqa: S311 (test data)
        return list(children_in_care(rng, lac=100, first=FIRST, last=FIRST + 365))

    assert children(1) == children(1)
    assert children(1) != children(2)
