"""Setting a second council up entirely from its own files, through the commands."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

pytestmark = pytest.mark.django_db

EXAMPLES = "fixtures/examples"


def run(*args, **kwargs) -> str:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err, **kwargs)
    return out.getvalue() + err.getvalue()


@override_settings(CSC_COUNCIL_LA_CODE="210")
def test_smoke():
    print(run("setup_council", "--la-code", "210", "--name", "Southwark", "--year", "2024/25"))
    print(run("import_budgets", f"{EXAMPLES}/budget_book_2024-25.csv"))
    print(run("import_budgets", f"{EXAMPLES}/budget_book_2024-25.csv"))
    print(run("import_users", f"{EXAMPLES}/users.csv"))
    print(run("start_year", "2025/26"))
    assert 0
