"""Workforce: the agency ratio and premium, date boundaries, imports (including the DfE census
XML and an entity-expansion attack), scenarios, and the report's 9.1 figures on the page."""

import datetime
from decimal import Decimal

import pytest

from budgets.models import ImportRecord, Service
from tests.test_placements import all_text_in_database
from workforce import metrics, scenarios, selectors
from workforce.importers import csww_import, establishment_import
from workforce.models import CensusReturn, Filling, Post, Team

D = Decimal
pytestmark = pytest.mark.django_db


def test_the_workforce_page_shows_the_reports_figures(client_for, scrutiny):
    html = client_for(scrutiny).get("/workforce/?date=2018-08-31").content.decode()
    assert "353 FTE" in html
    assert "31.7%" in html
    for team, target, actual in [
        ("Referral &amp; Assessment", "17", "15"),
        ("Family Social Work Service", "17", "-"),
        ("Fostering", "-", "-"),
        ("Social workers within LAC/Leaving Care", "15", "15"),
        ("Personal Advisors within LAC/Leaving Care", "27", "-"),
    ]:
        row = html.split(f">{team}</th>", 1)[1].split("</tr>", 1)[0]
        cells = [c.split("<", 1)[0] for c in row.split('numeric">')[1:]]
        assert cells == [target, actual], team
    # Lewisham's published agency rate beside England's, its region's and its neighbours'.
    assert "This council" in html and "England" in html and "Inner London" in html
    assert "Statistical neighbours (average)" in html
    # The census of the page's year, not the latest: csww_indicators_2017_to_2025.csv, 2017,
    # Lewisham (209) agency_rate_fte 27.3, England 15.8 (2025's are 32.6 and 13.0).
    assert ">27.3<" in html and ">15.8<" in html and ">32.6<" not in html
    assert "30 September 2017, the latest on or before 31 August 2018." in html


def test_the_agency_ratio_trend_rises_to_the_reports_figure():
    series = selectors.agency_ratio_series(first=datetime.date(2017, 4, 1), months=17)
    ratios = [
        metrics.agency_ratio({"agency": a, "permanent": p, "vacant": 0}) for _, a, p in series
    ]
    assert ratios[-1] == D("31.7")
    assert ratios == sorted(ratios)
    assert ratios[0] < D("20")


def test_agency_ratio_and_vacancy_rate_arithmetic():
    fte = {"agency": D("1"), "permanent": D("3"), "vacant": D("1")}
    assert metrics.agency_ratio(fte) == D("25.0")
    assert metrics.vacancy_rate(fte) == D("20.0")
    assert metrics.agency_ratio({"agency": D("0"), "permanent": D("0"), "vacant": D("2")}) is None


def make_post(reference, team, *, cost="50000"):
    return Post.objects.create(
        reference=reference, team=team, title="SW", fte=D("1"), budgeted_cost=D(cost)
    )


def test_premium_and_date_boundaries():
    Filling.objects.all().delete()
    team = Team.objects.create(service=Service.objects.get(code="CSC"), name="Test team")
    one, two = make_post("T-1", team), make_post("T-2", team)
    Filling.objects.create(
        post=one,
        start=datetime.date(2020, 1, 1),
        end=datetime.date(2020, 2, 1),
        status="agency",
        fte=D("1"),
        annual_cost=D("57000"),
    )
    Filling.objects.create(
        post=two,
        start=datetime.date(2020, 1, 15),
        status="agency",
        fte=D("0.5"),
        annual_cost=D("27500"),
    )
    assert selectors.fte_by_status(datetime.date(2019, 12, 31))["agency"] == 0
    assert selectors.fte_by_status(datetime.date(2020, 1, 1))["agency"] == D("1")  # start counts
    assert selectors.fte_by_status(datetime.date(2020, 1, 31))["agency"] == D("1.5")
    assert selectors.fte_by_status(datetime.date(2020, 2, 1))["agency"] == D("0.5")  # end doesn't
    # Premium: 57,000 − 50,000 for the full-time post, 27,500 − 25,000 for the half-time one.
    assert selectors.agency_premium(datetime.date(2020, 1, 20)) == D("9500.00")


