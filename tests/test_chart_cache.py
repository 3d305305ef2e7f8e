"""Dashboard figures are cached under the data version: a refresh is cheap, a change shows at
once, and one reader never gets another's figures."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets.cache import data_version
from budgets.models import Forecast
from tests.test_forecast_entry import URL, form_for, line, p6
from tests.test_overview import row

pytestmark = pytest.mark.django_db

PAGES = [
    "/?year=2018/19&period=6",
    "/dashboard/movement/?year=2018/19&period=6&scope=CYP/CSC",
    "/dashboard/areas/?year=2018/19&period=6&scope=CYP/CSC",
    "/dashboard/lac/?year=2018/19&period=6",
    "/dashboard/agency/?year=2018/19&period=6",
]


def get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(ctx)


def without_tokens(html: str) -> str:
    """The page less its CSRF tokens, which are masked afresh on every response."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.mark.parametrize("url", PAGES)
def test_a_refresh_reads_the_figures_from_the_cache(client_for, director, url):
    client = client_for(director)
    first, cold = get(client, url)
    again, warm = get(client, url)
    assert without_tokens(again) == without_tokens(first)
    assert warm < cold


def test_any_write_moves_the_data_version():
    before = data_version()
    Forecast.objects.filter(line=line(), period=p6()).update(commentary="x")  # an open period
    assert data_version() > before


def test_a_saved_forecast_shows_on_the_overview_at_once(client_for, director, finance):
    reader = client_for(director)
    html, _ = get(reader, "/?year=2018/19&period=6")
    assert row(html, "Children&#x27;s Social Care (CSC)")[1:] == ["41.6", "54.5", "12.9"]
    officer = client_for(finance)
    held = Forecast.objects.get(line=line(), period=p6()).outturn
    bigger = held + Decimal("1000000")
    response = officer.post(URL, form_for(officer, **{"CSC-STF-RA": (f"{bigger}", "Agency")}))
    assert response.status_code == 302
    html, _ = get(reader, "/?year=2018/19&period=6")
    assert row(html, "Children&#x27;s Social Care (CSC)")[1:] == ["41.6", "55.5", "13.9"]


def test_a_finance_officer_never_gets_a_directors_cached_overview(
    client_for, director, other_finance
):
    director_html, _ = get(client_for(director), "/?year=2018/19&period=6")
    assert "Children&#x27;s Social Care (CSC)" in director_html
    officer_html, _ = get(client_for(other_finance), "/?year=2018/19&period=6")
    assert "Children&#x27;s Social Care (CSC)" not in officer_html
