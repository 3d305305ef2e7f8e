"""The set-up tests serve the council they set up (LA 210), built by the commands alone:
`southwark` here is the council and its budget book only (no users), unlike tests/conftest.py's."""

import pytest

from budgets.models import Council
from tests.budgets.setup.support import BOOK, run


@pytest.fixture(autouse=True)
def _serve_southwark(settings):
    settings.CSC_COUNCIL_LA_CODE = "210"


@pytest.fixture
def southwark():
    run("setup_council", "--la-code", "210", "--name", "Southwark", "--year", "2024/25")
    run("import_budgets", str(BOOK))
    return Council.objects.get(la_code="210")
