"""One home per topic: the placements and workforce pages carry their charts (title, summary in
words, table); the dashboard's old LAC and agency pages redirect there with the same date; the
date is chosen in the GOV.UK date input (day, month, year) or given as `?date=`."""

import json
import re

import pytest

from budgets.numbers import DateError, parse_date_parts

pytestmark = pytest.mark.django_db


def figure(html: str, data_id: str) -> dict:
    match = re.search(rf'<script id="{data_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no data block {data_id}"
    return json.loads(match.group(1))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/dashboard/lac/?year=2018/19&period=6", "/placements/?date=2018-09-30"),
        ("/dashboard/lac/?year=2018/19&period=12", "/placements/?date=2019-03-31"),
        ("/dashboard/agency/?year=2018/19&period=5", "/workforce/?date=2018-08-31"),
        ("/dashboard/agency/?date=2018-08-31", "/workforce/?date=2018-08-31"),
        ("/dashboard/lac/", "/placements/"),
        ("/dashboard/agency/", "/workforce/"),
    ],
)
def test_the_old_dashboard_pages_redirect_to_the_topic_with_the_same_date(
    client_for, scrutiny, old, new
):
    response = client_for(scrutiny).get(old)
    assert response.status_code == 301
    assert response["Location"] == new


def test_an_unknown_period_on_the_old_address_is_not_found(client_for, scrutiny):
    assert client_for(scrutiny).get("/dashboard/lac/?year=2099/00&period=6").status_code == 404


def test_the_placements_page_draws_five_years_of_month_ends_by_category(client_for, scrutiny):
    with_date = client_for(scrutiny).get("/placements/?date=2018-08-31").content.decode()
    lac = figure(with_date, "chart-lac-data")
    assert lac["layout"]["barmode"] == "stack"
    assert len(lac["data"][0]["x"]) == 60  # Sep 2013 to Aug 2018
    assert sum(trace["y"][-1] for trace in lac["data"]) == 494  # end of August 2018
    assert "Children looked after at each month end, by placement category" in with_date
    assert "31 Aug 2018" in with_date and "30 Sep 2013" in with_date
    for chart_id in ("chart-lac", "chart-lac-rate", "chart-unit-costs"):
        assert f'id="{chart_id}"' in with_date
        assert figure(with_date, f"{chart_id}-data")["layout"]["title"]["text"]
    assert with_date.count('class="govuk-body csc-chart-summary"') == 3
    assert "per 10,000 children on 31 March, by year" in with_date


def test_a_date_part_way_through_a_month_ends_the_trend_at_the_month_before(client_for, scrutiny):
    html = client_for(scrutiny).get("/placements/?date=2018-09-15").content.decode()
    months = figure(html, "chart-lac-data")["data"][0]["x"]
    assert len(months) == 60 and months[-1] == "Aug 2018"


def test_the_workforce_page_draws_the_agency_trend_and_fte_by_status(client_for, scrutiny):
    html = client_for(scrutiny).get("/workforce/?date=2018-08-31").content.decode()
    agency = figure(html, "chart-agency-data")
    assert agency["layout"]["title"]["text"] == (
        "Agency workers as a percentage of social care staff in post"
    )
    assert [t["name"] for t in agency["data"]][1].startswith("Target (")
    fte = figure(html, "chart-fte-data")
    assert [t["name"] for t in fte["data"]] == ["Permanent", "Agency", "Vacant"]
    assert html.count('class="govuk-body csc-chart-summary"') == 2
    assert "Of " in html and " FTE posts: " in html
    assert "Agency and permanent staff in post at each month end (FTE)" in html


@pytest.mark.parametrize("path", ["/placements/", "/workforce/"])
def test_a_date_typed_as_three_fields_reaches_the_same_figures_as_the_iso_date(
    client_for, scrutiny, path
):
    client = client_for(scrutiny)
    iso = client.get(f"{path}?date=2018-08-31")
    typed = client.get(f"{path}?day=31&month=8&year=2018")
    assert iso.status_code == typed.status_code == 200
    chart = "chart-lac-data" if path == "/placements/" else "chart-agency-data"
    assert figure(iso.content.decode(), chart) == figure(typed.content.decode(), chart)
    html = typed.content.decode()
    assert "as at 31 August 2018" in html
    assert 'name="day" type="text" inputmode="numeric" value="31"' in html
    assert 'name="month" type="text" inputmode="numeric" value="8"' in html
    assert "For example, 31 3 2024" in html
    assert 'class="govuk-date-input"' in html and "<legend" in html


@pytest.mark.parametrize(
    ("query", "message", "marked"),
    [
        ("day=31&month=&year=2024", "Date must include a month", ["month"]),
        ("day=&month=3&year=2024", "Date must include a day", ["day"]),
        ("day=31&month=3&year=", "Date must include a year", ["year"]),
        ("day=&month=&year=2024", "Date must include a day and month", ["day", "month"]),
        ("day=31&month=2&year=2024", "Date must be a real date", ["day", "month", "year"]),
        ("day=1&month=13&year=2024", "Date must be a real date", ["day", "month", "year"]),
        ("day=x&month=3&year=2024", "Date must be a real date", ["day"]),
        ("day=1&month=3&year=24", "Year must include 4 numbers", ["year"]),
        ("day=1&month=3&year=1789", "Date must be between 1990 and 2100", ["year"]),
        ("day=&month=&year=", "Enter a date", ["day", "month", "year"]),
        ("date=2018-02-30", "is not a date: use yyyy-mm-dd", ["day", "month", "year"]),
    ],
)
@pytest.mark.parametrize("path", ["/placements/", "/workforce/"])
def test_a_date_that_cannot_be_read_is_shown_with_its_error_and_a_400(
    client_for, scrutiny, path, query, message, marked
):
    response = client_for(scrutiny).get(f"{path}?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'class="govuk-error-message"' in html and message in html
    assert "govuk-form-group--error" in html
    for part in ("day", "month", "year"):
        input_tag = re.search(rf'<input [^>]*name="{part}"[^>]*>', html).group(0)
        assert ("govuk-input--error" in input_tag) == (part in marked), part


def test_the_parser_reads_the_three_fields():
    assert str(parse_date_parts(" 31", "3 ", "2024")) == "2024-03-31"
    with pytest.raises(DateError, match="Date must include a month") as error:
        parse_date_parts("31", "", "2024")
    assert error.value.fields == ("month",)


@pytest.mark.parametrize("path", ["/placements/?date=2018-08-31", "/workforce/?date=2018-08-31"])
def test_the_topic_pages_make_a_bounded_number_of_queries(
    client_for, scrutiny, path, django_assert_max_num_queries
):
    client = client_for(scrutiny)
    with django_assert_max_num_queries(45):
        assert client.get(path).status_code == 200
    with django_assert_max_num_queries(30):  # the charts come from the cache
        assert client.get(path).status_code == 200


def test_the_dashboard_links_to_the_topic_pages_at_the_period_end(client_for, scrutiny):
    html = client_for(scrutiny).get("/?year=2018/19&period=6").content.decode()
    assert 'href="/placements/?date=2018-09-30">Children looked after' in html
    assert 'href="/workforce/?date=2018-09-30">Agency staff' in html