def test_day_and_hourly_rates_become_annual_costs():
    assert metrics.annual_from_rates(fte=D("1"), day_rate=D("250")) == D("57000.00")
    assert metrics.annual_from_rates(fte=D("0.5"), hourly_rate=D("40")) == D("33744.00")


ESTABLISHMENT = (
    "Post Reference,Service,Team,Title,Grade,FTE,Budgeted Cost,Social Work,Status,Filled FTE,"
    "Annual Cost,Agency Day Rate,Date\n"
    "X-1,CSC,New team,Social worker,PO3,1,50000,Y,permanent,1,50000,,01/04/2019\n"
    "X-2,CSC,New team,Social worker,PO3,1,50000,Y,agency,1,,250,01/04/2019\n"
    "X-3,CSC,New team,Senior practitioner,PO5,1,56000,Y,vacant,,,,01/04/2019\n"
)


def test_establishment_import_is_idempotent_and_records_changes_from_a_date():
    report = establishment_import(ESTABLISHMENT.encode(), file_name="est.csv")
    assert report.ok, report.errors
    assert report.created == 3
    again = establishment_import(ESTABLISHMENT.encode(), file_name="est.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    later = ESTABLISHMENT.replace(
        "X-2,CSC,New team,Social worker,PO3,1,50000,Y,agency,1,,250,01/04/2019",
        "X-2,CSC,New team,Social worker,PO3,1,50000,Y,permanent,1,50000,,01/10/2019",
    )
    report = establishment_import(later.encode(), file_name="est2.csv")
    assert report.created == 1
    fillings = list(Post.objects.get(reference="X-2").fillings.order_by("start"))
    assert [(f.status, f.end) for f in fillings] == [
        ("agency", datetime.date(2019, 10, 1)),
        ("permanent", None),
    ]
    assert fillings[0].annual_cost == D("57000.00")


def test_every_bad_establishment_row_is_reported_and_nothing_is_written():
    before = Post.objects.count()
    bad = (
        "Post Reference,Service,Team,Title,FTE,Budgeted Cost,Status,Date\n"
        "Y-1,NOPE,T,SW,1,50000,permanent,01/04/2019\n"
        "Y-2,CSC,T,SW,1,50000,seconded,01/04/2019\n"
        "Y-3,CSC,T,SW,1.5,50000,permanent,01/04/2019\n"
        "Y-4,CSC,T,SW,1,50000,agency,01/04/2019\n"
        "Y-5,CSC,T,SW,1,fifty,permanent,01/04/2019\n"
        "Y-6,CSC,T,SW,1,50000,permanent,01/04/2019\n"
        "Y-6,CSC,T,SW,1,50000,permanent,01/04/2019\n"
    )
    report = establishment_import(bad.encode(), file_name="bad.csv")
    assert {e.row for e in report.errors} == {2, 3, 4, 5, 6, 8}
    text = " ".join(map(str, report.errors))
    assert "unknown service 'NOPE'" in text and "needs an annual cost" in text
    assert "appears again (first on row 7)" in text
    assert Post.objects.count() == before
    assert ImportRecord.objects.get(file_name="bad.csv").outcome == "failed"


