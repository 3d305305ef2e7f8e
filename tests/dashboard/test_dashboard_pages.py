"""The dashboard pages: headlines, charts as JSON data blocks with tables, filters in the URL."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets.models import BudgetLine, Service

pytestmark = pytest.mark.django_db

PAGES = ["/", "/dashboard/movement/", "/dashboard/areas/", "/placements/", "/workforce/"]


def figure(html: str, data_id: str) -> dict:
    match = re.search(rf'<script id="{data_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no data block {data_id}"
    return json.loads(match.group(1))


def test_the_overview_states_the_headline_in_words(client_for, scrutiny):
    html = client_for(scrutiny).get("/?year=2018/19&period=6").content.decode()
    assert (
        "Children&#x27;s Social Care forecasts an overspend of £12.9m, up £2.9m since July 2018 "
        "(period 4, 2 months before), mainly children&#x27;s placements (£8.7m)."
    ) in html


def test_the_overview_charts_variance_by_directorate_and_service(client_for, director):
    html = client_for(director).get("/?year=2018/19&period=6").content.decode()
    by_directorate = figure(html, "chart-variance-directorate-data")
    assert by_directorate["layout"]["title"]["text"] == "Forecast variance by directorate, £m"
    assert 15.5 in by_directorate["data"][0]["x"]  # CYP, section 4.3
    by_service = figure(html, "chart-variance-service-data")
    assert 12.9 in by_service["data"][0]["x"]
    assert 'src="/static/vendor/plotly.min.js"' in html
    assert 'src="/static/js/charts.js"' in html


def test_chart_pages_have_no_inline_script_or_style(client_for, director):
    client = client_for(director)
    for url in PAGES:
        html = client.get(url).content.decode()
        scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
        assert all('type="application/json"' in attrs for attrs in scripts), url
        assert "style=" not in html, url


def test_forecast_movement_shows_the_forecast_that_kept_rising(client_for, scrutiny):
    html = (
        client_for(scrutiny)
        .get("/dashboard/movement/?year=2017/18&period=12&scope=CYP/CSC")
        .content.decode()
    )
    movement = figure(html, "chart-movement-data")
    forecast, budget, outturn = movement["data"]
    assert budget["y"][0] == 36.8
    assert round(forecast["y"][5] - budget["y"][5], 1) == 4.8  # September 2017
    assert round(forecast["y"][9] - budget["y"][9], 1) == 5.9  # January 2018
    assert outturn["y"][0] == 49.4  # 12.6 over budget
    accuracy = figure(html, "chart-accuracy-data")
    assert accuracy["data"][0]["y"][5] == -7.8
    assert "P6 Sep 2017" in html


def test_an_open_year_has_no_accuracy_chart(client_for, scrutiny):
    html = client_for(scrutiny).get("/dashboard/movement/?year=2018/19&period=6").content.decode()
    assert "chart-movement-data" in html
    assert "chart-accuracy-data" not in html
    # By default, the service with the largest overspend.
    assert '<option value="CYP/CSC" selected>' in html


def test_a_directorate_scope_adds_up_its_services(client_for, director):
    html = (
        client_for(director)
        .get("/dashboard/movement/?year=2018/19&period=6&scope=CYP")
        .content.decode()
    )
    forecast, budget = figure(html, "chart-movement-data")["data"]
    assert round(forecast["y"][3] - budget["y"][3], 1) == 13.6  # CYP at July 2018
    assert round(forecast["y"][5] - budget["y"][5], 1) == 15.5


def test_the_areas_page_charts_section_9(client_for, scrutiny):
    html = (
        client_for(scrutiny)
        .get("/dashboard/areas/?year=2018/19&period=6&scope=CYP/CSC")
        .content.decode()
    )
    waterfall = figure(html, "chart-areas-data")["data"][0]
    assert waterfall["y"] == [4.1, 8.7, 0.1, 0.4, -0.4, 12.9]
    assert waterfall["x"][-1] == "Total"


def test_a_finance_officer_may_choose_only_their_services(client_for, finance, other_finance):
    html = client_for(finance).get("/dashboard/movement/").content.decode()
    assert 'value="CYP/CSC"' in html
    assert 'value="RES/HSG"' not in html
    assert 'value="CYP"' not in html  # a directorate total would include unseen services
    assert client_for(other_finance).get("/dashboard/areas/?scope=CYP/CSC").status_code == 404


def test_unknown_filters_are_not_found(client_for, director):
    client = client_for(director)
    assert client.get("/dashboard/movement/?scope=NOPE").status_code == 404
    assert client.get("/dashboard/areas/?scope=CYP").status_code == 404  # a directorate
    assert client.get("/dashboard/areas/?year=2040/41&period=1").status_code == 404


def queries_for(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_page_queries_do_not_grow_with_the_amount_of_data(client_for, director):
    client = client_for(director)
    urls = [*PAGES, "/dashboard/movement/?year=2017/18&period=12&scope=CYP"]
    before = {url: queries_for(client, url) for url in urls}
    csc = Service.objects.get(code="CSC")
    BudgetLine.objects.bulk_create(
        BudgetLine(code=f"CSC-DSH-{i}", name=f"New {i}", service=csc, area_of_spend_id="income")
        for i in range(40)
    )
    after = {url: queries_for(client, url) for url in urls}
    assert after == before


def test_the_lac_page_stacks_children_by_category(client_for, scrutiny):
    html = client_for(scrutiny).get("/placements/?date=2018-08-31").content.decode()
    lac = figure(html, "chart-lac-data")
    assert lac["layout"]["barmode"] == "stack"
    assert lac["layout"]["yaxis"]["title"]["text"] == "Children"
    august = [trace["y"][-1] for trace in lac["data"]]
    assert sum(august) == 494  # section 10.1: looked after at the end of August 2018
