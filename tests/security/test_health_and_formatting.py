from decimal import Decimal

import pytest

from budgets.formatting import millions, pounds, pounds_millions
from budgets.metrics import movement, variance


@pytest.mark.django_db
def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_committee_money_is_millions_to_one_decimal_with_underspends_in_brackets():
    assert millions(Decimal("12900000")) == "12.9"
    assert millions(Decimal("-400000")) == "(0.4)"
    assert millions(Decimal("41600000.00")) == "41.6"
    assert millions(Decimal("49999.99")) == "0.0"
    assert millions(Decimal("-49999.99")) == "0.0"
    assert millions(Decimal("50000")) == "0.1"  # half rounds away from zero
    assert millions(Decimal("-50000"), brackets=False) == "-0.1"
    assert pounds_millions(Decimal("-400000")) == "(£0.4m)"
    assert pounds(Decimal("-1234.56")) == "(£1,235)"


def test_variance_is_forecast_minus_budget_and_movement_needs_a_previous_forecast():
    assert variance(forecast=Decimal("110"), budget=Decimal("100")) == Decimal("10")
    assert variance(forecast=Decimal("90"), budget=Decimal("100")) == Decimal("-10")
    assert movement(forecast=Decimal("110"), previous=Decimal("105")) == Decimal("5")
    assert movement(forecast=Decimal("110"), previous=None) is None