CENSUS = """<?xml version="1.0" encoding="UTF-8"?>
<Message>
  <Header><CollectionDetails><Collection>CSWW</Collection><Year>2018</Year>
    <ReferenceDate>2018-09-30</ReferenceDate></CollectionDetails></Header>
  <LALevelVacancies><NumberOfVacancies>20.5</NumberOfVacancies><NoAgencyFTE>111.9</NoAgencyFTE>
    <NoAgencyHeadcount>115</NoAgencyHeadcount></LALevelVacancies>
  <CSWWWorker><AgencyWorker>0</AgencyWorker><SWENo>SW123456</SWENo><PersonBirthDate>1980-02-29</PersonBirthDate>
    <GenderCurrent>2</GenderCurrent><Ethnicity>WBRI</Ethnicity><FTE>1</FTE><OrgRole>5</OrgRole>
    <RoleStartDate>2015-01-01</RoleStartDate><Cases30>15</Cases30></CSWWWorker>
  <CSWWWorker><AgencyWorker>1</AgencyWorker><SWENo>SW654321</SWENo><FTE>0.6</FTE></CSWWWorker>
</Message>"""


def test_the_census_return_keeps_totals_and_no_personal_field():
    report = csww_import(CENSUS.encode(), file_name="csww.xml")
    assert report.ok, report.file_error
    census = CensusReturn.objects.get(reference_date=datetime.date(2018, 9, 30))
    assert (census.workers, census.worker_fte, census.agency_workers, census.cases) == (
        2,
        D("1.60"),
        1,
        15,
    )
    assert (census.vacancies, census.agency_fte, census.agency_headcount) == (
        D("20.50"),
        D("111.90"),
        115,
    )
    text = all_text_in_database()
    for personal in ["SW123456", "SW654321", "1980-02-29", "WBRI"]:
        assert personal not in text


def test_a_census_file_with_missing_optional_elements_loads():
    minimal = (
        "<Message><Header><CollectionDetails><ReferenceDate>2019-09-30</ReferenceDate>"
        "</CollectionDetails></Header><CSWWWorker><FTE>1</FTE></CSWWWorker></Message>"
    )
    assert csww_import(minimal.encode(), file_name="min.xml").ok
    census = CensusReturn.objects.get(reference_date=datetime.date(2019, 9, 30))
    assert (census.vacancies, census.agency_fte, census.workers) == (None, None, 1)


def test_an_entity_expansion_attack_is_refused():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        "<Message><Header><CollectionDetails><ReferenceDate>&lol2;</ReferenceDate>"
        "</CollectionDetails></Header></Message>"
    )
    report = csww_import(bomb.encode(), file_name="bomb.xml")
    assert "DTD or entities" in report.file_error
    assert not CensusReturn.objects.exists()


def test_a_census_without_a_reference_date_is_refused():
    report = csww_import(b"<Message><Header/></Message>", file_name="x.xml")
    assert "ReferenceDate is missing" in report.file_error


def test_bringing_agency_to_a_target_converts_the_dearest_posts_first():
    fte, saving = scenarios.agency_to_target(
        agency_fte=D("3"),
        permanent_fte=D("7"),
        target_percent=D("10"),
        premiums_per_fte=[D("5000"), D("8000"), D("2000")],
    )
    # 3 of 10 are agency; 10% means 1: convert 2 FTE, the £8,000 and £5,000 ones.
    assert (fte, saving) == (D("2.0"), D("-13000.00"))


def test_filling_vacancies_and_changing_agency_rates():
    assert scenarios.fill_vacancies(
        count=2, vacant_costs=[D("56000"), D("50000"), D("32000")]
    ) == D("82000.00")
    assert scenarios.change_agency_rates(agency_cost=D("6000000"), percent=D("-5")) == D(
        "-300000.00"
    )


def test_the_london_best_scenario_saves_about_half_a_million(client_for, director):
    client = client_for(director)
    response = client.post(
        "/workforce/scenarios/?date=2018-08-31",
        {"name": "London best", "kind": "agency_target", "target": "11"},
    )
    assert response.status_code == 302
    html = client.get("/workforce/scenarios/?date=2018-08-31").content.decode()
    saving = html.split("London best</th>", 1)[1].split('numeric">', 2)[1].split("<", 1)[0]
    amount = D(saving.strip("()£").replace(",", ""))
    assert saving.startswith("(") and D("400000") < amount < D("700000")


