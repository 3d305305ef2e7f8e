"""Which placement forecast was right: the officers', the commitment method's or the demand
model's, at each period end of a closed year, against the final outturn. On a second council set
up through the commands, with a closed year whose outturn, forecasts and commitments are built
so that every figure is worked by hand."""

import datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings

from budgets.models import BudgetLine, Council, Period
from budgets.services import forecast_save, period_close
from placements import backtest
from placements.models import CategoryLine
from tests.parsed_html import parse

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "examples"
URL = "/dashboard/movement/?year=2024/25&period=12&scope=CFS/SCF"
COLUMNS = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)
# One child in in-house fostering since 1 January 2020, still there: aged 10 to 16 from
# 15 March 2022 to 2028, so no move, entry or exit falls in any reference period of 2024/25.
EPISODES = f"{COLUMNS}\n900001,2020-01-01,S,C2,N1,U1,PR1,,,,,,\n"
HEADER = "CHILD,SEX,DOB\n900001,1,14/03/2012\n"
# £700 a week (£100 a day) from 2020; £1,400 (£200 a day) from 1 October 2024.
RATE_CARD = (
    "CATEGORY,EFFECTIVE_FROM,WEEKLY_COST\n"
    "In-house fostering,2020-01-01,700.00\n"
    "In-house fostering,2024-10-01,1400.00\n"
)
MONTHS = ["APR-24", "MAY-24", "JUN-24", "JUL-24", "AUG-24", "SEP-24"]
MONTHS += ["OCT-24", "NOV-24", "DEC-24", "JAN-25", "FEB-25", "MAR-25"]
# The in-house fostering line spends £3,000 a month to September and £6,000 after: the
# final outturn is 6 × 3,000 + 6 × 6,000 = £54,000.
LEDGER = "Cost Centre,Account,Account Description,Period Name,Actual Amount\n" + "".join(
    f'K31002,51300,In-house fostering,{month},"{3000 if n < 6 else 6000:,}.00"\n'
    for n, month in enumerate(MONTHS)
)
OFFICER = {3: Decimal("50000"), 6: Decimal("55000")}


def run(command, *args, **options) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, **options)
    return out.getvalue()


def user(username):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def closed_year(tmp_path):
    """Southwark, set up through the commands, its 2024/25 closed: forecasts by the officer at
    P3 and P6 on the in-house fostering line (the only placement line), the year's actuals."""
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        run("setup_council", la_code="210", name="Southwark", year="2024/25")
        run("import_budgets", str(EXAMPLES / "budget_book_2024-25.csv"))
        run("import_users", str(EXAMPLES / "users.csv"))
        files = {n: tmp_path / f"{n}.csv" for n in ("episodes", "header", "cards", "ledger")}
        for name, text in zip(files, (EPISODES, HEADER, RATE_CARD, LEDGER), strict=True):
            files[name].write_text(text)
        run("import_placements", str(files["episodes"]), "--header", str(files["header"]))
        run("import_placement_costs", str(files["cards"]))
        run("import_actuals", str(files["ledger"]))
        line = BudgetLine.objects.get(code="K31002", service__directorate__council__la_code="210")
        # The category-to-line mapping is reference data, kept in the admin.
        CategoryLine.objects.create(
            council=Council.objects.get(la_code="210"), category="in_house_fostering", line=line
        )
        periods = {p.number: p for p in Period.objects.filter(year__start_year=2024)}
        for number, outturn in OFFICER.items():
            forecast_save(
                user=user("a.okafor"),
                line=line,
                period=periods[number],
                outturn=outturn,
                commentary="",
                based_on_version=0,
            )
        for period in periods.values():
            period_close(user=user("m.clarke"), period=period)
        yield periods


