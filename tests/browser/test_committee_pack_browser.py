"""The committee pack in Chromium: the print view draws every chart of the pack and axe-core
finds no serious or critical issue on it; the PDF's first pages, rendered to PNG by pdftoppm,
show charts that are drawn, not blank."""

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_dashboard_browser import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
QUERY = "?year=2018/19&period=6&directorate=CYP&service=CSC"
OVERSPEND_RED = (212, 53, 28)  # budgets.chart_style OVERSPEND


def test_the_print_view_draws_every_chart_and_is_accessible(sign_in, demo_server):
    page = sign_in("scrutiny")
    page.goto(f"{demo_server.url}/committee/print/{QUERY}")
    charts = page.locator("figure.csc-pack-chart svg")
    assert charts.count() == 7  # the demo pack's charted sections
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 300 and box["height"] > 150
    page.screenshot(path=str(SCREENSHOTS / "committee-print.png"), full_page=True)
    assert serious_violations(page) == []
    page.emulate_media(media="print")
    assert serious_violations(page) == []


def _share_of(image: Image.Image, test) -> float:
    pixels = list(image.convert("RGB").get_flattened_data())
    return sum(1 for p in pixels if test(p)) / len(pixels)


def _near(colour, target, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, target, strict=True))


def test_the_pdfs_first_pages_show_drawn_charts(sign_in, demo_server, tmp_path):
    page = sign_in("scrutiny")
    response = page.request.get(f"{demo_server.url}/committee/pack.pdf{QUERY}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(response.body())
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "3", str(pdf), str(tmp_path / "p")],
        check=True,
        timeout=60,
    )
    pages = sorted(Path(tmp_path).glob("p-*.png"))
    assert len(pages) == 3
    for png in pages:
        (SCREENSHOTS / f"committee-pdf-{png.name}").write_bytes(png.read_bytes())
    # Page 1 is the front page in words; pages 2 and 3 each open with a chart in their top half.
    for png in pages[1:]:
        image = Image.open(png)
        top = image.crop((0, int(image.height * 0.08), image.width, int(image.height * 0.5)))
        assert _share_of(top, lambda p: sum(p) < 600) > 0.03, f"{png.name}: chart area blank"
    # The directorate's services all overspend: their bars are drawn in the overspend colour.
    assert _share_of(Image.open(pages[1]), lambda p: _near(p, OVERSPEND_RED)) > 0.005


def test_the_administrator_reorders_the_pack_on_an_accessible_page(sign_in, demo_server):
    page = sign_in("admin")
    page.goto(f"{demo_server.url}/committee/pack/")
    assert serious_violations(page) == []
    page.get_by_label("Title of The forecast overspend at each month").fill("How the month moved")
    page.get_by_label("Order of The forecast overspend at each month").fill("1")
    page.get_by_label("Order of Each service of the directorate").fill("20")  # was first
    page.get_by_role("button", name="Save the pack").click()
    page.wait_for_url(f"{demo_server.url}/committee/pack/")
    page.screenshot(path=str(SCREENSHOTS / "committee-pack-settings.png"), full_page=True)
    page.goto(f"{demo_server.url}/committee/{QUERY}")
    first = page.locator("section.csc-committee-table h2").first.text_content()
    assert "How the month moved" in first
