"""The placements page: its tables and charts."""

import datetime

import pytest

from tests.parsed_html import parse

D = datetime.date


@pytest.mark.django_db
def test_the_placements_page_shows_the_tables(client_for, scrutiny):
    html = client_for(scrutiny).get("/placements/?date=2017-09-30").content.decode()
    assert "£3,741" in html and "£911" in html and "£426" in html
    # The residential unit cost beside the DfE's for 2017-18 (the financial year of the date):
    # lait_cla_finance_workforce_2016_to_2025.csv, RescareFinance 2017-18: Lewisham 5100, its
    # ten neighbours' average 3938 and median 3670 (see test_benchmarks.py), England 3630.
    unit_costs = parse(html).table("Weekly unit costs and looked-after spend per child, 2017-18")
    assert unit_costs.row("Residential care, a week")[1:] == [
        "£5,100",
        "£3,938",
        "£3,670",
        "£3,630",
    ]
    assert ">6.8<" in html and ">9.4<" in html and ">3.7<" in html
    assert "August 2013" in html and ">506<" in html


@pytest.mark.django_db
def test_the_lac_dashboard_charts_rates_and_unit_costs_against_comparators(client_for, director):
    import json
    import re

    html = client_for(director).get("/placements/?date=2017-09-30").content.decode()
    for chart_id in ["chart-lac-rate", "chart-unit-costs"]:
        block = re.search(
            f'id="{chart_id}-data" type="application/json">(.*?)</script>', html, re.S
        )
        figure = json.loads(block.group(1))
        assert [t["name"] for t in figure["data"]][0] == "This council"
    costs = json.loads(
        re.search(
            r'id="chart-unit-costs-data" type="application/json">(.*?)'
            r"</script>",
            html,
            re.S,
        ).group(1)
    )
    # DfE Section 251 unit costs of 2017-18 (the period's financial year), not hand-typed ones.
    residential = costs["data"][0]["x"].index("Residential care")
    assert costs["data"][0]["y"][residential] == 5100.0
    assert costs["data"][1]["y"][residential] == 3938.0
    assert "Children looked after per 10,000 children" in html
