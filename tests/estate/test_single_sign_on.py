"""Single sign-on end to end against a real OpenID Connect provider (npm's oidc-provider, run
on loopback by tests/estate/oidc_provider.mjs) and the site on pytest-django's live server: a
real HTTP client follows every redirect, signs in on the provider's own pages, and comes back.
Users are matched by email; roles come from the groups claim through CSC_OIDC_GROUP_MAP."""

import re
from urllib.parse import urljoin

import pytest
import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from budgets.access import Role
from budgets.models import AuditEntry
from tests.estate.conftest import start_provider
from tests.live_server_process import free_port

ACCOUNTS = {
    # sign-in name at the provider: its claims
    "ravi": {"email": "Ravi.Shah@Example.gov.uk", "groups": ["g-directors", "g-everyone"]},
    "grace": {"email": "grace.adeyemi@example.gov.uk", "groups": ["g-everyone"]},
    "stranger": {"email": "someone.else@example.gov.uk", "groups": ["g-directors"]},
    "unverified": {
        "email": "ravi.shah@example.gov.uk",
        "email_verified": False,
        "groups": ["g-directors"],
    },
}
GROUP_MAP = {"g-directors": Role.DIRECTOR, "g-finance": Role.FINANCE_OFFICER}


@pytest.fixture(scope="module")
def provider(live_server):
    started = start_provider(redirect_uri=live_server.url + "/oidc/callback/", accounts=ACCOUNTS)
    yield started
    started.stop()


def use_sso(settings, issuer: str, *, local_passwords: bool = True) -> None:
    settings.CSC_OIDC_ENABLED = True
    settings.CSC_OIDC_ISSUER = issuer
    settings.OIDC_RP_CLIENT_ID = "csc-budget-monitor"
    settings.OIDC_RP_CLIENT_SECRET = "test-client-secret-" + "z" * 24
    settings.OIDC_RP_SCOPES = "openid email groups"
    settings.CSC_OIDC_GROUP_MAP = GROUP_MAP
    settings.CSC_LOCAL_PASSWORDS = local_passwords
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "csc_dashboard.sso.CouncilOIDCBackend",
        *(["django.contrib.auth.backends.ModelBackend"] if local_passwords else []),
    ]
    # The live server speaks plain HTTP: cookies marked Secure would not come back.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def site(live_server, provider, settings, transactional_db):
    """The live server with single sign-on on; the roles and two users of a council (the live
    server's database is emptied after each test, roles included)."""
    use_sso(settings, provider.issuer)
    settings.CSC_SITE_URL = live_server.url  # where the provider sends a signed-out browser
    for name in Role.ALL:
        Group.objects.get_or_create(name=name)
    users = get_user_model().objects
    ravi = users.create_user("r.shah", email="ravi.shah@example.gov.uk", password=None)
    ravi.groups.add(Group.objects.get(name=Role.SCRUTINY_MEMBER))  # replaced at sign-in
    users.create_user("cllr.adeyemi", email="grace.adeyemi@example.gov.uk", password=None)
    return live_server.url


FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)
INPUT = re.compile(r"<input[^>]*>")
NAME, VALUE = re.compile(r'name="([^"]*)"'), re.compile(r'value="([^"]*)"')


def provider_form(page: requests.Response) -> tuple[str, dict]:
    """The first form of one of the provider's pages: where it posts, and its hidden fields."""
    action, body = FORM.search(page.text).groups()
    fields = {}
    for tag in INPUT.findall(body):
        if name := NAME.search(tag):
            value = VALUE.search(tag)
            fields[name.group(1)] = value.group(1) if value else ""
    return urljoin(page.url, action), fields


def sign_in(site: str, account: str) -> tuple[requests.Session, requests.Response]:
    """What a person does: press the button, sign in at the provider, agree, come back."""
    browser = requests.Session()
    page = browser.get(site + "/accounts/login/", timeout=30)
    assert 'href="/oidc/authenticate/"' in page.text  # the button
    page = browser.get(site + "/oidc/authenticate/", timeout=30)  # → the provider's sign-in
    assert not page.url.startswith(site)
    action, fields = provider_form(page)
    assert fields["prompt"] == "login"
    page = browser.post(action, data={**fields, "login": account, "password": "any"}, timeout=30)
    if page.url.startswith(site):
        return browser, page
    action, fields = provider_form(page)  # the provider asks to share email and groups
    assert fields["prompt"] == "consent"
    page = browser.post(action, data=fields, timeout=30)  # → back to the site
    return browser, page


def test_a_council_account_signs_in_and_lands_on_the_overview_with_its_mapped_role(site):
    browser, page = sign_in(site, "ravi")

    assert page.url == site + "/"
    assert page.status_code == 200
    assert "Sign out" in page.text
    ravi = get_user_model().objects.get(username="r.shah")
    assert set(ravi.groups.values_list("name", flat=True)) == {Role.DIRECTOR}
    change = AuditEntry.objects.get(action="roles from sign-in", object_id=str(ravi.pk))
    assert (change.old_value, change.new_value) == (Role.SCRUTINY_MEMBER, Role.DIRECTOR)
    # The session rules are the site's own: the cookie lasts the idle timeout, no longer.
    assert browser.get(site + "/dashboard/movement/", timeout=30).status_code == 200


