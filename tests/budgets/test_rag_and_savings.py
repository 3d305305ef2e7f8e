"""RAG status from variance thresholds, and the savings tracker."""

import re
from decimal import Decimal

import pytest
from django.utils.html import escape

from budgets.metrics import rag
from budgets.models import FinancialYear, Saving, Service

D = Decimal


def test_rag_uses_percentage_and_absolute_thresholds_by_level(settings):
    settings.CSC_RAG_THRESHOLDS = {
        "line": {"amber_pct": D("1"), "red_pct": D("5"), "red_abs": D("100000")}
    }
    assert rag(variance_amount=D("-50000"), budget=D("1000000"), level="line") == "green"
    assert rag(variance_amount=D("9999"), budget=D("1000000"), level="line") == "green"
    assert rag(variance_amount=D("10000"), budget=D("1000000"), level="line") == "amber"
    assert rag(variance_amount=D("50000"), budget=D("1000000"), level="line") == "red"
    # A small percentage of a big budget is still red once it passes the absolute amount.
    assert rag(variance_amount=D("100000"), budget=D("50000000"), level="line") == "red"
    assert rag(variance_amount=D("1"), budget=D("0"), level="line") == "red"


@pytest.mark.django_db
def test_the_savings_tracker_shows_target_delivery_shortfall_and_rag(client_for, scrutiny):
    Saving.objects.create(
        reference="CSC-1819-IFA",
        description="Move IFA placements in-house",
        service=Service.objects.get(code="CSC"),
        year=FinancialYear.objects.get(start_year=2018),
        target=D("500000"),
        forecast_delivery=D("200000"),
        rag="red",
    )
    html = client_for(scrutiny).get("/budgets/CYP/CSC/savings/?year=2018/19&period=6")
    html = html.content.decode()
    assert "Move IFA placements in-house" in html
    assert "£300,000" in html  # the shortfall
    assert "£1,200,000" in html  # total target: 0.7m from section 4.4 plus this one
    assert ">Red<" in html


@pytest.mark.django_db
def test_the_forecast_page_quotes_the_savings_shortfall(client_for, finance):
    Saving.objects.create(
        reference="CSC-1819-X",
        description="x",
        service=Service.objects.get(code="CSC"),
        year=FinancialYear.objects.get(start_year=2018),
        target=D("400000"),
        forecast_delivery=D("100000"),
        rag="amber",
    )
    html = client_for(finance).get("/budgets/CYP/CSC/forecast/?year=2018/19&period=6")
    assert "savings shortfall of £300,000" in html.content.decode()


def test_a_directorate_and_a_service_are_each_judged_on_their_own_level(settings):
    from budgets.metrics import Position

    settings.CSC_RAG_THRESHOLDS = {
        "service": {"amber_pct": D("1"), "red_pct": D("3"), "red_abs": D("500000")},
        "directorate": {"amber_pct": D("0.5"), "red_pct": D("2"), "red_abs": D("1000000")},
    }
    # £600k over on £100m: 0.6%. Past a service's £500k red line, only amber for a directorate.
    figures = {"budget": D("100000000"), "forecast": D("100600000")}
    assert Position("CSC", "CSC", **figures, level="service").rag == "red"
    assert Position("CYP", "CYP", **figures, level="directorate").rag == "amber"


@pytest.mark.django_db
def test_the_budgets_page_gives_each_directorate_and_service_its_rag_in_words(client_for, director):
    from budgets.selectors import directorate_positions, resolve_period

    html = client_for(director).get("/budgets/?year=2018/19&period=6").content.decode()
    positions = directorate_positions(resolve_period("2018/19", "6"))
    assert len(positions) > 1
    for directorate in positions:
        heading = f"{escape(directorate.name)}</h2>"
        tag = f'csc-rag--{directorate.rag}">{directorate.rag.capitalize()}</span>'
        assert re.search(re.escape(heading) + r"\s*<p[^>]*>[^<]*<span class=\"csc-rag " + tag, html)
        for service in directorate.children:
            tag = f'csc-rag--{service.rag}">{service.rag.capitalize()}</span>'
            assert re.search(
                re.escape(f"{escape(service.name)}</a>:") + r"[^<]*<span class=\"csc-rag " + tag,
                html,
            ), service.name
    assert {p.rag for p in positions} != {"green"}  # the demo's CYP overspend shows
