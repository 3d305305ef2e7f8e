"""Every page needs a signed-in user with a role, except the login page, /healthz and the
one-time set-password pages (a new user has no password yet: the link's token is the check)."""

import pytest

from budgets.access import Role
from tests.factories import PASSWORD, UserFactory
from tests.parsed_html import parse
from tests.urls_util import project_urls

pytestmark = pytest.mark.django_db

PUBLIC = {
    "login",
    "healthz",
    "set_password",
    "set_password_done",
    "oidc_start",
    "oidc_authentication_callback",
}
# Pages whose GET is not a page to read (logout is POST-only, by Django's design).
POST_ONLY = {"logout"}


def pages():
    return [(name, url) for name, url in project_urls() if name not in PUBLIC | POST_ONLY]


@pytest.mark.parametrize(("name", "url"), pages())
def test_anonymous_visitors_are_sent_to_the_login_page(client, name, url):
    response = client.get(url)
    assert response.status_code == 302, name
    assert "/login/" in response["Location"]


@pytest.mark.parametrize(("name", "url"), [p for p in pages() if not p[0].startswith("admin:")])
def test_a_signed_in_account_without_a_role_is_refused(client_for, no_role, name, url):
    assert client_for(no_role).get(url).status_code == 403


def test_the_login_page_and_healthz_need_no_login(client):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_every_project_url_is_in_this_test():
    names = {name for name, _ in project_urls()}
    assert {"overview", "healthz", "login", "logout", "budgets:index", "budgets:service"} <= names


def test_signing_in_takes_a_director_to_the_overview(client):
    UserFactory(username="d.irector", role=Role.DIRECTOR)
    response = client.post("/accounts/login/", {"username": "d.irector", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_wrong_password_is_refused_with_an_error_summary(client):
    UserFactory(username="d.irector", role=Role.DIRECTOR)
    response = client.post("/accounts/login/", {"username": "d.irector", "password": "nope"})
    assert response.status_code == 200
    assert parse(response.content).find("div", class_="govuk-error-summary")
    assert "_auth_user_id" not in client.session


def test_signing_out_ends_the_session(client_for, director):
    client = client_for(director)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302
