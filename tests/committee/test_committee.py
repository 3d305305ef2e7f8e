"""Committee tables from live data, their exports, and who may take them away."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.db.models import Sum

from budgets.models import Budget, Forecast, Saving
from placements import selectors as placement_selectors

pytestmark = pytest.mark.django_db
QUERY = "?year=2018/19&period=6&directorate=CYP&service=CSC"


def sheet_rows(data: bytes, title_start: str):
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book[next(n for n in book.sheetnames if n.startswith(title_start))]
    return sheet, [row for row in sheet.iter_rows(min_row=6, values_only=True) if any(row)]


def test_the_exported_budget_by_area_sheet_reads_as_the_report_with_numbers_as_numbers(tmp_path):
    out = tmp_path / "pack.xlsx"
    call_command(
        "export_committee_pack",
        "--year",
        "2018/19",
        "--period",
        "6",
        "--service",
        "CSC",
        "--out",
        str(out),
        verbosity=0,
    )
    sheet, rows = sheet_rows(out.read_bytes(), "9 ")
    assert sheet.title == "9 budget_by_area"  # the demo's label for the table, then its key
    assert sheet["A1"].value == "9 Children's Social Care: budget and forecast by area of spend"
    assert sheet["A2"].value == "Period: 2018/19 period 6 (September 2018)"
    assert sheet["A3"].value.startswith("Produced: ")
    assert [c.value for c in sheet[5]] == ["Area of spend", "£m", "Forecast overspend 2018/19"]
    figures = [(name, round(budget, 1), round(variance, 1)) for name, budget, variance in rows]
    assert figures == [
        ("Staffing", 10.5, 4.1),
        ("Children's placements", 22.6, 8.7),
        ("Specialist support", 1.3, 0.1),
        ("Other support", 3.0, 0.4),
        ("Other costs", 4.0, -0.4),
        ("Total", 41.6, 12.9),
    ]
    for row in sheet.iter_rows(min_row=6, max_row=11, min_col=2):
        for cell in row:
            assert cell.data_type == "n"
            assert cell.number_format == "#,##0.0;(#,##0.0);0.0"  # brackets for underspends


def test_every_tables_totals_match_the_database(client_for, director):
    data = client_for(director).get("/committee/pack.xlsx" + QUERY).content
    _, section9 = sheet_rows(data, "9 ")
    csc_budget = Budget.objects.filter(line__service__code="CSC", year__start_year=2018).aggregate(
        s=Sum("revised")
    )["s"]
    assert Decimal(str(section9[-1][1])) * 1_000_000 == csc_budget
    _, summary = sheet_rows(data, "4.3")
    cyp_budget = Budget.objects.filter(
        line__service__directorate__code="CYP", year__start_year=2018
    ).aggregate(s=Sum("revised"))["s"]
    assert Decimal(str(summary[-1][1])) * 1_000_000 == cyp_budget
    cyp_forecast = Forecast.objects.filter(
        line__service__directorate__code="CYP", period__year__start_year=2018, period__number=6
    ).aggregate(s=Sum("outturn"))["s"]
    assert Decimal(str(summary[-1][2])) * 1_000_000 == cyp_forecast
    _, savings = sheet_rows(data, "4.4")
    assert (
        Decimal(str(savings[-1][1])) * 1_000_000
        == Saving.objects.filter(service__code="CSC").aggregate(s=Sum("target"))["s"]
    )
    assert round(savings[-1][1], 1) == 14.5
    _, lac = sheet_rows(data, "10.1")
    assert [row[1] for row in lac] == [494, 467, 440, 489, 516, 506]
    _, costs = sheet_rows(data, "10.4")
    import datetime

    total = next(row for row in costs if row[0] == "Total")  # DfE comparison rows follow it
    assert total[2] == placement_selectors.lac_on(datetime.date(2018, 9, 30))
    _, staffing = sheet_rows(data, "9.1.2")
    assert staffing[0][1] == 353 and staffing[2][1] == 31.7


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_triggers_are_neutralised_in_csv_and_xlsx(client_for, director, trigger):
    text = f'{trigger}HYPERLINK("http://evil.example")'
    # The first line by code, so its commentary opens the month's explanation cell.
    Forecast.objects.filter(
        line__code="CSC-OSP-LVC", period__year__start_year=2018, period__number=6
    ).update(commentary=text)
    client = client_for(director)
    csv_data = client.get("/committee/forecast_movement.csv" + QUERY).content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(csv_data, newline="")) for cell in row]
    assert any(cell.startswith("'" + trigger) for cell in cells)
    assert not any(cell.startswith(trigger) for cell in cells if "HYPERLINK" in cell)
    xlsx = client.get("/committee/forecast_movement.xlsx" + QUERY).content
    sheet, _ = sheet_rows(xlsx, "Appendix")
    values = [
        c for row in sheet.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)
    ]
    assert values and all(c.value.startswith("'") and c.data_type == "s" for c in values)


def test_who_may_export_what(client_for, director, administrator, finance, other_finance, scrutiny):
    for user in (director, administrator, finance):
        response = client_for(user).get("/committee/pack.xlsx" + QUERY)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
    assert client_for(scrutiny).get("/committee/pack.xlsx" + QUERY).status_code == 403
    assert client_for(scrutiny).get("/committee/budget_by_area.csv" + QUERY).status_code == 403
    assert client_for(scrutiny).get("/committee/" + QUERY).status_code == 200
    # A finance officer's export holds only their own services, whatever the URL asks for.
    data = client_for(other_finance).get("/committee/pack.xlsx" + QUERY).content
    book = openpyxl.load_workbook(io.BytesIO(data))
    text = " ".join(str(c.value) for s in book for row in s.iter_rows() for c in row if c.value)
    assert "Housing Needs" in text and "Children's Social Care" not in text


def test_the_page_and_the_print_view_show_the_tables(client_for, scrutiny):
    client = client_for(scrutiny)
    html = client.get("/committee/" + QUERY).content.decode()
    assert (
        '<span class="csc-committee-label">9</span> Children&#x27;s Social Care: budget and' in html
    )
    assert "(0.4)" in html and "41.6" in html
    assert "Download the committee pack" not in html  # scrutiny members read, not export
    printed = client.get("/committee/print/" + QUERY).content.decode()
    assert "css/print.css" in printed
    assert (
        '<span class="csc-committee-label">10.4</span> Looked-after children by placement'
        in printed
    )
