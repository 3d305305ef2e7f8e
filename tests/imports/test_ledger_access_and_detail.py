"""Ledger extracts: who may load which cost centres, and the account detail page."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from budgets import metrics, selectors
from budgets.importers import actuals_import
from budgets.models import (
    BudgetLine,
    ImportRecord,
    Period,
)
from tests.imports.ledger_support import (
    ORACLE,
    actual,
    load,
    southwark_actuals,
)

pytestmark = pytest.mark.django_db

# --- who may upload --------------------------------------------------------------------------


def test_an_administrator_uploads_the_whole_councils_extract_on_the_page(client_for, council_admin):
    client = client_for(council_admin)
    assert "whole council" in client.get("/budgets/actuals/upload/").content.decode()
    response = client.post(
        "/budgets/actuals/upload/", {"file": SimpleUploadedFile(ORACLE.name, ORACLE.read_bytes())}
    )
    assert response.status_code == 200
    assert "summed into 33 cost-centre periods" in response.content.decode()
    assert actual("K51001", 1) == Decimal("1530000.00")  # 1,071,000.00 + 459,000.00
    assert ImportRecord.objects.get(file_name=ORACLE.name).user == council_admin


def test_the_page_takes_the_year_for_bare_period_numbers(client_for, officer):
    response = client_for(officer).post(
        "/budgets/actuals/upload/",
        {
            "file": SimpleUploadedFile("p6.csv", b"Cost Centre,Period,Amount\nK32002,6,77\n"),
            "year": "2024/25",
        },
    )
    assert response.status_code == 200, response.content.decode()
    assert actual("K32002", 6) == Decimal("77")


def test_an_administrators_import_knows_only_the_current_councils_cost_centres(council_admin):
    # CSC-STF-RA is a line of the demo council, which this deployment does not serve.
    data = b"Cost Centre,Period,Amount\nK31001,APR-24,1\nCSC-STF-RA,APR-24,1\n"
    report = actuals_import(data, file_name="two-councils.csv", user=council_admin)
    assert [str(e) for e in report.errors] == [
        "row 3, Cost Centre: unknown cost centre 'CSC-STF-RA'"
    ]


def test_a_finance_officer_is_refused_another_services_cost_centres(officer):
    report = load(ORACLE, officer)
    refused = {e.row for e in report.errors}
    # K51001, K51002 and K51090 are Waste (WST): two rows each in each of three periods.
    assert len(refused) == 18
    assert "row 18, Cost Centre: K51001 belongs to Waste and Cleansing, which is not assigned" in (
        str(next(e for e in report.errors if e.row == 18))
    )
    assert not southwark_actuals().exists()


def test_a_finance_officer_loads_their_own_services(officer):
    data = b"Cost Centre,Account,Period,Amount\nK31001,51100,APR-24,5\nK32001,10010,APR-24,7\n"
    report = actuals_import(data, file_name="own.csv", user=officer)
    assert report.ok, report.errors
    assert (actual("K31001", 1), actual("K32001", 1)) == (5, 7)


def test_a_scrutiny_member_cannot_upload(client_for, councillor):
    assert client_for(councillor).get("/budgets/actuals/upload/").status_code == 403
    report = actuals_import(b"Cost Centre,Period,Amount\n", file_name="x.csv", user=councillor)
    assert "Only a finance officer or an administrator" in report.file_error


# --- the account detail page -----------------------------------------------------------------

DETAIL = "/budgets/lines/K31001/actuals/?year=2024/25&period=3"


def test_the_detail_page_shows_actuals_by_account_and_period(
    client_for, council_admin, councillor, django_assert_max_num_queries
):
    load(ORACLE, council_admin)
    client = client_for(councillor)
    # Session, user, roles, line, period, actuals, entries, years, council, and the session
    # saved (three statements: the idle timeout renews on every request), whatever the number
    # of accounts and periods.
    with django_assert_max_num_queries(12):
        response = client.get(DETAIL)
    assert response.status_code == 200
    table = response.context["table"]
    assert table.periods == [1, 2, 3]
    assert [(r.account, r.description, r.amounts) for r in table.rows] == [
        (
            "51100",
            "Independent fostering agencies",
            [Decimal("585480.00"), Decimal("596960.00"), Decimal("608440.00")],
        ),
        (
            "51200",
            "Residential placements",
            [Decimal("250920.00"), Decimal("255840.00"), Decimal("260760.00")],
        ),
    ]
    assert table.rows[0].total == Decimal("1790880.00")
    assert table.totals == [Decimal("836400.00"), Decimal("852800.00"), Decimal("869200.00")]
    assert table.total == Decimal("2558400.00")
    assert all(isinstance(v, Decimal) for v in [*table.totals, table.total])
    html = response.content.decode()
    assert "£2,558,400" in html and "<caption" in html


def test_the_detail_page_shows_what_no_account_explains(council_admin):
    load(ORACLE, council_admin)
    actuals_import(
        b"Cost Centre,Period,Amount\nK31001,MAY-24,1000\n", file_name="x.csv", user=council_admin
    )
    period = Period.objects.get(year__start_year=2024, number=2)
    table = selectors.actuals_by_account(BudgetLine.objects.get(code="K31001"), period)
    assert [(r.account, r.description, r.amounts) for r in table.rows] == [
        ("51100", "Independent fostering agencies", [Decimal("585480.00"), Decimal("0.00")]),
        ("51200", "Residential placements", [Decimal("250920.00"), Decimal("0.00")]),
        ("", metrics.NOT_ANALYSED, [Decimal("0.00"), Decimal("1000.00")]),
    ]
    assert table.totals == [Decimal("836400.00"), Decimal("1000.00")]


def test_the_detail_page_is_404_for_a_service_the_officer_does_not_see(client_for, waste_officer):
    assert client_for(waste_officer).get(DETAIL).status_code == 404
    assert client_for(waste_officer).get(DETAIL.replace("K31001", "K51001")).status_code == 200


def test_the_detail_page_needs_a_role(client_for, southwark, no_role):
    assert client_for(no_role).get(DETAIL).status_code == 403


def test_the_forecast_pages_actuals_to_date_link_to_the_detail(client_for, officer):
    response = client_for(officer).get("/budgets/CFS/SCF/forecast/?year=2024/25&period=3")
    assert response.status_code == 200
    assert 'href="/budgets/lines/K31001/actuals/?year=2024/25&amp;period=3"' in (
        response.content.decode()
    )