def test_signing_out_signs_out_at_the_provider_too(site):
    browser, page = sign_in(site, "ravi")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

    page = browser.post(site + "/accounts/logout/", data={"csrfmiddlewaretoken": token}, timeout=30)
    assert not page.url.startswith(site)  # at the provider's sign-out page
    action, fields = provider_form(page)
    page = browser.post(action, data={**fields, "logout": "yes"}, timeout=30)
    assert page.url == site + "/accounts/login/"  # back, signed out here ...
    assert browser.get(site + "/", allow_redirects=False, timeout=30).status_code == 302

    page = browser.get(site + "/oidc/authenticate/", timeout=30)
    assert not page.url.startswith(site)  # ... and there: the provider asks who it is again
    assert provider_form(page)[1]["prompt"] == "login"


def test_an_account_with_no_mapped_group_gets_the_403_page(site):
    browser, page = sign_in(site, "grace")

    assert page.url == site + "/"
    assert page.status_code == 403
    assert not get_user_model().objects.get(username="cllr.adeyemi").groups.exists()


@pytest.mark.parametrize(
    "account",
    [
        "stranger",  # no user has the email, and CSC_OIDC_CREATE_USERS is off
        "unverified",  # the provider says the email is not verified
    ],
)
def test_an_account_the_site_cannot_trust_is_refused(site, account):
    browser, page = sign_in(site, account)

    assert page.url == site + "/accounts/login/?sso=failed"
    assert "Signing in with your council account did not work" in page.text
    assert browser.get(site + "/", allow_redirects=False, timeout=30).status_code == 302
    assert get_user_model().objects.count() == 2  # nobody was created


def test_with_account_creation_on_an_unknown_email_gets_an_account_and_its_role(site, settings):
    settings.OIDC_CREATE_USER = True  # CSC_OIDC_CREATE_USERS=true

    browser, page = sign_in(site, "stranger")

    assert (page.url, page.status_code) == (site + "/", 200)
    user = get_user_model().objects.get(email="someone.else@example.gov.uk")
    assert user.username == "someone.else@example.gov.uk"
    assert not user.has_usable_password()
    assert set(user.groups.values_list("name", flat=True)) == {Role.DIRECTOR}
    assert AuditEntry.objects.filter(action="create from sign-in", object_id=str(user.pk)).exists()


def test_the_absolute_session_timeout_ends_a_single_sign_on_session(site, settings):
    settings.CSC_SESSION_ABSOLUTE_SECONDS = -1  # over as soon as the session has started

    browser, page = sign_in(site, "ravi")
    assert page.status_code == 200  # the first page starts the session's clock

    again = browser.get(site + "/", allow_redirects=False, timeout=30)
    assert (again.status_code, again.headers["Location"]) == (302, "/accounts/login/?next=/")


def test_an_email_two_users_share_is_refused_even_with_account_creation_on(site, settings):
    settings.OIDC_CREATE_USER = True
    get_user_model().objects.create_user("r.shah2", email="ravi.shah@example.gov.uk")

    browser, page = sign_in(site, "ravi")

    assert page.url == site + "/accounts/login/?sso=failed"
    assert get_user_model().objects.count() == 3  # the two who share it and grace; no more


def test_a_disabled_user_is_refused(site):
    get_user_model().objects.filter(username="r.shah").update(is_active=False)

    browser, page = sign_in(site, "ravi")

    assert page.url == site + "/accounts/login/?sso=failed"
    assert browser.get(site + "/", allow_redirects=False, timeout=30).status_code == 302


def test_failed_single_sign_ons_lock_the_address_out_like_wrong_passwords(site, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        sign_in(site, "stranger")

    browser, page = sign_in(site, "ravi")

    assert page.status_code == 429
    assert "Sign-in is locked for now" in page.text
    assert browser.get(site + "/", allow_redirects=False, timeout=30).status_code == 302


# --- Without the provider -----------------------------------------------------------------------


@pytest.mark.django_db
def test_with_local_passwords_off_the_password_form_is_refused(client, settings, director):
    use_sso(settings, "https://login.example.test", local_passwords=False)

    page = client.get("/accounts/login/")
    assert 'href="/oidc/authenticate/"' in page.text
    assert 'name="password"' not in page.text
    response = client.post("/accounts/login/", {"username": "director", "password": "x" * 12})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_provider_that_is_down_is_a_failed_sign_in_not_an_error(client, settings):
    use_sso(settings, f"http://127.0.0.1:{free_port()}")  # nothing listens

    response = client.get("/oidc/authenticate/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?sso=failed")
    response = client.get("/oidc/callback/?code=abc&state=made-up")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?sso=failed")


@pytest.mark.django_db
def test_a_provider_that_is_down_at_sign_out_leaves_the_sign_out_here(client, settings, director):
    use_sso(settings, f"http://127.0.0.1:{free_port()}")  # nothing listens
    client.force_login(director)
    session = client.session
    session["oidc_id_token"] = "header.payload.signature"
    session.save()

    response = client.post("/accounts/logout/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/")
    assert client.get("/", follow=False).status_code == 302  # signed out here all the same


@pytest.mark.django_db
def test_without_single_sign_on_its_addresses_do_not_exist(client):
    assert client.get("/oidc/authenticate/").status_code == 404
    assert 'href="/oidc/authenticate/"' not in client.get("/accounts/login/").text
