"""`load_demo` reproduces the committee report's figures (Lewisham PASC, 25 September 2018)."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from budgets import metrics, selectors
from budgets.formatting import millions
from budgets.models import (
    Actual,
    Budget,
    BudgetLine,
    Forecast,
    Period,
    Saving,
    Service,
)

pytestmark = pytest.mark.django_db


def period(year: int, number: int) -> Period:
    return Period.objects.select_related("year").get(year__start_year=year, number=number)


def csc_variance(year: int, number: int) -> str:
    positions = selectors.directorate_positions(period(year, number))
    cyp = next(d for d in positions if d.key == "CYP")
    return millions(next(s for s in cyp.children if s.key == "CSC").variance)


def cyp_variance(year: int, number: int) -> str:
    positions = selectors.directorate_positions(period(year, number))
    return millions(next(d for d in positions if d.key == "CYP").variance)


def test_section_9_table_line_by_line():
    areas = selectors.area_positions(period(2018, 6), Service.objects.get(code="CSC"))
    rows = [(a.name, millions(a.budget), millions(a.variance)) for a in areas]
    assert rows == [
        ("Staffing", "10.5", "4.1"),
        ("Children's placements", "22.6", "8.7"),
        ("Specialist support", "1.3", "0.1"),
        ("Other support", "3.0", "0.4"),
        ("Other costs", "4.0", "(0.4)"),
    ]
    total = metrics.total(areas)
    assert (millions(total.budget), millions(total.variance)) == ("41.6", "12.9")


def test_appendix_1_csc_forecasts_at_each_reporting_date():
    assert csc_variance(2017, 6) == "4.8"  # September 2017
    assert csc_variance(2017, 10) == "5.9"  # January 2018
    assert csc_variance(2017, 12) == "12.6"  # March 2018 outturn
    assert csc_variance(2018, 4) == "10.0"  # July 2018
    assert csc_variance(2018, 6) == "12.9"  # September 2018


def test_appendix_1_cyp_forecasts_at_each_reporting_date():
    assert cyp_variance(2017, 6) == "7.2"
    assert cyp_variance(2017, 10) == "8.6"
    assert cyp_variance(2017, 12) == "15.5"
    assert cyp_variance(2018, 4) == "13.6"
    assert cyp_variance(2018, 6) == "15.5"


def test_whole_council_forecast_at_july_2018_matches_section_4_1():
    positions = selectors.directorate_positions(period(2018, 4))
    assert millions(metrics.total(positions).variance) == "17.4"


def test_there_is_more_than_one_directorate():
    positions = selectors.directorate_positions(period(2018, 6))
    assert [d.key for d in positions] == ["COM", "CYP", "RES"]


def test_section_4_4_savings_by_year_total_14_5():
    savings = Saving.objects.filter(service__code="CSC")
    by_year = {s.year.label: millions(s.target) for s in savings.select_related("year")}
    assert by_year == {
        "2010/11": "0.2",
        "2011/12": "3.6",
        "2012/13": "0.3",
        "2013/14": "0.5",
        "2014/15": "0.3",
        "2015/16": "4.2",
        "2016/17": "1.4",
        "2017/18": "3.3",
        "2018/19": "0.7",
    }
    assert millions(savings.aggregate(t=Sum("target"))["t"]) == "14.5"


def test_forecasts_cover_every_period_of_2017_18_and_periods_1_to_6_of_2018_19():
    lines = BudgetLine.objects.count()
    for number in range(1, 13):
        assert Forecast.objects.filter(period=period(2017, number)).count() == lines
    for number in range(1, 7):
        assert Forecast.objects.filter(period=period(2018, number)).count() == lines
    assert not Forecast.objects.filter(period__year__start_year=2018, period__number=7).exists()


def test_a_closed_years_actuals_add_up_to_its_outturn():
    for line in BudgetLine.objects.all():
        spent = Actual.objects.filter(line=line, period__year__start_year=2017).aggregate(
            s=Sum("amount")
        )["s"]
        outturn = Forecast.objects.get(line=line, period=period(2017, 12)).outturn
        assert spent == outturn, line.code


def test_2017_18_is_closed_and_september_2018_is_the_open_month():
    assert not Period.objects.filter(year__start_year=2017, status="open").exists()
    assert list(
        Period.objects.filter(year__start_year=2018, status="closed").values_list(
            "number", flat=True
        )
    ) == [1, 2, 3, 4, 5]
    assert period(2018, 6).status == "open"


def test_the_finance_officer_is_assigned_to_csc(finance):
    assert list(finance.assigned_services.values_list("code", flat=True)) == ["CSC"]


def test_demo_users_hold_one_role_each():
    from django.contrib.auth import get_user_model

    roles = {
        u.username: list(u.groups.values_list("name", flat=True))
        for u in get_user_model().objects.filter(
            username__in=["finance", "scrutiny", "director", "admin"]
        )
    }
    assert roles == {
        "finance": ["Finance officer"],
        "scrutiny": ["Scrutiny member"],
        "director": ["Director"],
        "admin": ["Administrator"],
    }


def counts():
    models = [Budget, BudgetLine, Forecast, Actual, Saving, Period, Service]
    return {m.__name__: m.objects.count() for m in models}


def test_loading_twice_duplicates_nothing_and_changes_no_figure():
    before = counts()
    total_before = Forecast.objects.aggregate(s=Sum("outturn"))["s"]
    call_command("load_demo", force=True, verbosity=0)
    assert counts() == before
    assert Forecast.objects.aggregate(s=Sum("outturn"))["s"] == total_before


def test_it_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("load_demo", verbosity=0)


def test_the_demo_password_comes_from_the_environment(monkeypatch):
    from django.contrib.auth import get_user_model

    monkeypatch.setenv("DEMO_PASSWORD", "another-long-password-1")
    call_command("load_demo", force=True, verbosity=0)
    assert (
        get_user_model().objects.get(username="director").check_password("another-long-password-1")
    )


def test_budget_lines_split_to_the_penny():
    from budgets.demo import spread

    parts = spread(Decimal("100.00"), [Decimal("1"), Decimal("1"), Decimal("1")])
    assert parts == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert spread(Decimal("-0.40"), [Decimal("3"), Decimal("1")]) == [
        Decimal("-0.30"),
        Decimal("-0.10"),
    ]
