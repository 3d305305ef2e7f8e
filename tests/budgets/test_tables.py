"""The budgets pages' tables (budgets/tables.py, one GOV.UK template): what they show, and that
the forms inside them still post."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from budgets import metrics
from budgets.models import Period, Saving, Service
from budgets.tables import SavingsTable

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def user(username):
    return get_user_model().objects.get(username=username)


def test_the_periods_table_forms_carry_the_csrf_token(southwark, client):
    enforcing = Client(enforce_csrf_checks=True)
    enforcing.force_login(user("m.clarke"))
    html = enforcing.get("/budgets/periods/").content.decode()
    tokens = TOKEN.findall(html)
    assert len(tokens) >= 12  # a form per period of the year, each with its token
    token = tokens[0]
    p1 = Period.objects.get(year__start_year=2024, number=1)
    response = enforcing.post(
        "/budgets/periods/",
        {"csrfmiddlewaretoken": token, "period_id": p1.pk, "action": "close"},
    )
    assert response.status_code == 302
    assert Period.objects.get(pk=p1.pk).is_closed


def test_the_savings_table_totals_each_column_in_its_footer(southwark):
    service = Service.objects.filter(directorate__council=southwark).first()
    year = Period.objects.get(year__start_year=2024, number=1).year
    savings = [
        Saving(
            reference="S1",
            description="a",
            service=service,
            year=year,
            target=Decimal(100),
            forecast_delivery=Decimal(60),
            rag="amber",
        ),
        Saving(
            reference="S2",
            description="b",
            service=service,
            year=year,
            target=Decimal(50),
            forecast_delivery=Decimal(70),
            rag="green",
        ),
    ]
    table = SavingsTable(savings, totals=metrics.savings_totals(savings))
    footers = {column.name: column.footer for column in table.columns}
    assert footers["reference"] == "Total"
    assert (footers["target"], footers["forecast_delivery"], footers["shortfall"]) == (
        "£150",
        "£130",
        "£40",
    )
