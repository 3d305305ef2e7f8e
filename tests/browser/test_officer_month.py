"""A finance officer's month in Chromium, from the keyboard: the forecast grid fits the window,
follows what is typed, saves, meets a colleague's conflicting save, is submitted, returned with
a reason, corrected, submitted again and signed off; a ledger upload with bad rows and a good
one. Then every other page of the product, each checked by axe-core."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from budgets.formatting import pounds
from budgets.models import BudgetLine, Forecast, Period, SignOff
from tests.browser.conftest import DEMO_PASSWORD, SCREENSHOTS
from tests.browser.test_dashboard_browser import console_errors, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORECAST = "/budgets/CYP/CSC/forecast/?year=2018/19&period=6"
WIDTHS = (1280, 1920)


def p6() -> Period:
    return Period.objects.select_related("year").get(year__start_year=2018, number=6)


def sign_in_page(page, server, username: str):
    page.goto(f"{server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}/")
    return page


def another_person(browser, browser_context_args, server, username: str):
    """A second person at another computer: their own browser context and session."""
    context = browser.new_context(**browser_context_args)
    return sign_in_page(context.new_page(), server, username)


# The elements, outside the grid's own scrolling box, that stick out of the window.
WIDER_THAN_THE_WINDOW = """
[...document.querySelectorAll("body *")]
  .filter(e => !e.closest(".csc-grid-scroll"))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth)
  .slice(0, 5)
  .map(e => `${e.tagName}.${e.className}#${e.id}`)
"""


def assert_fits_the_window(page) -> None:
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth, document.body.scrollWidth]"
    )
    assert widths[0] <= widths[1], (
        f"the page is {widths[0]}px wide in a {widths[1]}px window: "
        f"{page.evaluate(WIDER_THAN_THE_WINDOW)}"
    )
    assert widths[2] <= widths[1]


def assert_accessible(page, where: str) -> None:
    assert serious_violations(page) == [], where


def grid_lines(page) -> list[BudgetLine]:
    """The budget lines in the grid's order (as its forecast inputs are named)."""
    ids = page.eval_on_selector_all(
        "input[data-forecast]", "inputs => inputs.map(input => input.name.split('-')[1])"
    )
    lines = BudgetLine.objects.in_bulk([int(i) for i in ids])
    return [lines[int(i)] for i in ids]


def outturns(lines) -> dict[int, Decimal]:
    return {
        f.line_id: f.outturn for f in Forecast.objects.filter(period=p6(), line__in=list(lines))
    }


def service_total_cell(page, column: str):
    return page.locator(f"#service-total [data-{column}]")


def replace_with_keyboard(page, text: str) -> None:
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(text)


