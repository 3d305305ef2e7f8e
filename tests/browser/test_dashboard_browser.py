"""Each role opens every dashboard page in Chromium: the charts are drawn by Plotly, a filter
changes the URL and the chart, and axe-core finds no serious or critical accessibility issue."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# page name → (path, the charts it draws)
PAGES = {
    "overview": ("/", ["chart-variance-directorate", "chart-variance-service"]),
    "movement": (
        "/dashboard/movement/?year=2017/18&period=12",
        ["chart-movement", "chart-accuracy"],
    ),
    "areas": ("/dashboard/areas/", ["chart-areas"]),
    "placements": ("/placements/", ["chart-lac", "chart-lac-rate", "chart-unit-costs"]),
    "workforce": ("/workforce/", ["chart-agency", "chart-fte"]),
}
ROLES = ["finance", "scrutiny", "director", "admin"]


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def console_errors(message) -> list[str]:
    # The browser asks for /favicon.ico on its own; there is none, and that is no page error.
    if message.type != "error" or "favicon.ico" in message.location.get("url", ""):
        return []
    return [message.text]


def assert_charts_drawn(page, chart_ids: list[str]) -> None:
    for chart_id in chart_ids:
        page.wait_for_selector(f"#{chart_id} svg.main-svg", timeout=15_000)
        title = page.locator(f"#{chart_id} .gtitle").first.text_content()
        assert title, f"{chart_id} has no title"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_every_dashboard_page_drawn_and_accessible(sign_in, demo_server, role):
    page = sign_in(role)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.extend(console_errors(message)))
    for name, (path, chart_ids) in PAGES.items():
        page.goto(demo_server.url + path)
        assert_charts_drawn(page, chart_ids)
        shot = name if role == "director" else f"{name}-{role}"
        page.screenshot(path=str(SCREENSHOTS / f"{shot}.png"), full_page=True)
        assert serious_violations(page) == [], f"{role} on {path}"
    assert errors == []  # no script errors, and nothing refused by the Content-Security-Policy


def test_changing_the_period_filter_changes_the_url_and_the_charts(sign_in, demo_server):
    page = sign_in("scrutiny")
    page.goto(demo_server.url + "/dashboard/movement/")
    assert_charts_drawn(page, ["chart-movement"])
    assert page.locator("#chart-accuracy").count() == 0  # 2018/19 is still open
    page.get_by_label("Financial year", exact=True).select_option("2017/18")
    page.get_by_label("Period", exact=True).select_option("12")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/dashboard/movement/?year=2017%2F18&period=12&scope=CYP%2FCSC")
    assert_charts_drawn(page, ["chart-movement", "chart-accuracy"])
    assert "Mar 18" in page.locator("#chart-movement").text_content()


def test_choosing_a_service_redraws_the_areas_chart(sign_in, demo_server):
    page = sign_in("director")
    page.goto(demo_server.url + "/dashboard/areas/?year=2018/19&period=6")
    assert_charts_drawn(page, ["chart-areas"])
    assert "Children's Social Care" in page.locator("#chart-areas .gtitle").text_content()
    page.get_by_label("Service", exact=True).select_option("CYP/SEND")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**scope=CYP%2FSEND")
    assert_charts_drawn(page, ["chart-areas"])
    title = page.locator("#chart-areas .gtitle").text_content()
    assert "Special Educational Needs" in title


def test_the_overview_filter_changes_the_headline(sign_in, demo_server):
    page = sign_in("director")
    page.get_by_label("Financial year", exact=True).select_option("2017/18")
    page.get_by_label("Period", exact=True).select_option("12")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/?year=2017%2F18&period=12")
    assert_charts_drawn(page, ["chart-variance-directorate", "chart-variance-service"])
    headline = page.locator(".csc-headlines li").first.text_content()
    assert headline.startswith("Children's Social Care forecasts an overspend of £12.6m")


@pytest.mark.parametrize(("path", "chart_ids"), [PAGES["placements"], PAGES["workforce"]])
def test_a_date_typed_in_three_fields_stays_in_the_url_and_redraws(
    sign_in, demo_server, path, chart_ids
):
    page = sign_in("scrutiny")
    page.goto(demo_server.url + path)
    page.fill("#date-day", "31")
    page.fill("#date-month", "8")
    page.fill("#date-year", "2018")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**?day=31&month=8&year=2018")
    assert_charts_drawn(page, chart_ids)
    assert "31 August 2018" in page.locator("h1").text_content()
    assert serious_violations(page) == []
    name = path.strip("/")
    # For docs/screenshots: the page's top at 1,280 px, down to its first charts.
    top = {"x": 0, "y": 0, "width": 1280, "height": 2400}
    page.screenshot(path=str(SCREENSHOTS / f"{name}-1280.png"), full_page=True, clip=top)
    page.fill("#date-month", "")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**?day=31&month=&year=2018")
    assert "Date must include a month" in page.locator(".govuk-error-summary").text_content()
    assert serious_violations(page) == []
