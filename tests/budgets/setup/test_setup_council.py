"""setup_council and start_year: the council, its years and periods, from the commands."""

from decimal import Decimal

import pytest

from budgets.models import (
    AuditEntry,
    BudgetLine,
    Council,
    FinancialYear,
    Period,
)
from tests.budgets.setup.support import BOOK_NEXT, refused, revised, run

pytestmark = pytest.mark.django_db


def test_setup_council_creates_the_council_and_its_year_once():
    said = run("setup_council", "--la-code", "210", "--name", "Southwark", "--year", "2024/25")
    assert "Created the council Southwark (LA code 210)" in said
    assert "Created the financial year 2024/25 and its 12 periods" in said
    year = FinancialYear.objects.get(start_year=2024)
    assert list(year.periods.values_list("number", flat=True)) == list(range(1, 13))

    said = run("setup_council", "--la-code", "210", "--name", "LB Southwark", "--year", "2024/25")
    assert "Renamed the council with LA code 210: Southwark → LB Southwark" in said
    assert "already had its 12 periods" in said
    assert Council.objects.filter(la_code="210").get().name == "LB Southwark"
    assert Period.objects.filter(year=year).count() == 12
    assert AuditEntry.objects.filter(object_type="budgets.Council", action="update").count() == 1


def test_setup_council_refuses_a_code_not_in_the_dfe_list():
    said = refused("setup_council", "--la-code", "999", "--name", "Nowhere", "--year", "2024/25")
    assert "999 is not an LA code in the DfE's list" in said
    assert not Council.objects.filter(la_code="999").exists()
    assert "not an LA code" in refused("setup_council", "--la-code", "21", "--year", "2024/25")
    assert not FinancialYear.objects.filter(start_year=2024).exists()


def test_setup_council_reminds_to_choose_the_council_when_there_are_two(settings):
    settings.CSC_COUNCIL_LA_CODE = ""
    said = run("setup_council", "--la-code", "210", "--year", "2024/25")
    assert "Created the council Southwark (LA code 210)" in said  # the DfE's name by default
    assert "set CSC_COUNCIL_LA_CODE=210" in said


def test_start_year_then_the_next_budget_book(southwark):
    assert "2024/25, so the next is 2025/26" in refused("start_year", "2026/27")
    assert "not the next financial year" in refused("start_year", "2023/24")
    said = run("start_year", "2025/26")
    assert "Started 2025/26 with its 12 periods" in said
    assert FinancialYear.objects.get(start_year=2025).periods.count() == 12
    assert "not the next financial year" in refused("start_year", "2025/26")

    said = run("import_budgets", str(BOOK_NEXT), "--year", "2025/26")
    assert "Imported 12 rows: 12 new" in said
    # 10.2m + 4.92m + 5.88m + 1.32m + 2.4m + 0.6m (the new edge of care line) - 3.72m
    assert revised(start_year=2025, line__service__code="SCF") == Decimal("21600000.00")
    assert revised(start_year=2025, line__service__directorate__code="CFS") == Decimal(
        "26700000.00"
    )
    assert revised(start_year=2025, line__area_of_spend="contracts") == Decimal("18600000.00")
    # The structure carried forward: the same lines, one new; last year's budgets untouched.
    assert BudgetLine.objects.filter(service__directorate__council=southwark).count() == 12
    assert revised(start_year=2024, line__service__code="SCF") == Decimal("20640000.00")
    assert not AuditEntry.objects.filter(action="virement").exists()
    # Without --year, the latest open year: now 2025/26.
    assert "Nothing changed" in run("import_budgets", str(BOOK_NEXT))