def test_the_grid_fits_the_window_and_its_totals_follow_what_is_typed(sign_in, demo_server):
    page = sign_in("finance")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.extend(console_errors(message)))
    page.goto(demo_server.url + FORECAST)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_fits_the_window(page)
        page.screenshot(path=str(SCREENSHOTS / f"forecast-grid-{width}.png"))
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_accessible(page, "the forecast grid")

    # Figures are shown with thousands separators, and the widest fits its box.
    lines = grid_lines(page)
    saved = outturns(lines)
    first = page.locator(f"#outturn-{lines[0].pk}")
    assert first.input_value() == f"{saved[lines[0].pk]:,.2f}"
    first.fill("99,999,999.99")
    assert first.evaluate("input => input.scrollWidth <= input.clientWidth")

    # The grid scrolls in its own focusable region, the cost-centre column and header in view.
    region = page.get_by_role("region", name="Budget lines, £")
    region.focus()
    region.evaluate("box => { box.scrollLeft = 400; box.scrollTop = 300; }")
    box = region.bounding_box()
    code = page.locator("tr[data-line] th").nth(10).bounding_box()
    header = page.locator("#forecast-grid thead th").first.bounding_box()
    assert abs(code["x"] - box["x"]) < 3, "the cost-centre column scrolled out of view"
    assert abs(header["y"] - box["y"]) < 3, "the header row scrolled out of view"
    region.evaluate("box => { box.scrollLeft = 0; box.scrollTop = 0; }")

    # Typing a figure moves the line's variance, its area's total and the service total.
    line = lines[0]
    budget = line.budgets.get(year=p6().year).revised
    new = Decimal("1234567.89")
    first.fill(str(new))
    row = page.locator(f"tr:has(#outturn-{line.pk})")
    assert row.locator("[data-variance]").text_content() == pounds(new - budget)
    assert row.locator("[data-rag]").text_content().strip() == "Green"  # now an underspend
    total = sum(saved.values(), Decimal("0")) - saved[line.pk] + new
    assert service_total_cell(page, "outturn").text_content() == pounds(total)
    area = page.locator(f"tbody:has(#outturn-{line.pk})")
    in_area = area.locator("input[data-forecast]").evaluate_all(
        "inputs => inputs.map(input => Number(input.name.split('-')[1]))"
    )
    area_total = sum(saved[pk] for pk in in_area) - saved[line.pk] + new
    assert area.locator("tr[data-total] [data-outturn]").text_content() == pounds(area_total)
    # The headline is in £m as the server writes it.
    assert page.locator('[data-headline="outturn"]').text_content().startswith("£")

    # Text that is not money blanks the figures rather than guess; the server refuses it.
    first.fill("1.2m")
    assert row.locator("[data-variance]").text_content() == "–"
    assert service_total_cell(page, "outturn").text_content() == "–"
    page.get_by_role("button", name="Save forecasts").click()
    summary = page.locator(".govuk-error-summary")
    assert "enter the forecast in pounds" in summary.text_content()
    assert Forecast.objects.get(line=line, period=p6()).outturn == saved[line.pk]
    assert_accessible(page, "the grid with an error")
    assert errors == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    errors.clear()  # the refused save answers 400, as it should

    # Comparison columns can be hidden, and the choice is remembered.
    page.goto(demo_server.url + FORECAST)
    comparison = page.locator("th.csc-col-comparison").first
    assert comparison.is_visible()
    page.get_by_label("Show the comparison columns").uncheck()
    assert not comparison.is_visible()
    page.reload()
    assert not page.locator("th.csc-col-comparison").first.is_visible()
    assert not page.get_by_label("Show the comparison columns").is_checked()
    page.get_by_label("Show the comparison columns").check()

    # A line's history and its actuals by account open in place, in a dialog.
    page.get_by_role("link", name=f"Forecast history of {line.code}").click()
    dialog = page.get_by_role("dialog", name=f"Forecast history of {line.code}")
    dialog.get_by_role("table", name="The year-end forecast as it stood at each period").wait_for()
    assert_accessible(page, "the history dialog")
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    page.get_by_role("link", name=f"Actuals by account for {line.code}").click()
    dialog = page.get_by_role("dialog", name=f"Actuals by account of {line.code}")
    dialog.get_by_role("table").first.wait_for()
    assert "Ledger spend by account" in dialog.text_content()
    dialog.get_by_role("button", name="Close").click()
    assert not dialog.is_visible()
    assert errors == []


