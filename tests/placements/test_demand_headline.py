"""The overview says when the demand model and the officers' forecast of the placement lines
differ by more than the commentary threshold; on the closed-year council of
tests.placements.test_backtest
(at P6 the officer forecasts £55,000 and the model £36,200: £18,800 below)."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import override_settings

from budgets.models import Service
from placements.demand_comparison import DemandHeadline, demand_headline
from tests.placements import test_backtest

pytestmark = pytest.mark.django_db

closed_year = test_backtest.closed_year  # Southwark, 2024/25 closed, set up through the commands
SENTENCE = "The demand model projects placements £18,800 below the officers&#x27; forecast."


def social_care():
    return Service.objects.filter(code="SCF", directorate__code="CFS")


def test_the_headline_appears_only_past_the_threshold(closed_year, settings):
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        settings.CSC_COMMENTARY_THRESHOLD = Decimal("18799.99")
        headline = demand_headline(closed_year[6], social_care())
        assert headline.gap == Decimal("-18800.00")
        settings.CSC_COMMENTARY_THRESHOLD = Decimal("18800")
        assert demand_headline(closed_year[6], social_care()) is None
        # At P3 the model (£36,400) is £13,600 below the officers (£50,000).
        settings.CSC_COMMENTARY_THRESHOLD = Decimal("13599")
        assert demand_headline(closed_year[3], social_care()).gap == Decimal("-13600.00")


def test_the_sentence_reads_in_millions_or_pounds():
    assert DemandHeadline(Decimal("1200000")).sentence == (
        "The demand model projects placements £1.2m above the officers' forecast."
    )
    assert DemandHeadline(Decimal("-18800")).sentence == (
        "The demand model projects placements £18,800 below the officers' forecast."
    )


def test_the_overview_shows_the_headline_in_few_queries(
    closed_year, client, settings, django_assert_max_num_queries
):
    settings.CSC_COMMENTARY_THRESHOLD = Decimal("10000")
    cache.clear()
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        client.force_login(get_user_model().objects.get(username="r.shah"))
        with django_assert_max_num_queries(40):
            html = client.get("/?year=2024/25&period=6").content.decode()
        assert SENTENCE in html
        # Education has no placement line, and no other period has a gap so wide.
        settings.CSC_COMMENTARY_THRESHOLD = Decimal("20000")
        cache.clear()
        assert (
            "The demand model projects"
            not in client.get("/?year=2024/25&period=6").content.decode()
        )


def test_no_headline_without_episodes(client, settings):
    """A council with placement lines and forecasts but no episodes gets no demand sentence."""
    from budgets.models import BudgetLine, Council, Period
    from budgets.services import forecast_save
    from placements.models import CategoryLine

    settings.CSC_COMMENTARY_THRESHOLD = Decimal("1")
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        test_backtest.run("setup_council", la_code="210", name="Southwark", year="2024/25")
        test_backtest.run("import_budgets", str(test_backtest.EXAMPLES / "budget_book_2024-25.csv"))
        test_backtest.run("import_users", str(test_backtest.EXAMPLES / "users.csv"))
        line = BudgetLine.objects.get(code="K31002", service__directorate__council__la_code="210")
        CategoryLine.objects.create(
            council=Council.objects.get(la_code="210"), category="ifa", line=line
        )
        period = Period.objects.select_related("year").get(year__start_year=2024, number=3)
        forecast_save(
            user=get_user_model().objects.get(username="a.okafor"),
            line=line,
            period=period,
            outturn=Decimal("1000"),
            commentary="",
            based_on_version=0,
        )
        assert demand_headline(period, social_care()) is None
