"""Whole pages kept under the data version (budgets/page_cache.py): a page read again runs no
view, yet a change shows at once, every form still posts, a message is still shown once, and no
reader is ever given another reader's page. On a council of the test's own (LA 211), built with
the factories."""

import re
import zlib
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from budgets.access import Role
from budgets.models import Forecast
from budgets.page_cache import _NOT_KEPT, _storable
from tests.factories import (
    BudgetFactory,
    CouncilFactory,
    DirectorateFactory,
    FinanceOfficerFactory,
    ForecastFactory,
    ScrutinyMemberFactory,
    ServiceFactory,
    period_of,
    serving,
)
from tests.parsed_html import parse

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def council():
    council = CouncilFactory(name="Page cache test council", la_code="211")
    with serving(council):
        yield council


@pytest.fixture
def services(council):
    people = DirectorateFactory(council=council, code="PPL", name="People")
    return {
        code: ServiceFactory(directorate=people, code=code, name=name)
        for code, name in {"FAM": "Family Help", "FOS": "Fostering"}.items()
    }


@pytest.fixture
def lines(services):
    period_of(2025, 2)
    return {
        code: BudgetFactory(
            line__service=services[service], line__code=code, line__area="placements",
            year=period_of(2025, 2).year, original=D("1000000"),
        ).line
        for code, service in {"F100": "FAM", "S200": "FOS"}.items()
    }  # fmt: skip


@pytest.fixture
def officer(services, lines):
    officer = FinanceOfficerFactory(
        first_name="Ada", last_name="Officer", services=[services["FAM"]]
    )
    ForecastFactory(line=lines["F100"], period=period_of(2025, 2), outturn=D("1000000"))
    return officer


def forecast_url():
    return "/budgets/PPL/FAM/forecast/?year=2025/26&period=2"


def queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx), response.content.decode()


def without_tokens(html: str) -> str:
    """The page less its CSRF tokens, masked afresh on every reply, kept page or not."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def signed_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "url", ["/", "/budgets/", "/placements/", "/workforce/", "/budgets/PPL/FAM/"]
)
def test_a_page_read_again_costs_the_trivial_view_and_the_version(officer, url):
    client = signed_in(officer)
    client.get("/signed-in")  # the session's first request stores its start: a write
    trivial, _ = queries(client, "/signed-in")
    first, html = queries(client, url)
    again, html_again = queries(client, url)
    assert again == trivial + 1  # the data version; the view itself ran no query
    assert again < first
    assert without_tokens(html_again) == without_tokens(html)


def test_the_forecast_form_of_a_kept_page_posts_and_its_figure_shows_at_once(officer, lines):
    client = signed_in(officer, enforce_csrf_checks=True)
    client.get(forecast_url())
    _, html = queries(client, forecast_url())  # from the cache
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert tokens and len(set(tokens)) == 1
    line = lines["F100"]
    held = Forecast.objects.get(line=line, period=period_of(2025, 2))
    form = parse(html).find("form", id="forecast-form")
    data = {  # the form as the browser would post it
        field.attrs["name"]: field.attrs.get("value", "") if field.tag == "input" else field.text()
        for field in form.iter()
        if field.tag in {"input", "textarea"} and field.attrs.get("name")
    }
    data[f"outturn-{line.pk}"] = "1250000"
    data[f"commentary-{line.pk}"] = "Two more residential placements from May."
    response = client.post(forecast_url(), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Forecast.objects.get(pk=held.pk).outturn == D("1250000")

    shown = client.get(forecast_url()).content.decode()
    assert "Saved 1 forecasts." in shown
    assert 'value="1250000.00"' in shown or 'value="1250000"' in shown
    shown_again = client.get(forecast_url()).content.decode()
    assert "Saved 1 forecasts." not in shown_again  # the message is shown once, then gone
    assert shown_again.count("1,250,000") == shown.count("1,250,000")


def test_readers_never_get_one_anothers_page(services, lines, officer):
    other = FinanceOfficerFactory(first_name="Bo", last_name="Other", services=[services["FOS"]])
    member = ScrutinyMemberFactory(first_name="Cal", last_name="Member")
    pages = {user: signed_in(user).get("/budgets/").content.decode() for user in (officer, other)}
    pages[member] = signed_in(member).get("/budgets/").content.decode()
    assert "Ada Officer" in pages[officer] and "Bo Other" not in pages[officer]
    assert "Family Help" in pages[officer] and "Fostering" not in pages[officer]
    assert "Fostering" in pages[other] and "Family Help" not in pages[other]
    assert "Fostering" in pages[member] and "Family Help" in pages[member]
    again = signed_in(other).get("/budgets/").content.decode()
    assert "Bo Other" in again and "Family Help" not in again


def test_a_role_taken_away_refuses_the_kept_page(officer):
    client = signed_in(officer)
    assert client.get("/budgets/").status_code == 200
    officer.groups.remove(Group.objects.get(name=Role.FINANCE_OFFICER))
    assert client.get("/budgets/").status_code == 403


def test_a_service_taken_away_leaves_the_kept_page(services, officer):
    client = signed_in(officer)
    assert "Family Help" in client.get("/budgets/").content.decode()
    services["FAM"].finance_officers.remove(officer)
    assert "Family Help" not in client.get("/budgets/").content.decode()


def _request():
    request = RequestFactory().get("/")
    request.session = type("Session", (), {"modified": False})()
    return request


def test_only_a_plain_page_is_kept():
    page = HttpResponse(b'<form><input type="hidden" name="csrfmiddlewaretoken" value="Ab12">')
    content_type, body = _storable(_request(), page)
    assert content_type == "text/html; charset=utf-8"
    assert zlib.decompress(body) == b"<form><!--csc-csrf-token-->"  # a fresh token per reply
    refused = HttpResponse(b"x", status=400)
    with_cookie = HttpResponse(b"x")
    with_cookie.set_cookie("a", "b")
    with_header = HttpResponse(b"x", headers={"Content-Disposition": "attachment"})
    for response in (refused, with_cookie, with_header):
        assert _storable(_request(), response) is _NOT_KEPT
    changed = _request()
    changed.session.modified = True
    assert _storable(changed, HttpResponse(b"x")) is _NOT_KEPT
