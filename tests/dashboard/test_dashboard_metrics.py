"""The dashboard's numbers: forecast paths, forecast accuracy and the headline sentences."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets import selectors, trends
from budgets.models import BudgetLine, FinancialYear, Period, Service
from budgets.trends import Headline, PathPoint

M = Decimal("1000000")


def period(label_start: int, number: int) -> Period:
    return Period.objects.select_related("year").get(year__start_year=label_start, number=number)


def csc():
    return Service.objects.filter(code="CSC")


def rounded(amount: Decimal) -> Decimal:
    return (amount / M).quantize(Decimal("0.1"))


# --- small hand-checked examples, no database ---


def test_accuracy_is_each_forecast_minus_the_outturn():
    path = [
        PathPoint(6, datetime.date(2017, 9, 1), Decimal("100"), Decimal("104")),
        PathPoint(12, datetime.date(2018, 3, 1), Decimal("100"), Decimal("113")),
    ]
    points = trends.forecast_accuracy(path, Decimal("112"))
    assert [p.error for p in points] == [Decimal("-8"), Decimal("1")]
    assert points[0].label == "P6 Sep 2017"


def test_a_headline_reads_like_the_committee_report():
    since = Period(number=4, year=FinancialYear(start_year=2018))
    headline = Headline(
        name="Children's Social Care",
        variance=Decimal("12_900_000"),
        change=Decimal("2_900_000"),
        since=since,
        periods_back=2,
        main_area="Children's placements",
        main_area_variance=Decimal("8_700_000"),
    )
    assert headline.sentence == (
        "Children's Social Care forecasts an overspend of £12.9m, up £2.9m since July 2018 "
        "(period 4, 2 months before), mainly children's placements (£8.7m)."
    )


def test_headlines_for_underspends_and_unchanged_positions():
    assert (
        Headline(name="Education", variance=Decimal("-400000")).sentence
        == "Education forecasts an underspend of £0.4m."
    )
    since = Period(number=1, year=FinancialYear(start_year=2018))
    headline = Headline(
        name="Youth", variance=Decimal("0"), change=Decimal("20000"), since=since, periods_back=1
    )
    assert (
        headline.sentence
        == "Youth forecasts to spend its budget, unchanged since April 2018 (period 1, 1 month "
        "before)."
    )


# --- the demo council: the report's figures ---


@pytest.mark.django_db
def test_the_csc_forecast_kept_rising_through_2017_18():
    path = trends.forecast_path(period(2017, 12), csc())
    variances = {p.number: rounded(p.variance) for p in path}
    assert len(path) == 12
    assert variances[6] == Decimal("4.8")  # September 2017
    assert variances[10] == Decimal("5.9")  # January 2018
    assert variances[12] == Decimal("12.6")  # outturn, March 2018
    assert rounded(path[0].budget) == Decimal("36.8")


@pytest.mark.django_db
def test_the_2018_19_path_stops_at_the_chosen_period():
    path = trends.forecast_path(period(2018, 6), csc())
    assert [p.number for p in path] == [1, 2, 3, 4, 5, 6]
    assert rounded(path[3].variance) == Decimal("10.0")  # July 2018
    assert rounded(path[5].variance) == Decimal("12.9")  # September 2018
    assert [p.number for p in trends.forecast_path(period(2018, 4), csc())] == [1, 2, 3, 4]


@pytest.mark.django_db
def test_a_closed_years_final_outturn_is_its_actual_spend():
    outturn = trends.final_outturn(period(2017, 6), csc())
    assert rounded(outturn) == Decimal("49.4")  # 36.8 budget + 12.6 overspend
    accuracy = trends.forecast_accuracy(trends.forecast_path(period(2017, 12), csc()), outturn)
    assert rounded(accuracy[5].error) == Decimal("-7.8")  # September 2017: 4.8 against 12.6
    assert rounded(accuracy[-1].error) == Decimal("0.0")


@pytest.mark.django_db
def test_an_open_year_has_no_final_outturn():
    assert trends.final_outturn(period(2018, 6), csc()) is None


@pytest.mark.django_db
def test_the_comparison_period_is_the_councils_periods_back_in_the_same_year():
    # The demo council compares with two periods before (its committee met every other month).
    assert trends.headline_period(period(2018, 6)).number == 4
    assert trends.headline_period(period(2018, 2)) is None
    assert trends.headline_period(period(2018, 6), back=1).number == 5
    assert trends.headline_period(period(2018, 1), back=1) is None


@pytest.mark.django_db
def test_the_demo_headline_for_september_2018():
    services = Service.objects.all()
    at = period(2018, 6)
    directorates = selectors.directorate_positions(at, services)
    headlines = trends.overview_headlines(at, services, directorates)
    assert headlines[0].sentence == (
        "Children's Social Care forecasts an overspend of £12.9m, up £2.9m since July 2018 "
        "(period 4, 2 months before), mainly children's placements (£8.7m)."
    )


@pytest.mark.django_db
def test_metric_queries_do_not_grow_with_the_number_of_lines():
    services = Service.objects.all()
    at = period(2018, 6)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            directorates = selectors.directorate_positions(at, services)
            trends.overview_headlines(at, services, directorates)
            trends.forecast_path(at, services)
            trends.final_outturn(period(2017, 6), services)
        return len(ctx)

    before = count()
    BudgetLine.objects.bulk_create(
        BudgetLine(code=f"CSC-X-{i}", name=f"X {i}", service=csc().get(), area_of_spend_id="income")
        for i in range(30)
    )
    assert count() == before
