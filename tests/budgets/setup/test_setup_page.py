"""The administrator's Set up page: the same steps as the commands, through the same functions."""

import re
from decimal import Decimal

import pytest
from django.test import Client

from budgets.models import (
    AuditEntry,
    Council,
    FinancialYear,
    ImportRecord,
)
from tests.budgets.setup.support import BOOK, USERS, _set, revised, rewrite

pytestmark = pytest.mark.django_db


def upload(client, action, path, **data):
    with path.open("rb") as handle:
        return client.post("/budgets/setup/", {"action": action, "file": handle, **data})


def test_the_set_up_page_does_each_step(client_for, administrator, django_assert_max_num_queries):
    client = client_for(administrator)
    with django_assert_max_num_queries(12):
        assert client.get("/budgets/setup/").status_code == 200
    assert "Set up the council" in client.get("/budgets/").content.decode()

    bad = client.post(
        "/budgets/setup/", {"action": "council", "la_code": "999", "first_year": "2024/25"}
    )
    assert bad.status_code == 400
    assert "999 is not an LA code" in bad.content.decode()
    response = client.post(
        "/budgets/setup/",
        {"action": "council", "la_code": "210", "name": "Southwark", "first_year": "2024/25"},
    )
    assert response.status_code == 302
    assert Council.objects.get(la_code="210").name == "Southwark"

    response = upload(client, "budgets", BOOK)
    assert response.status_code == 200
    assert "Imported 11 rows: 11 new" in response.content.decode()
    assert revised(line__service__code="SCF") == Decimal("20640000.00")
    assert AuditEntry.objects.filter(object_type="budgets.Budget").first().user == administrator

    response = upload(client, "users", USERS)
    html = response.content.decode()
    assert "One-time links to set a password" in html
    link = re.search(r"http://127\.0\.0\.1:8000(/accounts/set-password/[^<\s]+)", html).group(1)
    assert Client().get(link).status_code == 302
    assert ImportRecord.objects.filter(kind="users").first().user == administrator

    response = client.post("/budgets/setup/", {"action": "year", "year": "2025/26"})
    assert response.status_code == 302
    assert FinancialYear.objects.filter(start_year=2025).exists()
    with django_assert_max_num_queries(12):
        assert client.get("/budgets/setup/").status_code == 200


def test_the_set_up_page_lists_bad_rows(client_for, administrator, southwark, tmp_path):
    path = rewrite(tmp_path, _set("K31001", 8, "nine million"))
    response = upload(client_for(administrator), "budgets", path)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Every row that needs correcting" in html
    assert "Original Budget" in html and "&#x27;nine million&#x27;" in html


@pytest.mark.parametrize("who", ["finance", "scrutiny", "director"])
def test_only_administrators_may_set_up(client_for, request, who, tmp_path):
    client = client_for(request.getfixturevalue(who))
    assert client.get("/budgets/setup/").status_code == 403
    assert upload(client, "budgets", BOOK).status_code == 403
    assert not Council.objects.filter(la_code="210").exists()


def test_the_write_functions_check_the_writer_too(finance):
    from budgets.council_setup import budget_book_import

    report = budget_book_import(BOOK.read_bytes(), file_name="book.csv", user=finance)
    assert "Only an administrator" in report.file_error