def test_an_officers_month_from_forecast_to_sign_off(
    sign_in, demo_server, browser, browser_context_args
):
    page = sign_in("finance")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.extend(console_errors(message)))
    page.goto(demo_server.url + FORECAST)
    assert_fits_the_window(page)
    # A colleague opens the same page before the officer saves.
    colleague = another_person(browser, browser_context_args, demo_server, "finance")
    colleague.goto(demo_server.url + FORECAST)

    lines = grid_lines(page)[:3]
    saved = outturns(grid_lines(page))
    before_total = service_total_cell(page, "outturn").text_content()
    assert before_total == pounds(sum(saved.values(), Decimal("0")))
    # Three forecasts and a commentary, from the keyboard only: Enter moves to the next line.
    # Near last period's figures, so that no commentary is required.
    last = {
        f.line_id: f.outturn
        for f in Forecast.objects.filter(period__year=p6().year, period__number=5, line__in=lines)
    }
    typed = {line.pk: last[line.pk] + Decimal("1000.50") * (n + 1) for n, line in enumerate(lines)}
    page.locator(f"#outturn-{lines[0].pk}").focus()
    for n, line in enumerate(lines):
        replace_with_keyboard(page, f"{typed[line.pk]:,.2f}")
        if n < 2:
            page.keyboard.press("Enter")
            assert page.evaluate("document.activeElement.id") == f"outturn-{lines[n + 1].pk}"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == f"commentary-{lines[2].pk}"
    replace_with_keyboard(page, "Two more placements from October")
    # The service total moved before anything was saved.
    expected = sum(saved.values(), Decimal("0")) + sum(typed[k] - saved[k] for k in typed)
    assert service_total_cell(page, "outturn").text_content() == pounds(expected)
    assert Forecast.objects.get(line=lines[0], period=p6()).outturn == saved[lines[0].pk]
    page.screenshot(path=str(SCREENSHOTS / "forecast-typed.png"))
    with page.expect_navigation():
        page.get_by_role("button", name="Save forecasts").click()
    assert (
        "Saved 3 forecasts." in page.locator(".govuk-notification-banner--success").text_content()
    )
    after = outturns(lines)
    assert after == typed
    assert (
        Forecast.objects.get(line=lines[2], period=p6()).commentary
        == "Two more placements from October"
    )
    assert service_total_cell(page, "outturn").text_content() == pounds(expected)
    assert_accessible(page, "the saved grid")

    # The colleague, whose page predates the save, saves the same line: refused, with ours.
    colleague.locator(f"#outturn-{lines[0].pk}").fill(f"{last[lines[0].pk] + 7:,.2f}")
    colleague.get_by_role("button", name="Save forecasts").click()
    conflict = colleague.locator(".govuk-error-summary").text_content()
    assert f"saved £{typed[lines[0].pk]:,.2f}" in conflict
    assert Forecast.objects.get(line=lines[0], period=p6()).outturn == typed[lines[0].pk]
    assert_accessible(colleague, "the conflict")
    colleague.context.close()

    # Submit; the director returns it with a reason.
    page.get_by_role("button", name="Submit for sign-off").click()
    assert (
        "Submitted for a director"
        in page.locator(".govuk-notification-banner--success").text_content()
    )
    director = another_person(browser, browser_context_args, demo_server, "director")
    director.goto(demo_server.url + FORECAST)
    assert_accessible(director, "the director's view of a submitted forecast")
    director.get_by_label("Reason for returning it to the finance officer").fill(
        "The agency line looks low for the winter"
    )
    director.get_by_role("button", name="Return for changes").click()
    assert "Returned to the finance officer" in director.content()

    # The officer sees the reason, corrects a line and submits again.
    page.reload()
    assert (
        "The agency line looks low for the winter"
        in page.locator("#return-reason-text").text_content()
    )
    assert_accessible(page, "the returned forecast")
    page.locator(f"#outturn-{lines[1].pk}").focus()
    replace_with_keyboard(page, f"{typed[lines[1].pk] + 500:,.2f}")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Save forecasts").click()
    assert (
        "Saved 1 forecasts." in page.locator(".govuk-notification-banner--success").text_content()
    )
    page.get_by_role("button", name="Submit again for sign-off").click()
    assert SignOff.objects.get(service=lines[0].service, period=p6()).status == "submitted"

    # The director signs it off.
    director.reload()
    director.get_by_role("button", name="Sign off this forecast").click()
    assert "Signed off." in director.locator(".govuk-notification-banner--success").text_content()
    signed = SignOff.objects.get(service=lines[0].service, period=p6())
    assert (signed.status, signed.signed_off_by.username, signed.submitted_by.username) == (
        SignOff.Status.SIGNED_OFF,
        "director",
        "finance",
    )
    page.reload()
    assert "Signed off" in page.locator("#sign-off-status").text_content()
    assert page.locator("input[data-forecast]").count() == 0  # locked once signed off
    director.context.close()
    assert errors == []


