"""The commitment forecast and the forecast page's column for it."""

import datetime
from decimal import Decimal

import pytest

from budgets.models import Actual, BudgetLine, Period
from placements import selectors
from placements.models import CategoryLine, Episode
from tests.parsed_html import parse
from tests.placements.helpers import new_child

D = datetime.date


@pytest.mark.django_db
def test_the_commitment_forecast_adds_open_placements_and_new_entrants_to_spend():
    """Hand-checked: one IFA placement at £700 a week planned to end 8 weeks after September
    2018, £100,000 posted in September on top of the closed months, and 12 IFA starts in the
    last year (one a month)."""
    Episode.objects.all().delete()
    period = Period.objects.select_related("year").get(year__start_year=2018, number=6)
    line = BudgetLine.objects.get(code="CSC-PLC-IFA")
    CategoryLine.objects.filter(category="ifa").update(line=line)
    Actual.objects.filter(line=line, period=period).delete()  # September is still open
    Actual.objects.create(line=line, period=period, amount=Decimal("100000"))
    spent = sum(
        Actual.objects.filter(
            line=line, period__year__start_year=2018, period__number__lte=6
        ).values_list("amount", flat=True)
    )
    child = new_child("C")
    Episode.objects.create(
        child=child,
        council=child.council,
        start=D(2018, 9, 1),
        place="U4",
        place_provider="PR4",
        category="ifa",
        weekly_cost=Decimal("700"),
        planned_end=D(2018, 11, 25),
    )
    for n in range(11):  # eleven more starts in the last year, already ended
        other = new_child(f"S{n}")
        Episode.objects.create(
            child=other,
            council=other.council,
            start=D(2017, 10, 15 + n),
            end=D(2017, 12, 1),
            place="U4",
            place_provider="PR4",
            category="ifa",
            weekly_cost=Decimal("700"),
        )
    result = selectors.commitment_forecast(period, [line])
    weeks_left = Decimal(182) / 7  # 1 October 2018 to 31 March 2019
    expected = spent + 700 * Decimal(56) / 7 + 1 * 6 * 700 * weeks_left / 2
    assert result[line.pk] == expected.quantize(Decimal("0.01"))


@pytest.mark.django_db
def test_the_forecast_page_shows_the_commitment_forecast_beside_the_officers(
    client_for, finance, settings
):
    html = client_for(finance).get("/budgets/CYP/CSC/forecast/?year=2018/19&period=6").content
    grid = parse(html).find("table", id="forecast-grid")
    assert "Commitment forecast minus forecast" in grid.rows()[0]
    from budgets.models import BudgetLine as Line

    ifa = Line.objects.get(code="CSC-PLC-IFA")
    period = Period.objects.select_related("year").get(year__start_year=2018, number=6)
    commitment = selectors.commitment_forecast(period, [ifa])[ifa.pk]
    from budgets.formatting import pounds
    from budgets.models import Forecast

    officer = Forecast.objects.get(line=ifa, period=period).outturn
    row = grid.record("CSC-PLC-IFA")
    assert row["Commitment forecast"] == pounds(commitment)
    gap = commitment - officer
    threshold = settings.CSC_COMMENTARY_THRESHOLD
    tag = f" Gap over {pounds(threshold)}" if abs(gap) > threshold else ""
    assert row["Commitment forecast minus forecast"] == pounds(gap) + tag
