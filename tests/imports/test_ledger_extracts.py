"""Ledger extracts as finance systems export them, for a council that is not the demo: the
example files of Southwark (LA 210) in fixtures/examples/, at account level, in Oracle's and
Unit4's period spellings, uploaded by an administrator or a finance officer, and the account
detail page behind the forecast page's actuals-to-date figures."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from budgets.importers import actuals_import
from budgets.ledger_periods import PeriodCellError, year_and_period
from budgets.models import (
    Actual,
    ImportRecord,
    LedgerEntry,
    Period,
)
from tests.imports.ledger_support import (
    ORACLE,
    UNIT4,
    actual,
    entries,
    load,
    southwark_actuals,
    southwark_entries,
)

pytestmark = pytest.mark.django_db

# --- account level ----------------------------------------------------------------------------


def test_the_oracle_extract_is_summed_by_cost_centre_and_period(council_admin):
    report = load(ORACLE, council_admin)
    assert report.ok, report.errors
    # 11 cost centres x 3 periods, two accounts each.
    assert (report.rows, report.cost_centre_periods, report.created) == (66, 33, 33)
    assert "Imported 66 rows, summed into 33 cost-centre periods: 33 new" in report.summary()
    # By hand from the file: 585,480.00 + 250,920.00.
    assert actual("K31001", 1) == Decimal("836400.00")
    # (218,400.00) + (93,600.00): credits in brackets.
    assert actual("K31090", 2) == Decimal("-312000.00")
    # 1,113,000.00 + 477,000.00.
    assert actual("K51001", 3) == Decimal("1590000.00")
    assert southwark_actuals().count() == 33
    log = ImportRecord.objects.get(file_name=ORACLE.name)
    assert (log.outcome, log.user, log.rows, log.created) == ("success", council_admin, 66, 33)
    assert "summed into 33 cost-centre periods" in log.message


def test_the_account_detail_is_kept_in_ledger_entries(council_admin):
    load(ORACLE, council_admin)
    assert southwark_entries().count() == 66
    assert entries("K31001", 1) == {"51100": Decimal("585480.00"), "51200": Decimal("250920.00")}
    entry = LedgerEntry.objects.get(line__code="K31010", period__number=3, account="10050")
    assert (entry.description, entry.amount) == (
        "Employer pension contributions",
        Decimal("155820.00"),
    )
    # Every actual is the sum of its accounts.
    for row in southwark_actuals():
        assert row.amount == sum(
            LedgerEntry.objects.filter(line=row.line, period=row.period).values_list(
                "amount", flat=True
            )
        )


def test_rows_of_the_same_account_are_summed_into_one_entry(council_admin):
    data = (
        b"Cost Centre,Nominal,Subjective Description,Period,Amount\n"
        b"K31001,51100,IFA,APR-24,100.00\n"
        b"K31001,51100,IFA,APR-24,25.50\n"
        b"K31001,51200,Residential,APR-24,(10.00)\n"
    )
    report = actuals_import(data, file_name="journals.csv", user=council_admin)
    assert report.ok, report.errors
    assert actual("K31001", 1) == Decimal("115.50")
    assert entries("K31001", 1) == {"51100": Decimal("125.50"), "51200": Decimal("-10.00")}
    assert "Imported 3 rows, summed into 1 cost-centre periods" in report.summary()


def test_importing_the_same_extract_again_changes_nothing(council_admin):
    load(ORACLE, council_admin)
    before = sorted(southwark_entries().values_list("line_id", "period_id", "account", "amount"))
    again = load(ORACLE, council_admin)
    assert again.ok
    assert (again.created, again.updated, again.deleted, again.unchanged) == (0, 0, 0, 33)
    assert (again.entries_created, again.entries_updated, again.entries_deleted) == (0, 0, 0)
    assert again.entries_unchanged == 66
    assert again.changed == 0
    assert "0 new, 0 changed, 33 unchanged, 0 removed" in again.summary()
    after = sorted(southwark_entries().values_list("line_id", "period_id", "account", "amount"))
    assert after == before


def test_a_corrected_extract_replaces_the_periods_figures_for_its_services(council_admin):
    load(ORACLE, council_admin)
    corrected = (
        b"Cost Centre,Account,Account Description,Period Name,Actual Amount\n"
        b'K31001,51100,Independent fostering agencies,APR-24,"600,000.00"\n'
    )
    report = actuals_import(corrected, file_name="corrected.csv", user=council_admin)
    assert report.ok, report.errors
    assert actual("K31001", 1) == Decimal("600000.00")
    # Account 51200 is no longer in the file for K31001 P1: its entry goes.
    assert entries("K31001", 1) == {"51100": Decimal("600000.00")}
    # The file covers Social Care (SCF) in P1: its other five cost centres' P1 figures go...
    assert report.deleted == 5
    assert not Actual.objects.filter(line__code="K31002", period__number=1).exists()
    assert entries("K31002", 1) == {}
    assert (report.updated, report.entries_updated, report.entries_deleted) == (1, 1, 11)
    # ...while other periods and other services are untouched.
    assert actual("K31001", 2) == Decimal("852800.00")
    assert actual("K32001", 1) == Decimal("153000.00")
    assert entries("K32001", 1) == {"10010": Decimal("107100.00"), "10050": Decimal("45900.00")}


def test_a_file_without_accounts_that_repeats_a_cost_centre_and_period_is_summed(council_admin):
    load(ORACLE, council_admin)
    data = b"Cost Centre,Period,Amount\nK31001,APR-24,100\nK31001,APR-24,50.50\n"
    report = actuals_import(data, file_name="no-accounts.csv", user=council_admin)
    assert report.ok, report.errors
    assert actual("K31001", 1) == Decimal("150.50")
    assert "Imported 2 rows, summed into 1 cost-centre periods" in report.summary()
    # No account detail is invented; the service's P1 detail from the Oracle file is replaced.
    assert entries("K31001", 1) == {}
    assert entries("K31010", 1) == {}
    assert report.entries_deleted == 12
    assert entries("K31001", 2) != {}


def test_a_blank_account_in_an_account_level_extract_is_refused(council_admin):
    data = b"Cost Centre,Account,Period,Amount\nK31001,51100,APR-24,10\nK31001,,APR-24,10\n"
    report = actuals_import(data, file_name="subtotal.csv", user=council_admin)
    assert [str(e) for e in report.errors] == ["row 3, Account: the account is missing"]
    assert not southwark_actuals().exists()


# --- period spellings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "period", "posting_date", "default_year", "expected"),
    [
        ("", "APR-24", "", None, (2024, 1)),
        ("", "Apr-2024", "", None, (2024, 1)),
        ("", "April 2024", "", None, (2024, 1)),
        ("", "Sept 24", "", None, (2024, 6)),
        ("", "JAN-25", "", None, (2024, 10)),
        ("", "MAR-25", "", None, (2024, 12)),
        ("2024/25", "MAR-25", "", None, (2024, 12)),
        ("", "202401", "", None, (2024, 1)),
        ("", "202412", "", None, (2024, 12)),
        ("", "202413", "", None, (2024, 13)),
        ("", "202416", "", None, (2024, 16)),
        ("2024/25", "P06", "", None, (2024, 6)),
        ("2024-25", "P6", "", None, (2024, 6)),
        ("FY 2024/2025", "6", "", None, (2024, 6)),
        ("2024/25", "P13", "", None, (2024, 13)),
        ("", "P06", "", 2024, (2024, 6)),
        ("", "6", "", 2024, (2024, 6)),
        ("2023/24", "6", "", 2024, (2023, 6)),  # the row's own year wins
        ("", "", "15/09/2024", None, (2024, 6)),
        ("", "", "2025-03-31", None, (2024, 12)),
        ("30/09/2024", "", "", None, (2024, 6)),
        ("2024/25", "01/05/2024", "", None, (2024, 2)),
    ],
)
def test_every_period_spelling_gives_the_year_and_period(
    year, period, posting_date, default_year, expected
):
    assert year_and_period(year, period, posting_date, default_year) == expected


@pytest.mark.parametrize(
    ("year", "period", "key", "message"),
    [
        ("", "202417", "period", "is not a year and period like 202401"),
        ("", "202400", "period", "is not a year and period like 202401"),
        ("", "6", "period", "period 6 needs a financial year"),
        ("2023/24", "APR-24", "period", "APR-24 is in 2024/25, not in 2023/24"),
        ("2024/25", "17", "period", "'17' is not a period from 1 to 12"),
        ("", "Smarch-24", "period", "'Smarch-24' is not a period"),
        ("2024", "6", "year", "'2024' is not a financial year"),
    ],
)
def test_a_period_that_cannot_be_read_names_its_cell(year, period, key, message):
    with pytest.raises(PeriodCellError, match=message) as caught:
        year_and_period(year, period, "", None)
    assert caught.value.key == key


def test_each_spelling_lands_in_its_period_through_an_import(council_admin):
    data = (
        b"Cost Centre,Account,Period,Amount\n"
        b"K31001,1,APR-24,1\n"
        b"K31001,2,Apr-2024,2\n"
        b"K31001,3,April 2024,4\n"
        b"K31001,4,202401,8\n"
        b"K31002,1,MAR-25,16\n"
        b"K31002,2,202412,32\n"
        b"K31002,3,202413,64\n"
        b"K31010,1,P06,128\n"
        b"K31010,2,6,256\n"
    )
    report = actuals_import(data, file_name="spellings.csv", user=council_admin, year="2024/25")
    assert report.ok, report.errors
    assert actual("K31001", 1) == 15
    assert actual("K31002", 12) == 112
    assert actual("K31010", 6) == 384


def test_a_bare_period_number_needs_the_year_given_with_the_file(council_admin):
    data = b"Cost Centre,Period,Amount\nK31001,P06,10\n"
    report = actuals_import(data, file_name="bare.csv", user=council_admin)
    assert [str(e) for e in report.errors] == [
        "row 2, Period: period P06 needs a financial year: add a year column, or give the year "
        "with the file"
    ]
    report = actuals_import(data, file_name="bare.csv", user=council_admin, year="2024/25")
    assert report.ok, report.errors
    assert actual("K31001", 6) == Decimal("10")


def test_a_year_given_with_the_file_that_is_not_a_year_is_refused_and_logged(council_admin):
    data = b"Cost Centre,Period,Amount\nK31001,P06,10\n"
    report = actuals_import(data, file_name="bare.csv", user=council_admin, year="2024")
    assert "'2024' is not a financial year (use 2024/25)" in report.file_error
    assert ImportRecord.objects.get(file_name="bare.csv").outcome == "failed"


def test_the_command_takes_the_year_for_bare_period_numbers(tmp_path, capsys, southwark):
    path = tmp_path / "p06.csv"
    path.write_text("Cost Centre,Period,Amount\nK51002,P06,123.45\n")
    call_command("import_actuals", str(path), year="2024/25")
    assert "Imported 1 rows, summed into 1 cost-centre periods" in capsys.readouterr().out
    assert actual("K51002", 6) == Decimal("123.45")


# --- adjustment periods ----------------------------------------------------------------------


def test_the_unit4_example_folds_adjustment_period_13_into_period_12(council_admin):
    report = load(UNIT4, council_admin)
    assert report.ok, report.errors
    assert (report.rows, report.cost_centre_periods) == (26, 12)
    assert report.adjustments == {13: 2}
    assert "2 rows of adjustment period 13 were added to period 12." in report.summary()
    # 619,920.00 + 265,680.00.
    assert actual("K31001", 4) == Decimal("885600.00")
    # 640,000.00 + 274,000.00 + (-12,500.00 in P13) + (8,250.50 in P13).
    assert actual("K31001", 12) == Decimal("909750.50")
    assert entries("K31001", 12) == {
        "51100": Decimal("640000.00"),
        "51200": Decimal("261500.00"),
        "51900": Decimal("8250.50"),
    }
    assert "adjustment period 13" in ImportRecord.objects.get(file_name=UNIT4.name).message


def test_the_report_names_every_adjustment_period(council_admin):
    data = (
        b"Cost Centre,Account,Period,Amount\n"
        b"K31001,1,202412,100\n"
        b"K31001,1,202414,10\n"
        b"K31001,2,202416,1\n"
        b"K31001,2,202416,1\n"
    )
    report = actuals_import(data, file_name="adj.csv", user=council_admin)
    assert report.ok, report.errors
    assert actual("K31001", 12) == 112
    assert "3 rows of adjustment periods 14, 16 were added to period 12." in report.summary()


# --- errors quote the file's own headers -----------------------------------------------------

BAD = (
    "Cost Centre,Account,Account Description,Period Name,Actual Amount\n"
    "K31001,51100,IFA,APR-24,1.00\n"
    "K99999,51100,IFA,APR-24,1.00\n"  # row 3
    "K31001,51200,Residential,APR-24,lots\n"  # row 4
    "K31002,51100,IFA,Smarch-24,1.00\n"  # row 5
    "K31002,51200,Residential,MAY-24,1.00\n"  # row 6: closed below
    "K31010,,Salaries,APR-24,1.00\n"  # row 7
)


def close_may_2024():
    Period.objects.filter(year__start_year=2024, number=2).update(status=Period.Status.CLOSED)


def test_every_error_quotes_the_files_own_column_header(council_admin):
    close_may_2024()
    report = actuals_import(BAD.encode(), file_name="bad.csv", user=council_admin)
    assert [str(e) for e in report.errors] == [
        "row 3, Cost Centre: unknown cost centre 'K99999'",
        "row 4, Actual Amount: 'lots' is not an amount of money",
        "row 5, Period Name: 'Smarch-24' is not a period from 1 to 12 (13 to 16 for year-end "
        "adjustments), a month like APR-24 or a year and period like 202401",
        "row 6, Period Name: period 2 of 2024/25 is closed",
        "row 7, Account: the account is missing",
    ]
    assert not southwark_actuals().exists()
    assert ImportRecord.objects.get(file_name="bad.csv").errors[0] == (
        "row 3, Cost Centre: unknown cost centre 'K99999'"
    )


def test_the_command_prints_the_files_own_headers(tmp_path, capsys, council_admin):
    close_may_2024()
    path = tmp_path / "bad.csv"
    path.write_text(BAD)
    with pytest.raises(CommandError, match="Nothing was imported: 5 rows have errors"):
        call_command("import_actuals", str(path), user=council_admin.username)
    err = capsys.readouterr().err
    assert "row 3, Cost Centre: unknown cost centre 'K99999'" in err
    assert "row 4, Actual Amount: 'lots' is not an amount of money" in err
    assert "cost_centre" not in err and "amount:" not in err


def test_the_upload_page_shows_the_files_own_headers(client_for, council_admin):
    response = client_for(council_admin).post(
        "/budgets/actuals/upload/", {"file": SimpleUploadedFile("bad.csv", BAD.encode())}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert '<td class="govuk-table__cell">Cost Centre</td>' in html
    assert '<td class="govuk-table__cell">Actual Amount</td>' in html
    assert "unknown cost centre &#x27;K99999&#x27;" in html
    assert "cost_centre" not in html


def test_a_missing_column_is_named_in_words(council_admin):
    report = actuals_import(b"CC Code,Period,Value\n", file_name="x.csv", user=council_admin)
    assert report.file_error.startswith("Missing columns: cost centre. Found: CC Code")
