"""Ledger actuals import: what councils' ledgers really export, all or nothing, idempotent."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from budgets.importers import actuals_import
from budgets.models import Actual, ImportRecord

pytestmark = pytest.mark.django_db


def amount(code, period=6, year=2018):
    return Actual.objects.get(
        line__code=code, period__year__start_year=year, period__number=period
    ).amount


def test_a_good_file_replaces_the_periods_actuals_and_is_logged(finance):
    data = b"Cost Centre,Financial Year,Period,Amount\nCSC-STF-RA,2018/19,6,1000.00\n"
    report = actuals_import(data, file_name="gl.csv", user=finance)
    assert report.ok, report.errors
    assert amount("CSC-STF-RA") == Decimal("1000.00")
    # The file reports only one CSC line for P6: the other CSC lines' P6 actuals are replaced.
    assert report.deleted == 17
    assert not Actual.objects.filter(
        line__code="CSC-STF-FSW", period__number=6, period__year__start_year=2018
    ).exists()
    # Other services' actuals for the period are untouched.
    assert Actual.objects.filter(
        line__code="SEND-TRN", period__number=6, period__year__start_year=2018
    ).exists()
    log = ImportRecord.objects.get(file_name="gl.csv")
    assert (log.outcome, log.user, log.rows, log.created, log.updated) == (
        "success",
        finance,
        1,
        0,
        1,
    )


def test_importing_the_same_file_twice_changes_nothing(finance):
    data = (
        b"cost_centre_code,fin year,period,amount\n"
        b"CSC-STF-RA,2018/19,6,10\nCSC-STF-FSW,2018/19,6,20\n"
    )
    actuals_import(data, file_name="a.csv", user=finance)
    count = Actual.objects.count()
    second = actuals_import(data, file_name="a.csv", user=finance)
    assert second.ok
    assert (second.created, second.updated, second.deleted, second.unchanged) == (0, 0, 0, 2)
    assert second.changed == 0
    assert Actual.objects.count() == count


def test_a_corrected_file_says_how_many_rows_changed(finance):
    actuals_import(
        b"cc,year,period,amount\nCSC-STF-RA,2018/19,6,10\nCSC-STF-FSW,2018/19,6,20\n",
        file_name="a.csv",
        user=finance,
    )
    report = actuals_import(
        b"cc,year,period,amount\nCSC-STF-RA,2018/19,6,10\nCSC-STF-FSW,2018/19,6,25\n",
        file_name="b.csv",
        user=finance,
    )
    assert (report.updated, report.unchanged) == (1, 1)
    assert "1 changed" in report.summary()
    assert amount("CSC-STF-FSW") == Decimal("25")


def test_it_reads_what_finance_systems_really_produce(finance):
    text = (
        "\ufeffCost Centre,Posting Date,Amount,Description\r\n"
        'CSC-STF-RA,30/09/2018,"£1,234.56",Salaries\r\n'
        ",,,\r\n"
        'CSC-STF-FSW,15/09/2018,"(1,000.00)",Credit note\r\n'
    )
    report = actuals_import(text.encode("utf-8"), file_name="gl.csv", user=finance)
    assert report.ok, report.errors
    assert amount("CSC-STF-RA") == Decimal("1234.56")
    assert amount("CSC-STF-FSW") == Decimal("-1000.00")


def test_it_reads_windows_1252_with_the_pound_sign(finance):
    data = "Cost Centre,Year,Period,Amount\nCSC-STF-RA,2018/19,6,£99.50\n".encode("cp1252")
    assert actuals_import(data, file_name="gl.csv", user=finance).ok
    assert amount("CSC-STF-RA") == Decimal("99.50")


def test_it_reads_xlsx_as_ledgers_export_it(finance):
    book = openpyxl.Workbook()
    book.active.append(["Cost Centre", "Financial Year", "Period", "Amount", "Narrative"])
    book.active.append(["CSC-STF-RA", "2018/19", 6, 5432.1, "x"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = actuals_import(buffer.getvalue(), file_name="gl.xlsx", user=finance)
    assert report.ok, report.errors
    assert amount("CSC-STF-RA") == Decimal("5432.10")


def test_every_bad_row_is_reported_and_nothing_is_written(finance):
    before = amount("CSC-STF-RA")
    data = (
        b"Cost Centre,Year,Period,Amount\n"
        b"CSC-STF-RA,2018/19,6,100\n"  # row 2: good
        b"NOPE-1,2018/19,6,100\n"  # row 3: unknown cost centre
        b"CSC-STF-FSW,2018/19,3,100\n"  # row 4: closed period
        b"CSC-STF-RA,2018/19,6,200\n"  # row 5: good, summed with row 2 (no longer refused)
        b"CSC-STF-LAC,2018/19,6,lots\n"  # row 6: text in money
        b"CSC-STF-FOS,2018/19,17,1\n"  # row 7: no such period (13-16 are adjustments)
        b"HSG-TMP,2018/19,6,1\n"  # row 8: not this officer's service
    )
    report = actuals_import(data, file_name="bad.csv", user=finance)
    assert not report.ok
    messages = {e.row: e.message for e in report.errors}
    assert set(messages) == {3, 4, 6, 7, 8}
    assert "unknown cost centre 'NOPE-1'" in messages[3]
    assert "is closed" in messages[4]
    assert "'lots' is not an amount of money" in messages[6]
    assert "not a period from 1 to 12" in messages[7]
    assert "not assigned to you" in messages[8]
    assert amount("CSC-STF-RA") == before
    assert ImportRecord.objects.get(file_name="bad.csv").outcome == "failed"


def test_a_file_over_the_size_limit_is_refused(finance, settings):
    settings.CSC_MAX_UPLOAD_BYTES = 20
    report = actuals_import(
        b"Cost Centre,Year,Period,Amount\n" * 3, file_name="big.csv", user=finance
    )
    assert "the limit is 20 bytes" in report.file_error


def test_the_command_lists_every_bad_row_and_fails(tmp_path, capsys):
    path = tmp_path / "gl.csv"
    path.write_text("Cost Centre,Year,Period,Amount\nNOPE,2018/19,6,1\nNOPE2,2018/19,6,x\n")
    with pytest.raises(CommandError, match="Nothing was imported: 2 rows have errors"):
        call_command("import_actuals", str(path))
    err = capsys.readouterr().err
    assert "row 2, Cost Centre: unknown cost centre 'NOPE'" in err
    assert "row 3, Amount: 'x' is not an amount of money" in err


def test_the_command_imports_a_good_file(tmp_path, capsys):
    path = tmp_path / "gl.csv"
    path.write_text("Cost Centre,Year,Period,Amount\nSEND-TRN,2018/19,6,1\n")
    call_command("import_actuals", str(path))
    assert "Imported 1 rows" in capsys.readouterr().out
    assert amount("SEND-TRN") == Decimal("1")


def test_a_date_in_the_year_column_gives_the_year_and_the_period(finance):
    data = b"Cost Centre,Financial Year,Amount\nCSC-STF-RA,30/09/2018,321.00\n"
    report = actuals_import(data, file_name="gl.csv", user=finance)
    assert report.ok, report.errors
    assert amount("CSC-STF-RA", period=6) == Decimal("321.00")


def test_the_year_labels_ledgers_print_are_all_understood(finance):
    book = openpyxl.Workbook()
    book.active.append(["Cost Centre", "Fin Year", "Period", "Amount"])
    book.active.append(["CSC-STF-RA", "2018-19", "P06", 11])
    book.active.append(["CSC-STF-FSW", "FY 2018/2019", 6, 22])
    # A year column holding the period-end date as a real Excel date, with the period beside it.
    book.active.append(["CSC-STF-LAC", datetime.datetime(2018, 9, 30), 6, 33])
    buffer = io.BytesIO()
    book.save(buffer)
    report = actuals_import(buffer.getvalue(), file_name="gl.xlsx", user=finance)
    assert report.ok, report.errors
    assert [amount(code) for code in ("CSC-STF-RA", "CSC-STF-FSW", "CSC-STF-LAC")] == [11, 22, 33]


def test_a_year_that_is_not_a_financial_year_is_refused_with_its_row(finance):
    data = (
        b"Cost Centre,Financial Year,Period,Amount\n"
        b"CSC-STF-RA,2018/20,6,1\n"
        b"CSC-STF-FSW,2018,6,1\n"
        b"CSC-STF-LAC,2018/19,01/04/2017,1\n"
    )
    report = actuals_import(data, file_name="gl.csv", user=finance)
    messages = {e.row: e.message for e in report.errors}
    assert "the years must be consecutive" in messages[2]
    assert "'2018' is not a financial year" in messages[3]
    assert "not in the financial year 2018/19" in messages[4]


def test_the_upload_page_lists_every_bad_row_and_writes_nothing(client_for, finance):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = amount("CSC-STF-RA")
    data = (
        "\ufeffCost Centre,Year,Period,Amount\r\n"
        "CSC-STF-RA,2018/19,6,£5\r\n"
        "HSG-TMP,2018/19,6,1\r\n"
        "CSC-STF-FSW,2018/19,2,1\r\n"
    ).encode("utf-8")
    response = client_for(finance).post(
        "/budgets/actuals/upload/", {"file": SimpleUploadedFile("gl.csv", data)}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "not assigned to you" in html and "is closed" in html
    assert amount("CSC-STF-RA") == before


def test_the_upload_page_imports_a_good_file_for_the_officers_service(client_for, finance):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = "Cost Centre,Year,Period,Amount\nCSC-STF-RA,2018/19,6,£1\n".encode("cp1252")
    response = client_for(finance).post(
        "/budgets/actuals/upload/", {"file": SimpleUploadedFile("gl.csv", data)}
    )
    assert response.status_code == 200
    assert amount("CSC-STF-RA") == Decimal("1")
    assert ImportRecord.objects.get(file_name="gl.csv").user == finance


def test_the_upload_page_refuses_a_file_over_the_limit_and_logs_it(client_for, finance, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.CSC_MAX_UPLOAD_BYTES = 1024
    data = b"Cost Centre,Year,Period,Amount\n" + b"CSC-STF-RA,2018/19,6,1\n" * 100
    response = client_for(finance).post(
        "/budgets/actuals/upload/", {"file": SimpleUploadedFile("huge.csv", data)}
    )
    assert response.status_code == 400
    assert "the limit is 1,024 bytes" in response.content.decode()
    log = ImportRecord.objects.get(file_name="huge.csv")
    assert (log.outcome, log.user) == ("failed", finance)


def test_the_command_run_as_an_officer_refuses_services_not_assigned_to_them(
    tmp_path, capsys, other_finance
):
    path = tmp_path / "gl.csv"
    path.write_text("Cost Centre,Year,Period,Amount\nCSC-STF-RA,2018/19,6,1\n")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_actuals", str(path), user=other_finance.username)
    assert "which is not assigned to you" in capsys.readouterr().err
    assert ImportRecord.objects.get(file_name="gl.csv").user == other_finance