def test_a_ledger_upload_lists_bad_rows_then_loads_a_good_file(sign_in, demo_server):
    page = sign_in("finance")
    page.goto(demo_server.url + "/budgets/actuals/upload/")
    bad = "Cost Centre,Year,Period,Amount\nCSC-STF-RA,2018/19,6,lots\nNO-SUCH,2018/19,6,5\n"
    page.get_by_label("Ledger file").set_input_files(
        files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad.encode()}]
    )
    page.get_by_role("button", name="Load actuals").click()
    summary = page.locator(".govuk-error-summary")
    rows = summary.locator("tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator("td").nth(0).text_content() == "2"
    assert rows.nth(0).locator("td").nth(1).text_content() == "Amount"
    assert rows.nth(1).locator("td").nth(0).text_content() == "3"
    assert_accessible(page, "the upload's error summary")
    page.screenshot(path=str(SCREENSHOTS / "upload-errors.png"), full_page=True)

    good = 'Cost Centre,Year,Period,Amount\nCSC-STF-RA,2018/19,6,"£1,250.00"\n'
    page.get_by_label("Ledger file").set_input_files(
        files=[{"name": "good.csv", "mimeType": "text/csv", "buffer": good.encode()}]
    )
    page.get_by_role("button", name="Load actuals").click()
    banner = page.locator(".govuk-notification-banner--success").text_content()
    assert "1 row" in banner, banner
    assert_accessible(page, "the upload's success")


# Every page not opened by the other browser tests: (who opens it, its path, a word it shows).
OTHER_PAGES = [
    ("director", "/budgets/month-end/?year=2018/19&period=6", "Month end"),
    ("admin", "/budgets/setup/", "Set up"),
    ("admin", "/budgets/periods/", "Periods"),
    ("finance", "/budgets/", "Budgets"),
    ("finance", "/budgets/lines/CSC-STF-RA/history/?year=2018/19&period=6", "CSC-STF-RA"),
    ("finance", "/budgets/lines/CSC-STF-RA/actuals/?year=2018/19&period=6", "CSC-STF-RA"),
    ("finance", "/budgets/CYP/CSC/savings/?year=2018/19&period=6", "Savings"),
    ("finance", "/budgets/CYP/CSC/?year=2018/19&period=6", "Children"),
    ("scrutiny", FORECAST, "Forecast outturn"),
    ("scrutiny", "/committee/", "Committee"),
    ("scrutiny", "/committee/print/", "Committee"),
    ("scrutiny", "/placements/", "Placements"),
    ("finance", "/placements/scenarios/", "Scenario"),
    ("finance", "/placements/upload/", "Load"),
    ("scrutiny", "/workforce/", "Workforce"),
    ("finance", "/workforce/scenarios/", "Scenario"),
    ("finance", "/workforce/upload/", "Load"),
    ("admin", "/admin/", "Site administration"),
    ("admin", "/admin/budgets/budgetline/", "Select budget line"),
]


def test_every_other_page_is_accessible(demo_server, browser, browser_context_args):
    pages = {}
    errors: list[str] = []
    for username, path, text in OTHER_PAGES:
        if username not in pages:
            pages[username] = another_person(browser, browser_context_args, demo_server, username)
            pages[username].on("pageerror", lambda error: errors.append(str(error)))
            pages[username].on("console", lambda message: errors.extend(console_errors(message)))
        page = pages[username]
        response = page.goto(demo_server.url + path)
        assert response.status == 200, path
        assert text.lower() in page.content().lower(), path
        assert_accessible(page, path)
        assert_fits_the_window(page)

    # One admin change form, opened from its list.
    admin = pages["admin"]
    admin.locator("#result_list tbody a").first.click()
    admin.wait_for_url("**/change/")
    assert_accessible(admin, "an admin change form")

    # A person who is signed in but has no role yet is told so, accessibly.
    get_user_model().objects.create_user("newcomer", password=DEMO_PASSWORD)
    newcomer = another_person(browser, browser_context_args, demo_server, "newcomer")
    response = newcomer.goto(demo_server.url + "/budgets/")
    assert response.status == 403
    assert_accessible(newcomer, "the no-role page")
    for page in [*pages.values(), newcomer]:
        page.context.close()
    assert errors == []