def test_scrutiny_members_cannot_save_scenarios(client_for, scrutiny):
    response = client_for(scrutiny).post(
        "/workforce/scenarios/", {"name": "x", "kind": "fill", "count": "1"}
    )
    assert response.status_code == 403


def test_the_agency_dashboard_charts_the_ratio_against_target_and_england(client_for, scrutiny):
    import json
    import re

    html = client_for(scrutiny).get("/workforce/?date=2018-08-31").content.decode()
    block = re.search(r'id="chart-agency-data" type="application/json">(.*?)</script>', html, re.S)
    data = json.loads(block.group(1))
    names = [trace["name"] for trace in data["data"]]
    assert names[0] == "Agency workers, % of staff in post"
    assert "Target (11%)" in names and any(n.startswith("England") for n in names)
    assert data["data"][0]["y"][-1] == 31.7
    assert data["layout"]["yaxis"]["title"]["text"] == "Agency ratio (%)"
    assert "31.7% of staff in post at the end of August 2018" in html


def test_the_import_commands_report_and_refuse(tmp_path, capsys):
    from django.core.management import CommandError, call_command

    census = tmp_path / "csww.xml"
    census.write_text(CENSUS)
    call_command("import_csww", str(census))
    assert "Imported" in capsys.readouterr().out
    bad = tmp_path / "est.csv"
    bad.write_text(
        "Post Reference,Service,Team,Title,FTE,Budgeted Cost,Status,Date\n"
        "Z-1,NOPE,T,SW,1,1,permanent,01/04/2019\n"
    )
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_establishment", str(bad))
    assert "row 2: unknown service 'NOPE'" in capsys.readouterr().err


def test_the_admin_lists_the_establishment(client_for, administrator):
    client = client_for(administrator)
    for model in ["team", "post", "filling", "teamcaseload", "censusreturn", "scenario"]:
        assert client.get(f"/admin/workforce/{model}/").status_code == 200


@pytest.mark.django_db
def test_another_councils_staff_are_not_counted():
    from budgets.models import Council, Directorate

    day = datetime.date(2018, 9, 30)
    before = (
        selectors.fte_by_status(day),
        selectors.agency_ratio_series(first=datetime.date(2018, 4, 1), months=6),
        len(selectors.caseloads(datetime.date(2018, 9, 1))),
    )
    other = Council.objects.create(name="Neighbouring council", la_code="002")
    directorate = Directorate.objects.create(council=other, code="CYP", name="Children")
    service = Service.objects.create(directorate=directorate, code="CSC", name="CSC")
    team = Team.objects.create(service=service, name="Their team")
    post = Post.objects.create(
        reference="N-1", team=team, title="Social worker", fte=1, budgeted_cost=50000
    )
    Filling.objects.create(
        post=post, start=datetime.date(2010, 1, 1), status="agency", fte=1, annual_cost=90000
    )
    after = (
        selectors.fte_by_status(day),
        selectors.agency_ratio_series(first=datetime.date(2018, 4, 1), months=6),
        len(selectors.caseloads(datetime.date(2018, 9, 1))),
    )
    assert after == before


def test_staffing_scenarios_are_each_councils_own(southwark, client_for, director):
    """A scenario saved for one council is neither shown to another nor blocks its names."""
    from django.test import override_settings

    from workforce.models import Scenario

    form = {"name": "Fill ten", "kind": "fill", "count": "10"}
    client = client_for(director)
    with override_settings(CSC_COUNCIL_LA_CODE="209"):
        assert client.post("/workforce/scenarios/", form).status_code == 302
        assert [s.name for s, *_ in client.get("/workforce/scenarios/").context["saved"]] == [
            "Fill ten"
        ]
    assert Scenario.objects.get().council.la_code == "209"
    assert client.get("/workforce/scenarios/").context["saved"] == []
    assert client.post("/workforce/scenarios/", form).status_code == 302  # same name, own council
    assert sorted(s.council.la_code for s in Scenario.objects.all()) == ["209", "210"]
