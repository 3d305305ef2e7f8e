"""The financial model's invariants live in the database, not only in forms."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from budgets.models import (
    Actual,
    Budget,
    BudgetLine,
    FinancialYear,
    Forecast,
    Period,
    Saving,
    Service,
    month_of,
    parse_year_label,
)

pytestmark = pytest.mark.django_db


def refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_a_financial_year_is_labelled_and_runs_april_to_march():
    year = FinancialYear.objects.get(start_year=2018)
    assert year.label == "2018/19"
    assert year.starts_on == datetime.date(2018, 4, 1)
    assert year.ends_on == datetime.date(2019, 3, 31)


def test_year_labels_parse_only_consecutive_years():
    assert parse_year_label("2018/19") == 2018
    assert parse_year_label("1999/00") == 1999
    for bad in ["2018/20", "2018-19", "18/19", "", "2018/19x"]:
        with pytest.raises(ValueError):
            parse_year_label(bad)


def test_period_one_is_april_and_period_twelve_is_march():
    assert month_of(2018, 1) == datetime.date(2018, 4, 1)
    assert month_of(2018, 9) == datetime.date(2018, 12, 1)
    assert month_of(2018, 10) == datetime.date(2019, 1, 1)
    assert month_of(2018, 12) == datetime.date(2019, 3, 1)


def test_a_year_out_of_range_is_refused():
    refused(lambda: FinancialYear.objects.create(start_year=1999))


def test_a_year_cannot_be_created_twice():
    refused(lambda: FinancialYear.objects.create(start_year=2018))


def test_period_numbers_run_from_one_to_twelve_once_each():
    year = FinancialYear.objects.create(start_year=2030)
    refused(lambda: Period.objects.create(year=year, number=0))
    refused(lambda: Period.objects.create(year=year, number=13))
    Period.objects.create(year=year, number=1)
    refused(lambda: Period.objects.create(year=year, number=1))


def test_a_period_status_must_be_open_or_closed():
    year = FinancialYear.objects.create(start_year=2031)
    refused(lambda: Period.objects.create(year=year, number=1, status="shut"))


def test_a_cost_centre_code_is_unique():
    service = Service.objects.get(code="CSC")
    refused(
        lambda: BudgetLine.objects.create(
            code="CSC-STF-RA", name="Duplicate", service=service, area_of_spend_id="staffing"
        )
    )


def test_a_budget_line_needs_a_known_area_of_spend_and_a_well_formed_s251_line():
    service = Service.objects.get(code="CSC")

    def unknown_area():
        with connection.cursor() as cursor:  # the foreign key is checked at commit otherwise
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        BudgetLine.objects.create(code="X1", name="x", service=service, area_of_spend_id="sweets")

    refused(unknown_area)
    refused(
        lambda: BudgetLine.objects.create(
            code="X2",
            name="x",
            service=service,
            area_of_spend_id="staffing",
            section_251_line="3.a",
        )
    )


def test_one_budget_per_line_and_year():
    line = BudgetLine.objects.get(code="CSC-STF-RA")
    year = FinancialYear.objects.get(start_year=2018)
    refused(lambda: Budget.objects.create(line=line, year=year, original=1, revised=1))


def test_one_actual_and_one_forecast_per_line_and_period(finance):
    line = BudgetLine.objects.get(code="CSC-STF-RA")
    period = Period.objects.get(year__start_year=2018, number=6)
    refused(lambda: Actual.objects.create(line=line, period=period, amount=1))
    refused(lambda: Forecast.objects.create(line=line, period=period, outturn=1, author=finance))


def test_money_is_stored_as_decimal_to_the_penny():
    budget = Budget.objects.get(line__code="CSC-PLC-IFA", year__start_year=2018)
    assert budget.revised == Decimal("8600000.00")
    assert isinstance(budget.revised, Decimal)


def test_savings_cannot_be_negative_and_need_a_known_rag():
    service = Service.objects.get(code="CSC")
    year = FinancialYear.objects.get(start_year=2018)

    def saving(reference, **fields):
        values = {"target": 10, "forecast_delivery": 5, "rag": "amber", **fields}
        return lambda: Saving.objects.create(
            reference=reference, description="x", service=service, year=year, **values
        )

    refused(saving("S1", target=-1))
    refused(saving("S2", forecast_delivery=-1))
    refused(saving("S3", rag="blue"))
    assert saving("S4")().shortfall == Decimal("5")
