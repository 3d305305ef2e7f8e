"""Fixtures of the ledger extract tests: the example users file's people (the `southwark`
fixture of tests/conftest.py loads them)."""

import pytest

from tests.imports.ledger_support import user


@pytest.fixture
def officer(southwark):
    """Amina Okafor of the example users file: finance officer for CFS/SCF and CFS/EDU."""
    return user("a.okafor")


@pytest.fixture
def waste_officer(southwark):
    """Tom Price: finance officer for WST only."""
    return user("t.price")


@pytest.fixture
def council_admin(southwark):
    return user("m.clarke")


@pytest.fixture
def councillor(southwark):
    return user("cllr.adeyemi")
