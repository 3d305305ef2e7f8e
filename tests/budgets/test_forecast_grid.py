"""The forecast page as a grid: figures shown with thousands separators and read back as the
same amounts, the figures its script needs, links that open, and no inline script. For the demo
and for a council set up from its own files. (tests/browser/test_officer_month.py drives it in
Chromium.)"""

import json
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from budgets.formatting import money_input, pence
from budgets.importing import parse_money
from budgets.models import BudgetLine, Forecast, Period
from tests.budgets.setup.test_second_council_end_to_end import southwark  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db
URL = "/budgets/CYP/CSC/forecast/?year=2018/19&period=6"
SOUTHWARK = "/budgets/CFS/SCF/forecast/?year=2024/25&period=3"


class FormFields(HTMLParser):
    """The page's form fields as a browser would post them, and every link and script."""

    def __init__(self):
        super().__init__()
        self.fields, self.links, self.scripts = {}, [], []
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.fields[self._textarea] = ""
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "script":
            self.scripts.append(attrs)

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def read(html: str) -> FormFields:
    parser = FormFields()
    parser.feed(html)
    return parser


def p6():
    return Period.objects.get(year__start_year=2018, number=6)


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("11904770.3"), "11,904,770.30"),
        (Decimal("99999999.99"), "99,999,999.99"),
        (Decimal("-1234.5"), "-1,234.50"),
        (Decimal("0"), "0.00"),
    ],
)
def test_an_input_shows_pounds_and_pence_with_separators_and_reads_back_the_same(amount, shown):
    assert money_input(amount) == shown
    assert parse_money(shown) == amount


def test_the_script_gets_whole_pence():
    assert (pence(Decimal("11904770.30")), pence(Decimal("-0.5")), pence(None)) == (
        "1190477030",
        "-50",
        "",
    )


def test_the_inputs_show_the_saved_figures_with_separators(client_for, finance):
    html = client_for(finance).get(URL).content.decode()
    fields = read(html).fields
    line = BudgetLine.objects.get(code="CSC-STF-RA")
    saved = Forecast.objects.get(line=line, period=p6()).outturn
    assert fields[f"outturn-{line.pk}"] == f"{saved:,.2f}"
    assert "," in fields[f"outturn-{line.pk}"]
    assert fields[f"original-{line.pk}"] == str(saved)  # the hidden original stays plain
    assert f'data-outturn="{int(saved * 100)}"' in html


def test_posting_the_page_as_shown_saves_nothing(client_for, finance):
    client = client_for(finance)
    fields = read(client.get(URL).content.decode()).fields
    versions = dict(Forecast.objects.filter(period=p6()).values_list("pk", "version"))
    response = client.post(URL, fields, follow=True)
    assert "Nothing had changed, so nothing was saved." in response.content.decode()
    assert dict(Forecast.objects.filter(period=p6()).values_list("pk", "version")) == versions


def test_a_figure_typed_with_separators_is_saved_and_shorthand_is_refused(client_for, finance):
    client = client_for(finance)
    line = BudgetLine.objects.get(code="CSC-STF-RA")
    fields = read(client.get(URL).content.decode()).fields
    before = Forecast.objects.get(line=line, period=p6()).outturn

    refused = client.post(URL, {**fields, f"outturn-{line.pk}": "1.2m"})
    assert refused.status_code == 400
    assert "CSC-STF-RA: enter the forecast in pounds" in refused.content.decode()
    assert Forecast.objects.get(line=line, period=p6()).outturn == before

    new = before + Decimal("1234.56")
    typed = {f"outturn-{line.pk}": f"{new:,.2f}", f"commentary-{line.pk}": "Agency cover"}
    saved = client.post(URL, {**fields, **typed}, follow=True)
    assert "Saved 1 forecasts." in saved.content.decode()
    assert Forecast.objects.get(line=line, period=p6()).outturn == new


def test_the_script_gets_the_rag_thresholds_and_no_script_is_inline(client_for, finance, settings):
    page = read(html := client_for(finance).get(URL).content.decode())
    data = re.search(
        r'<script id="forecast-rag-thresholds" type="application/json">(.*?)</script>', html
    )
    assert json.loads(data.group(1))["line"] == {
        name: str(value) for name, value in settings.CSC_RAG_THRESHOLDS["line"].items()
    }
    for script in page.scripts:  # the CSP allows scripts from /static/ and data blocks only
        assert script.get("src", "").startswith("/static/") or script.get("type") in (
            "application/json",
            "module",
        ), script
    assert any(s.get("src", "").endswith("js/forecast.js") for s in page.scripts)


def test_every_link_in_the_grid_opens(client_for, finance):
    client = client_for(finance)
    links = {
        link.replace("&amp;", "&")
        for link in read(client.get(URL).content.decode()).links
        if link.startswith("/budgets/")
    }
    assert any("/history/" in link for link in links)
    assert any("/actuals/?" in link for link in links)
    for link in sorted(links):
        assert client.get(link).status_code == 200, link


def test_a_council_set_up_from_its_files_shows_its_budgets_and_saves_one_change(
    southwark,  # noqa: F811
    client,
):
    """SCF at P3 2024/25 has no forecasts yet: each input shows the line's budget (K31001:
    9,840,000); posting the page as shown saves nothing, and one figure typed with separators
    saves that line alone."""
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        client.force_login(get_user_model().objects.get(username="a.okafor"))
        html = client.get(SOUTHWARK).content.decode()
        fields = read(html).fields
        k31001 = BudgetLine.objects.get(code="K31001")
        assert fields[f"outturn-{k31001.pk}"] == "9,840,000.00"
        assert 'data-budget="984000000"' in html
        response = client.post(SOUTHWARK, fields, follow=True)
        assert "Nothing had changed" in response.content.decode()
        assert not Forecast.objects.filter(line__service__code="SCF").exists()

        fields[f"outturn-{k31001.pk}"] = "10,500,000"
        fields[f"commentary-{k31001.pk}"] = "Placement numbers above plan"
        response = client.post(SOUTHWARK, fields, follow=True)
        assert "Saved 1 forecasts." in response.content.decode()
        saved = Forecast.objects.get(line__service__code="SCF")
        assert (saved.line, saved.outturn) == (k31001, Decimal("10500000.00"))
        assert "£21,300,000" in response.content.decode()  # 20,640,000 + 660,000
