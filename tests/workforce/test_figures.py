"""The agency ratio and premium arithmetic, date boundaries, and the report's 9.1 figures on
the workforce page."""

import datetime
from decimal import Decimal

import pytest

from budgets.models import Service
from workforce import metrics, selectors
from workforce.models import Filling, Post, Team

D = Decimal
pytestmark = pytest.mark.django_db


def test_the_workforce_page_shows_the_reports_figures(client_for, scrutiny):
    response = client_for(scrutiny).get("/workforce/?date=2018-08-31")
    html = response.content.decode()
    assert "353 FTE" in html
    assert "31.7%" in html
    caseloads = {
        row.get_cell("team"): (row.get_cell("target"), row.get_cell("actual"))
        for row in response.context["caseload_table"].rows
    }
    for team, target, actual in [
        ("Referral & Assessment", "17", "15"),
        ("Family Social Work Service", "17", "-"),
        ("Fostering", "-", "-"),
        ("Social workers within LAC/Leaving Care", "15", "15"),
        ("Personal Advisors within LAC/Leaving Care", "27", "-"),
    ]:
        assert tuple(str(c) for c in caseloads[team]) == (target, actual), team
    # Lewisham's published agency rate beside England's, its region's and its neighbours'.
    assert "This council" in html and "England" in html and "Inner London" in html
    assert "Statistical neighbours (average)" in html
    # The census of the page's year, not the latest: csww_indicators_2017_to_2025.csv, 2017,
    # Lewisham (209) agency_rate_fte 27.3, England 15.8 (2025's are 32.6 and 13.0).
    assert ">27.3<" in html and ">15.8<" in html and ">32.6<" not in html
    assert "30 September 2017, the latest on or before 31 August 2018." in html


def test_the_agency_ratio_trend_rises_to_the_reports_figure():
    series = selectors.agency_ratio_series(first=datetime.date(2017, 4, 1), months=17)
    ratios = [
        metrics.agency_ratio({"agency": a, "permanent": p, "vacant": 0}) for _, a, p in series
    ]
    assert ratios[-1] == D("31.7")
    assert ratios == sorted(ratios)
    assert ratios[0] < D("20")


def test_agency_ratio_and_vacancy_rate_arithmetic():
    fte = {"agency": D("1"), "permanent": D("3"), "vacant": D("1")}
    assert metrics.agency_ratio(fte) == D("25.0")
    assert metrics.vacancy_rate(fte) == D("20.0")
    assert metrics.agency_ratio({"agency": D("0"), "permanent": D("0"), "vacant": D("2")}) is None


def make_post(reference, team, *, cost="50000"):
    return Post.objects.create(
        reference=reference, team=team, title="SW", fte=D("1"), budgeted_cost=D(cost)
    )


def test_premium_and_date_boundaries():
    Filling.objects.all().delete()
    team = Team.objects.create(service=Service.objects.get(code="CSC"), name="Test team")
    one, two = make_post("T-1", team), make_post("T-2", team)
    Filling.objects.create(
        post=one,
        start=datetime.date(2020, 1, 1),
        end=datetime.date(2020, 2, 1),
        status="agency",
        fte=D("1"),
        annual_cost=D("57000"),
    )
    Filling.objects.create(
        post=two,
        start=datetime.date(2020, 1, 15),
        status="agency",
        fte=D("0.5"),
        annual_cost=D("27500"),
    )
    assert selectors.fte_by_status(datetime.date(2019, 12, 31))["agency"] == 0
    assert selectors.fte_by_status(datetime.date(2020, 1, 1))["agency"] == D("1")  # start counts
    assert selectors.fte_by_status(datetime.date(2020, 1, 31))["agency"] == D("1.5")
    assert selectors.fte_by_status(datetime.date(2020, 2, 1))["agency"] == D("0.5")  # end doesn't
    # Premium: 57,000 − 50,000 for the full-time post, 27,500 − 25,000 for the half-time one.
    assert selectors.agency_premium(datetime.date(2020, 1, 20)) == D("9500.00")


def test_day_and_hourly_rates_become_annual_costs():
    assert metrics.annual_from_rates(fte=D("1"), day_rate=D("250")) == D("57000.00")
    assert metrics.annual_from_rates(fte=D("0.5"), hourly_rate=D("40")) == D("33744.00")


def test_the_agency_dashboard_charts_the_ratio_against_target_and_england(client_for, scrutiny):
    import json
    import re

    html = client_for(scrutiny).get("/workforce/?date=2018-08-31").content.decode()
    block = re.search(r'id="chart-agency-data" type="application/json">(.*?)</script>', html, re.S)
    data = json.loads(block.group(1))
    names = [trace["name"] for trace in data["data"]]
    assert names[0] == "Agency workers, % of staff in post"
    assert "Target (11%)" in names and any(n.startswith("England") for n in names)
    assert data["data"][0]["y"][-1] == 31.7
    assert data["layout"]["yaxis"]["title"]["text"] == "Agency ratio (%)"
    assert "31.7% of staff in post at the end of August 2018" in html


def test_another_councils_staff_are_not_counted():
    from budgets.models import Council, Directorate

    day = datetime.date(2018, 9, 30)
    before = (
        selectors.fte_by_status(day),
        selectors.agency_ratio_series(first=datetime.date(2018, 4, 1), months=6),
        len(selectors.caseloads(datetime.date(2018, 9, 1))),
    )
    other = Council.objects.create(name="Neighbouring council", la_code="002")
    directorate = Directorate.objects.create(council=other, code="CYP", name="Children")
    service = Service.objects.create(directorate=directorate, code="CSC", name="CSC")
    team = Team.objects.create(service=service, name="Their team")
    post = Post.objects.create(
        reference="N-1", team=team, title="Social worker", fte=1, budgeted_cost=50000
    )
    Filling.objects.create(
        post=post, start=datetime.date(2010, 1, 1), status="agency", fte=1, annual_cost=90000
    )
    after = (
        selectors.fte_by_status(day),
        selectors.agency_ratio_series(first=datetime.date(2018, 4, 1), months=6),
        len(selectors.caseloads(datetime.date(2018, 9, 1))),
    )
    assert after == before


def test_every_workforce_table_draws_in_the_govuk_markup_with_its_caption(client_for, scrutiny):
    html = client_for(scrutiny).get("/workforce/?date=2018-08-31").content.decode()
    for caption in [
        "Average number of cases per social worker, target and actual",
        "Agency ratio by team",
        "Published workforce indicators, census of 30 September 2017 (DfE)",
    ]:
        assert f'<caption class="govuk-table__caption govuk-table__caption--m">{caption}' in html
    assert 'class="table-container"' not in html  # django-tables2's own template is not used
