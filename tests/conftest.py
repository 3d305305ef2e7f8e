"""Shared fixtures: the demo council loaded once per run, and a signed-in client per role."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command

from budgets.access import Role


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts from the demo council built from the committee report."""
    with django_db_blocker.unblock():
        call_command("load_demo", force=True, verbosity=0)


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
        return client

    return sign_in
