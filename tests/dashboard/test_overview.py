"""The overview lists each directorate's budget, forecast and variance."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets.models import BudgetLine, Service

pytestmark = pytest.mark.django_db


def row(html: str, label: str) -> list[str]:
    """The cell texts of the table row whose header contains `label`."""
    for tr in re.findall(r"<tr.*?</tr>", html, flags=re.S):
        if label in tr:
            return [
                re.sub(r"<[^>]+>|\s+", " ", c).strip()
                for c in re.findall(r"<t[hd].*?</t[hd]>", tr, flags=re.S)
            ]
    raise AssertionError(f"no row for {label}")


def test_director_sees_cscs_budget_and_overspend_for_september_2018(client_for, director):
    html = client_for(director).get("/").content.decode()
    assert "2018/19, period 6" in html
    assert row(html, "Children&#x27;s Social Care (CSC)")[1:] == ["41.6", "54.5", "12.9"]
    assert row(html, "Children and Young People (CYP)")[3] == "15.5"


def test_the_period_filter_is_carried_in_the_url(client_for, director):
    html = client_for(director).get("/?year=2017/18&period=12").content.decode()
    assert "2017/18, period 12" in html
    assert row(html, "Children&#x27;s Social Care (CSC)")[3] == "12.6"


def test_an_unknown_period_is_not_found(client_for, director):
    assert client_for(director).get("/?year=2040/41&period=3").status_code == 404
    assert client_for(director).get("/?year=banana&period=3").status_code == 404


def test_a_finance_officer_sees_only_their_services(client_for, finance):
    html = client_for(finance).get("/").content.decode()
    assert "Children&#x27;s Social Care (CSC)" in html
    assert "Housing Needs" not in html


def test_the_service_page_shows_the_section_9_table(client_for, scrutiny):
    html = client_for(scrutiny).get("/budgets/CYP/CSC/?year=2018/19&period=6").content.decode()
    assert row(html, "Other costs")[1:] == ["4.0", "(0.4)"]
    assert row(html, "Total")[1:] == ["£41.6", "12.9"]


def test_a_finance_officer_cannot_open_another_services_page(client_for, other_finance):
    assert client_for(other_finance).get("/budgets/CYP/CSC/").status_code == 404


def queries_for(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_query_count_does_not_grow_with_the_number_of_lines(client_for, director):
    client = client_for(director)
    before = {url: queries_for(client, url) for url in ["/", "/budgets/", "/budgets/CYP/CSC/"]}
    csc = Service.objects.get(code="CSC")
    BudgetLine.objects.bulk_create(
        BudgetLine(
            code=f"CSC-NEW-{i}", name=f"New {i}", service=csc, area_of_spend_id="other_costs"
        )
        for i in range(40)
    )
    after = {url: queries_for(client, url) for url in before}
    assert after == before


def test_pages_show_only_the_deployments_council(client_for, director, settings):
    from budgets.models import Council, Directorate

    other = Council.objects.create(name="Elsewhere", la_code="001")
    Directorate.objects.create(council=other, code="ZZZ", name="Elsewhere's directorate")
    html = client_for(director).get("/").content.decode()
    assert "Lewisham (demo)" in html
    assert "Elsewhere" not in html
    settings.CSC_COUNCIL_LA_CODE = "001"
    html = client_for(director).get("/budgets/").content.decode()
    assert "Elsewhere" in html
    assert "Children&#x27;s Social Care" not in html
