"""Establishment and DfE census imports (including an entity-expansion attack), the commands and
the admin."""

import datetime
from decimal import Decimal

import pytest

from budgets.models import ImportRecord
from tests.placements.helpers import all_text_in_database
from workforce.importers import csww_import, establishment_import
from workforce.models import CensusReturn, Post

D = Decimal
pytestmark = pytest.mark.django_db


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
