"""Counting children looked after: the date rule, the monthly series, rates per 10,000, the
report's tables 10.1 and 10.4 from the demo data, and another council's episodes."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from budgets.formatting import millions
from budgets.models import Council
from placements import metrics, selectors
from placements.importers import episodes_import, pseudonymise
from placements.models import Child, Episode
from tests.placements.helpers import EPISODES, new_child

D = datetime.date


@pytest.mark.django_db
def test_the_start_day_counts_and_the_end_day_does_not():
    Episode.objects.all().delete()
    child = new_child("T1")
    Episode.objects.create(
        child=child,
        council=child.council,
        start=D(2020, 1, 10),
        end=D(2020, 2, 10),
        place="U1",
        category="in_house_fostering",
    )
    assert selectors.lac_on(D(2020, 1, 9)) == 0
    assert selectors.lac_on(D(2020, 1, 10)) == 1
    assert selectors.lac_on(D(2020, 2, 9)) == 1
    assert selectors.lac_on(D(2020, 2, 10)) == 0
    # A new placement starting the day the last one ended: still one child, counted once.
    Episode.objects.create(
        child=child,
        council=child.council,
        start=D(2020, 2, 10),
        place="K2",
        category="residential",
    )
    assert selectors.lac_on(D(2020, 2, 10)) == 1
    assert selectors.lac_by_category_on(D(2020, 2, 10)) == {"residential": 1}


@pytest.mark.django_db
def test_the_monthly_series_counts_each_month_end_by_category():
    Episode.objects.all().delete()
    child = new_child("T2")
    Episode.objects.create(
        child=child,
        council=child.council,
        start=D(2020, 1, 31),
        end=D(2020, 3, 31),
        place="U4",
        place_provider="PR4",
        category="ifa",
    )
    assert selectors.monthly_lac_series(first=D(2020, 1, 1), months=3) == [
        (D(2020, 1, 31), "ifa", 1),
        (D(2020, 2, 29), "ifa", 1),
    ]


def test_the_rate_per_10000_children():
    assert metrics.rate_per_10k(children=494, population=68845) == Decimal("71.8")


@pytest.mark.django_db
def test_the_demo_reproduces_the_lac_counts_of_table_10_1():
    counts = {y: selectors.lac_on(D(y, 8, 31)) for y in range(2013, 2019)}
    assert counts == {2013: 506, 2014: 516, 2015: 489, 2016: 440, 2017: 467, 2018: 494}


@pytest.mark.django_db
def test_the_demo_reproduces_table_10_4():
    rows = {r.category: r for r in selectors.placement_costs(D(2017, 9, 30))}
    table = {
        key: (rows[key].children, rows[key].unit_cost, millions(rows[key].annual_cost))
        for key in ["residential", "ifa", "in_house_fostering"]
    }
    assert table == {
        "residential": (35, Decimal("3741.00"), "6.8"),
        "ifa": (198, Decimal("911.00"), "9.4"),
        "in_house_fostering": (168, Decimal("426.00"), "3.7"),
    }
    assert (rows["in_house_fostering"].share, rows["ifa"].share) == (
        Decimal("35.8"),
        Decimal("42.2"),
    )
    residential_incl_semi = rows["residential"].children + rows["semi_independent"].children
    assert residential_incl_semi == 77
    assert round(Decimal(77) * 100 / sum(r.children for r in rows.values()), 1) == Decimal("16.4")


@pytest.mark.django_db
def test_rate_series_averages_only_published_neighbours():
    from placements.models import LacRate

    LacRate.objects.all().delete()
    for code, rate in [("900", "70"), ("901", "60"), ("902", None), ("E92000001", "62")]:
        LacRate.objects.create(
            area_code=code,
            area_name=code,
            level="x",
            year=2018,
            children=1,
            rate_per_10k=Decimal(rate) if rate else None,
        )
    assert selectors.rate_series("900", ["901", "902"]) == [
        (2018, Decimal("70"), Decimal("60.0"), Decimal("62"))
    ]


@pytest.mark.django_db
def test_another_councils_episodes_are_neither_counted_nor_merged(settings):
    """A national database holds every council's episodes; each council's pages count its own,
    and the same SSDA903 identifier in two councils is two children."""
    day = D(2018, 8, 31)
    before = (selectors.lac_on(day), selectors.monthly_lac_series(first=D(2018, 4, 1), months=6))
    Council.objects.create(name="Neighbouring council", la_code="002")
    settings.CSC_COUNCIL_LA_CODE = "002"
    assert episodes_import(EPISODES.encode(), file_name="n.csv").created == 2
    assert selectors.lac_on(D(2024, 6, 1)) == 2
    assert selectors.lac_on(day) == 0
    settings.CSC_COUNCIL_LA_CODE = ""
    assert (selectors.lac_on(day), selectors.monthly_lac_series(first=D(2018, 4, 1), months=6)) == (
        before
    )
    assert episodes_import(EPISODES.encode(), file_name="n.csv").created == 2
    assert Child.objects.filter(reference=pseudonymise("900001")).count() == 2


@pytest.mark.django_db
def test_the_database_refuses_an_episode_of_another_councils_child():
    other = Council.objects.create(name="Neighbouring council", la_code="002")
    child = new_child("X1")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS episode_council_is_childs IMMEDIATE")
    with pytest.raises(IntegrityError, match="episode_council_is_childs"):
        Episode.objects.create(
            child=child, council=other, start=D(2020, 1, 1), place="U1", category="ifa"
        )


@pytest.mark.django_db
def test_the_database_refuses_an_episode_of_a_child_or_council_it_does_not_hold():
    """The (child, council) key is the only foreign key on an episode (placements 0008): it
    refuses a child that does not exist, and a council that is not the child's."""
    child = new_child("X2")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS episode_council_is_childs IMMEDIATE")
    for child_id, council_id in [(child.pk + 1000, child.council_id), (child.pk, 999_999)]:
        with (
            pytest.raises(IntegrityError, match="episode_council_is_childs"),
            transaction.atomic(),
        ):
            Episode.objects.create(
                child_id=child_id,
                council_id=council_id,
                start=D(2020, 1, 1),
                place="U1",
                category="ifa",
            )
    Episode.objects.create(
        child=child, council_id=child.council_id, start=D(2020, 1, 1), place="U1", category="ifa"
    )
    with (
        pytest.raises(IntegrityError, match="episode_council_is_childs"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM placements_child WHERE id = %s", [child.pk])
