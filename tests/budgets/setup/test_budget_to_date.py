"""Budget to date (the budget book's monthly profile) beside actuals to date."""

import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest

from tests.budgets.setup.support import (
    rewrite,
    run,
)

pytestmark = pytest.mark.django_db


def ledger(tmp_path, rows) -> Path:
    path = tmp_path / "ledger.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([["Cost Centre", "Year", "Period", "Amount"], *rows])
    return path


def cells(html: str, label: str) -> list[str]:
    for tr in re.findall(r"<tr.*?</tr>", html, flags=re.S):
        if label in tr:
            hidden = r'<span class="govuk-visually-hidden">.*?</span>'
            return [
                re.sub(r"<[^>]+>|\s+", " ", re.sub(hidden, "", c)).strip()
                for c in re.findall(r"<t[hd].*?</t[hd]>", tr, flags=re.S)
            ]
    raise AssertionError(f"no row for {label}")


def test_budget_to_date_beside_actuals_to_date(southwark, tmp_path, client_for, director):
    run(
        "import_actuals",
        str(
            ledger(
                tmp_path,
                [
                    ["K31001", "2024/25", "1", "800,000.00"],
                    ["K31001", "2024/25", "2", "830,000.00"],
                    ["K31001", "2024/25", "3", "845,000.00"],
                    ["K31002", "2024/25", "3", "390,000.00"],
                ],
            )
        ),
    )
    client = client_for(director)
    html = client.get("/budgets/CFS/SCF/forecast/?year=2024/25&period=3").content.decode()
    # Profile 820,000 a month: 2,460,000 to P3; actuals 2,475,000; 15,000 ahead of profile.
    assert cells(html, "K31001")[1:5] == ["£9,840,000", "£2,460,000", "£2,475,000", "£15,000"]
    # Placements: + K31002's 3 × 400,000 = 3,660,000 to date; actuals 2,865,000.
    assert cells(html, "Children&#x27;s placements total")[1:5] == [
        "£14,640,000",
        "£3,660,000",
        "£2,865,000",
        "(£795,000)",
    ]
    # The service: every profile (20,640,000 a year) is 1,720,000 a month: 5,160,000 to P3.
    assert cells(html, "Social Care and Family Support total")[2:5] == [
        "£5,160,000",
        "£2,865,000",
        "(£2,295,000)",
    ]
    page = client.get("/budgets/CFS/SCF/?year=2024/25&period=3").content.decode()
    assert cells(page, "K31001")[1:5] == ["£9,840,000", "£2,460,000", "£2,475,000", "£15,000"]


def test_a_line_without_a_profile_shows_a_dash(southwark, tmp_path, client_for, director):
    path = rewrite(tmp_path, lambda header, rows: rows[0].__setitem__(slice(11, 23), [""] * 12))
    run("import_budgets", str(path))
    html = client_for(director).get("/budgets/CFS/SCF/forecast/?year=2024/25&period=3")
    html = html.content.decode()
    assert cells(html, "K31001")[1:5] == ["£9,840,000", "–", "£0", "–"]
    assert cells(html, "K31002")[2] == "£1,200,000"
    assert cells(html, "Children&#x27;s placements total")[2] == "–"
    assert cells(html, "Social Care and Family Support total")[2] == "–"


def test_the_budget_to_date_arithmetic():
    from budgets.metrics import ytd_budget, ytd_variance

    profile = [Decimal("100.00"), Decimal("200.00"), Decimal("300.50")] + [Decimal("0")] * 9
    assert ytd_budget(profile, 2) == Decimal("300.00")
    assert ytd_budget(profile, 3) == Decimal("600.50")
    assert ytd_budget(None, 3) is None
    assert ytd_variance(actuals=Decimal("650.50"), budget_to_date=Decimal("600.50")) == 50
    assert ytd_variance(actuals=Decimal("1"), budget_to_date=None) is None
