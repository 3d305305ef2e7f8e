"""A council that is not the demo, from an empty structure to its first signed-off month and
committee pack, entirely through the set-up commands and the pages, from the example files in
`fixtures/examples/` (no ORM set-up here).

The figures are checked against totals computed by hand from those files:

- Social Care and Family Support (CFS/SCF) revised budget: 9,840,000 + 4,800,000 + 5,880,000
  + 1,320,000 + 2,400,000 − 3,600,000 = 20,640,000.
- K31001's ledger rows for APR-24: 585,480.00 + 250,920.00 = 836,400.00; to June (P3):
  836,400 + 852,800 + 869,200 = 2,558,400.00.
- Forecasts entered at P3: K31001 10,500,000 (660,000 over) and K31011 1,500,000 (180,000
  over), every other line at its budget: forecast 21,480,000, variance 840,000 (£0.8m).
"""

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings

from budgets.models import Actual, BudgetLine, LedgerEntry, SignOff

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[3] / "fixtures" / "examples"
FORECAST = "/budgets/CFS/SCF/forecast/?year=2024/25&period=3"
SCF_BUDGET = Decimal("20640000.00")
OVER = {"K31001": Decimal("10500000.00"), "K31011": Decimal("1500000.00")}


def run(command, *args, **options) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def southwark():
    """The deployment serves LA 210 (the demo council is in the same database, as in a
    national deployment), set up from its files through the commands."""
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        run("setup_council", la_code="210", name="Southwark", year="2024/25")
        run("import_budgets", str(EXAMPLES / "budget_book_2024-25.csv"))
        yield run("import_users", str(EXAMPLES / "users.csv"))


def user(username):
    return get_user_model().objects.get(username=username)


def test_a_second_council_reaches_a_signed_off_month_and_its_committee_pack(
    southwark, client, tmp_path
):
    assert "/accounts/set-password/" in southwark  # a one-time link per new user
    lines = BudgetLine.objects.filter(service__directorate__code="CFS", service__code="SCF")
    assert lines.count() == 6

    # The finance lead (an administrator) loads the whole-council account-level extract.
    client.force_login(user("m.clarke"))
    with open(EXAMPLES / "ledger_account_level_2024-25_P01-P03.csv", "rb") as handle:
        response = client.post("/budgets/actuals/upload/", {"file": handle})
    assert response.status_code in (200, 302)
    assert Actual.objects.get(line__code="K31001", period__number=1).amount == Decimal("836400.00")
    to_june = sum(
        a.amount for a in Actual.objects.filter(line__code="K31001", period__number__lte=3)
    )
    assert to_june == Decimal("2558400.00")
    assert LedgerEntry.objects.filter(line__code="K31001", period__number=1).count() == 2

    # The officer forecasts every line of the service and submits.
    client.force_login(user("a.okafor"))
    page = client.get(FORECAST)
    assert page.status_code == 200
    data = {"year": "2024/25", "period": "3"}
    for line in lines.prefetch_related("budgets"):
        budget = line.budgets.get().revised
        data[f"outturn-{line.pk}"] = str(OVER.get(line.code, budget))
        data[f"original-{line.pk}"] = ""
        data[f"commentary-{line.pk}"] = "Placement numbers above plan" if line.code in OVER else ""
        data[f"original-commentary-{line.pk}"] = ""
        data[f"version-{line.pk}"] = "0"
    assert client.post(FORECAST, data).status_code == 302
    submit = "/budgets/CFS/SCF/forecast/submit/?year=2024/25&period=3"
    client.post(submit, {"year": "2024/25", "period": "3"})
    assert SignOff.objects.get(service__code="SCF").status == SignOff.Status.SUBMITTED

    # The other directorate's director may not sign it off; the service's own director does.
    sign = "/budgets/CFS/SCF/forecast/sign-off/?year=2024/25&period=3"
    client.force_login(user("h.jones"))
    client.post(sign, {"year": "2024/25", "period": "3"})
    assert SignOff.objects.get(service__code="SCF").status == SignOff.Status.SUBMITTED
    client.force_login(user("r.shah"))
    client.post(sign, {"year": "2024/25", "period": "3"})
    signed = SignOff.objects.get(service__code="SCF")
    assert (signed.status, signed.signed_off_by, signed.submitted_by) == (
        SignOff.Status.SIGNED_OFF,
        user("r.shah"),
        user("a.okafor"),
    )
    page = client.get(FORECAST).content.decode()
    assert "Ravi Shah" in page and "Amina Okafor" in page

    # The committee pack, from the command, carries the hand-computed figures in £m.
    out = tmp_path / "pack.xlsx"
    run(
        "export_committee_pack",
        year="2024/25",
        period="3",
        directorate="CFS",
        service="SCF",
        out=str(out),
    )
    book = openpyxl.load_workbook(out)
    cells = [
        [cell for cell in row if cell is not None]
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
    ]
    total_rows = [row for row in cells if row and row[0] == "Social Care and Family Support"]
    assert total_rows, "the pack has a row for the service"
    figures = [value for value in total_rows[0] if isinstance(value, int | float)]
    assert round(float(SCF_BUDGET) / 1e6, 1) in [round(v, 1) for v in figures]
    assert 0.8 in [round(v, 1) for v in figures]  # the variance, £0.84m


def test_a_council_just_set_up_opens_every_page_at_its_first_open_period(southwark, client):
    """Before any forecast or actuals the pages open at 2024/25 P1; once the ledger is loaded,
    at its latest period; never at another council's periods."""
    client.force_login(user("a.okafor"))
    page = client.get("/budgets/CFS/SCF/forecast/")
    assert page.status_code == 200
    assert page.context["period"].year.start_year == 2024
    assert page.context["period"].number == 1
    for url in ["/", "/budgets/", "/budgets/CFS/SCF/", "/committee/"]:
        assert client.get(url).status_code == 200, url
    run("import_actuals", str(EXAMPLES / "ledger_account_level_2024-25_P01-P03.csv"))
    assert client.get("/budgets/CFS/SCF/forecast/").context["period"].number == 3
