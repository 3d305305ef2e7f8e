""" "A line with no forecast counts as on budget": one Python function (metrics.outturn_or_budget)
and one query expression (selectors.forecast_or_budget), which must agree line by line; and the
pure arithmetic the pages use, on small hand-checked examples."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from budgets import metrics, selectors
from budgets.models import Budget, BudgetLine, Forecast, Period
from budgets.services import ForecastChange, forecasts_save


def test_a_line_without_a_forecast_counts_at_its_budget():
    assert metrics.outturn_or_budget(forecast=None, budget=Decimal("500")) == Decimal("500")
    assert metrics.outturn_or_budget(forecast=Decimal("0"), budget=Decimal("500")) == Decimal("0")


@pytest.mark.django_db
def test_the_query_and_the_python_rule_agree_on_every_line(southwark):
    period = Period.objects.get(year__start_year=2024, number=2)
    lines = list(BudgetLine.objects.filter(service__code="SCF").order_by("code"))
    officer = get_user_model().objects.get(username="a.okafor")
    # Half the lines forecast (one at zero), half left unreported.
    changes = [ForecastChange(line, Decimal(i * 1000), "", 0) for i, line in enumerate(lines[::2])]
    forecasts_save(user=officer, period=period, changes=changes)
    budgets = dict(
        Budget.objects.filter(line__in=lines, year=period.year).values_list("line_id", "revised")
    )
    forecasts = dict(
        Forecast.objects.filter(line__in=lines, period=period).values_list("line_id", "outturn")
    )
    assert forecasts and len(forecasts) < len(lines)

    in_sql = {
        line.pk: line.forecast
        for line in selectors.lines_with_position(
            period, BudgetLine.objects.filter(pk__in=[line.pk for line in lines])
        )
    }
    in_python = {
        line.pk: metrics.outturn_or_budget(
            forecast=forecasts.get(line.pk), budget=budgets.get(line.pk, metrics.ZERO)
        )
        for line in lines
    }
    assert in_sql == in_python


def line(directorate, service, area, budget, forecast):
    return SimpleNamespace(
        directorate_code=directorate,
        directorate_name=directorate.title(),
        service_code=service,
        service_name=service.title(),
        area_code=area,
        area_name=area.title(),
        budget=Decimal(budget),
        forecast=Decimal(forecast),
    )


def test_positions_add_lines_up_by_service_and_directorate():
    lines = [
        line("d1", "s1", "staffing", "100", "120"),
        line("d1", "s1", "income", "-50", "-40"),
        line("d1", "s2", "staffing", "10", "5"),
        line("d2", "s3", "staffing", "7", "7"),
    ]
    [d1, d2] = metrics.directorate_positions_of(lines)
    assert (d1.key, d1.budget, d1.forecast, d1.variance) == ("d1", 60, 85, 25)
    assert [(s.key, s.budget, s.forecast) for s in d1.children] == [("s1", 50, 80), ("s2", 10, 5)]
    assert (d2.budget, d2.variance) == (7, 0)
    areas = metrics.area_positions_of(lines)
    assert [(a.key, a.budget, a.forecast) for a in areas] == [
        ("staffing", 117, 132),
        ("income", -50, -40),
    ]


def test_savings_totals_keep_each_savings_own_shortfall():
    savings = [
        SimpleNamespace(target=Decimal("100"), forecast_delivery=Decimal("60"), shortfall=40),
        SimpleNamespace(target=Decimal("50"), forecast_delivery=Decimal("70"), shortfall=0),
    ]
    totals = metrics.savings_totals(savings)
    assert (totals.target, totals.delivery, totals.shortfall) == (150, 130, 40)