def test_each_method_is_measured_against_the_final_outturn_worked_by_hand(closed_year):
    """P3 (30 June 2024): actuals £9,000. Commitments: the open placement to 31 March at the
    card of each day, 92 days × £100 + 182 days × £200 = £45,600 (no starts in the last year,
    so no allowance): £54,600. Demand model: one child, no rates, costed at the unit cost on
    30 June (£700 a week): 274 days × £100 = £27,400: £36,400.
    P6 (30 September): actuals £18,000; commitments 182 × £200 = £36,400: £54,400; the model
    182 × £100 = £18,200: £36,200. Outturn £54,000."""
    from budgets.models import Service

    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        result = backtest.backtest(
            closed_year[12], Service.objects.filter(code="SCF", directorate__code="CFS")
        )
    assert [(p.year, p.number, p.month) for p in result.points] == [
        ("2024/25", 3, datetime.date(2024, 6, 1)),
        ("2024/25", 6, datetime.date(2024, 9, 1)),
    ]
    p3, p6 = result.points
    assert p3.outturn == p6.outturn == Decimal("54000.00")
    assert p3.forecasts == {
        "officer": Decimal("50000.00"),
        "commitment": Decimal("54600.00"),
        "demand": Decimal("36400.00"),
    }
    assert p6.forecasts == {
        "officer": Decimal("55000.00"),
        "commitment": Decimal("54400.00"),
        "demand": Decimal("36200.00"),
    }
    assert [(e.number, e.errors, e.years) for e in result.by_period] == [
        (3, {"officer": Decimal("4000.00"), "commitment": Decimal("600.00"),
             "demand": Decimal("17600.00")}, 1),
        (6, {"officer": Decimal("1000.00"), "commitment": Decimal("400.00"),
             "demand": Decimal("17800.00")}, 1),
    ]  # fmt: skip
    # Means over both: officers (4,000 + 1,000)/2, commitments (600 + 400)/2, model 17,700.
    assert result.overall == {
        "officer": Decimal("2500.00"),
        "commitment": Decimal("500.00"),
        "demand": Decimal("17700.00"),
    }
    assert result.best == "commitment"


def test_the_mean_absolute_error_by_period_averages_the_sizes_over_years():
    def point(year, number, officer, demand):
        return backtest.BacktestPoint(
            year=year,
            number=number,
            month=datetime.date(2000, 1, 1),
            outturn=Decimal("1000"),
            forecasts={"officer": Decimal(officer), "commitment": None, "demand": demand},
        )

    result = backtest.summarise(
        [
            point("2023/24", 3, "1100", Decimal("900")),  # errors +100, −100
            point("2024/25", 3, "700", Decimal("1050")),  # errors −300, +50
            point("2024/25", 4, "1000.01", None),  # +0.01, none
        ]
    )
    assert [(e.number, e.errors, e.years) for e in result.by_period] == [
        (3, {"officer": Decimal("200.00"), "commitment": None, "demand": Decimal("75.00")}, 2),
        (4, {"officer": Decimal("0.01"), "commitment": None, "demand": None}, 1),
    ]
    # (100 + 300 + 0.01) / 3 = 133.336…; (100 + 50) / 2 = 75.
    assert result.overall == {
        "officer": Decimal("133.34"),
        "commitment": None,
        "demand": Decimal("75.00"),
    }
    assert result.best == "demand"


def test_the_movement_page_shows_the_backtest_chart_and_tables_in_few_queries(
    closed_year, client, django_assert_max_num_queries
):
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        client.force_login(user("r.shah"))
        with django_assert_max_num_queries(45):
            response = client.get(URL)
        with django_assert_max_num_queries(12):  # the figures come from the cache
            assert client.get(URL).status_code == 200
        other = client.get("/dashboard/movement/?year=2024/25&period=12&scope=CFS/EDU")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Which placement forecast was right?" in html
    assert 'id="chart-backtest-data"' in html
    means = parse(html).table("mean absolute error of each method")
    methods = ["Officers' forecast", "Commitment forecast", "Demand model"]
    p3 = means.record("P3")
    assert [p3[method] for method in methods] == ["£4,000", "£600", "£17,600"]
    total = means.record("Every period")
    assert [total[method] for method in methods] == ["£2,500", "£500", "£17,700"]
    assert "The nearest on average was the commitment forecast." in html
    # Education has no placement line: no backtest there.
    assert other.status_code == 200
    assert "Which placement forecast was right?" not in other.content.decode()


def test_an_open_year_says_the_comparison_waits_for_a_closed_one(tmp_path, client):
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        run("setup_council", la_code="210", name="Southwark", year="2024/25")
        run("import_budgets", str(EXAMPLES / "budget_book_2024-25.csv"))
        run("import_users", str(EXAMPLES / "users.csv"))
        line = BudgetLine.objects.get(code="K31002", service__directorate__council__la_code="210")
        CategoryLine.objects.create(
            council=Council.objects.get(la_code="210"), category="in_house_fostering", line=line
        )
        period = Period.objects.get(year__start_year=2024, number=3)
        forecast_save(
            user=user("a.okafor"),
            line=line,
            period=period,
            outturn=Decimal("1000"),
            commentary="",
            based_on_version=0,
        )
        client.force_login(user("r.shah"))
        html = client.get(URL.replace("period=12", "period=3")).content.decode()
    assert "the comparison appears once a year" in html
