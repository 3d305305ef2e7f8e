"""Shared fixtures: the demo council loaded once per run, and a signed-in client per role."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections
from django.test import override_settings

from budgets.access import Role


def _sign_in_default_as(login: dict) -> None:
    connections["default"].close()
    connections["default"].settings_dict.update(login)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The owner role has created and migrated the test database (csc_dashboard/settings_test.py);
    every test then runs as the site's role, and starts from the demo council built from the
    committee report. The owner signs in again at the end, to drop the database."""
    app_login = getattr(settings, "CSC_TEST_APP_LOGIN", None)
    owner_login = {k: connections["default"].settings_dict.get(k, "") for k in ("USER", "PASSWORD")}
    if app_login:
        _sign_in_default_as(app_login)
    with django_db_blocker.unblock():
        call_command("load_demo", force=True, verbosity=0)
    yield
    if app_login:
        _sign_in_default_as(owner_login)


@pytest.fixture(autouse=True)
def _empty_chart_cache():
    """Each test's database changes are rolled back, but the data version (a sequence) is not:
    start every test with no cached figures, so none outlive the data they came from."""
    cache.clear()


def _user(username: str, role: str | None):
    user = get_user_model().objects.create_user(username=username, password="unused-pw-123456")
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def director(db):
    return get_user_model().objects.get(username="director")


@pytest.fixture
def finance(db):
    """The demo finance officer, assigned to Children's Social Care."""
    return get_user_model().objects.get(username="finance")


@pytest.fixture
def scrutiny(db):
    return get_user_model().objects.get(username="scrutiny")


@pytest.fixture
def administrator(db):
    return get_user_model().objects.get(username="admin")


@pytest.fixture
def other_finance(db):
    """A finance officer assigned to Housing Needs, not to CSC."""
    from budgets.models import Service

    user = _user("other-finance", Role.FINANCE_OFFICER)
    Service.objects.get(code="HSG").finance_officers.add(user)
    return user


@pytest.fixture
def no_role(db):
    """A signed-in account that holds none of the four roles."""
    return _user("no-role", None)


@pytest.fixture
def client_for(client):
    def sign_in(user):
        client.force_login(user)
        # The session's first request stores when it started (a write); later ones read it.
        # Made here, so a test counting a page's queries counts the page's own.
        assert client.get("/signed-in").status_code in {200, 403}
        return client

    return sign_in


EXAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "examples"


@pytest.fixture
def southwark(db):
    """A second council, not the demo: Southwark (LA 210) set up from the example files in
    fixtures/examples/ through the set-up commands (council and year, budget book, users), and
    served by the deployment for the test's duration. Its users are those of users.csv:
    a.okafor (finance officer, CFS/SCF and CFS/EDU), t.price (finance officer, WST), r.shah
    (director, CFS), h.jones (director, ENL), cllr.adeyemi (scrutiny), m.clarke (administrator)."""
    from budgets.models import Council

    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        out = io.StringIO()
        call_command("setup_council", la_code="210", name="Southwark", year="2024/25", stdout=out)
        call_command("import_budgets", str(EXAMPLES / "budget_book_2024-25.csv"), stdout=out)
        call_command("import_users", str(EXAMPLES / "users.csv"), stdout=out)
        yield Council.objects.get(la_code="210")


def owner_connection():
    """A psycopg connection (autocommit) to the test database as the owner role, for the few
    tests that change the schema, which the site's role may not; what it does is committed."""
    import psycopg

    from csc_dashboard.backup import owner_database

    db = owner_database()
    return psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or None,
        user=db["USER"],
        password=db.get("PASSWORD") or None,
        dbname=connections["default"].settings_dict["NAME"],
        autocommit=True,
    )
