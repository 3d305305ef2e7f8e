"""Hostile establishment uploads: the establishment upload writes only the uploader's own
services' posts, looks service codes up in this council only, and turns over-long or unreadable
cells into row errors, never a crash. Each refusal is checked to write nothing."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from budgets.models import Council, Directorate, ImportRecord, Service
from tests.factories import (
    AdministratorFactory,
    CouncilFactory,
    FinanceOfficerFactory,
    ServiceFactory,
    serving,
)
from workforce.importers import establishment_import
from workforce.models import Post

pytestmark = pytest.mark.django_db

HEADER = (
    "Post Reference,Service,Team,Title,Grade,FTE,Budgeted Cost,Social Work,Status,Filled FTE,"
    "Annual Cost,Agency Day Rate,Date\n"
)


def establishment(*rows: str) -> bytes:
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


@pytest.fixture
def services(db):
    """A council of the test's own, served, with a social care service and a housing service,
    each with its own finance officer, and an administrator."""
    council = CouncilFactory()
    care = ServiceFactory(directorate__council=council, code="SCF", name="Social care")
    housing = ServiceFactory(directorate=care.directorate, code="HSG", name="Housing")
    with serving(council):
        yield SimpleNamespace(
            care=care,
            housing=housing,
            care_officer=FinanceOfficerFactory(services=[care]),
            housing_officer=FinanceOfficerFactory(services=[housing]),
            administrator=AdministratorFactory(),
        )


def test_a_housing_officer_cannot_move_a_social_care_post_into_housing(services):
    row = "SCF-0001,{},{},Social worker,PO3,1,{},Y,permanent,1,,,01/04/2019"
    own = establishment(row.format("SCF", "Assessment", "45000"))
    assert establishment_import(own, file_name="own.csv", user=services.care_officer).ok
    data = establishment(row.format("HSG", "Takeover", "999999"))
    report = establishment_import(data, file_name="takeover.csv", user=services.housing_officer)
    assert [str(e) for e in report.errors] == [
        "row 2, post: post SCF-0001 would change Social care, which you may not "
        "load (not assigned to you, or another council's)"
    ]
    post = Post.objects.select_related("team__service").get(reference="SCF-0001")
    assert post.team.service == services.care
    assert post.budgeted_cost == Decimal("45000")
    assert ImportRecord.objects.get(file_name="takeover.csv").outcome == "failed"


def test_an_officer_cannot_put_a_new_post_in_a_service_not_assigned_to_them(services):
    data = establishment("NEW-1,HSG,Housing team,Officer,PO3,1,40000,N,permanent,1,,,01/04/2019")
    report = establishment_import(data, file_name="new.csv", user=services.care_officer)
    assert "post NEW-1 would change Housing" in str(report.errors[0])
    assert not Post.objects.filter(reference="NEW-1").exists()


def test_the_assigned_officer_and_an_administrator_may_load_the_services_posts(services):
    row = "NEW-2,SCF,New team,Social worker,PO3,1,50000,Y,permanent,1,50000,,01/04/2019"
    assert establishment_import(
        establishment(row), file_name="a.csv", user=services.care_officer
    ).ok
    moved = row.replace("NEW-2,SCF,New team", "NEW-2,HSG,Housing team")
    report = establishment_import(
        establishment(moved), file_name="b.csv", user=services.administrator
    )
    assert report.ok, report.errors
    assert Post.objects.get(reference="NEW-2").team.service == services.housing


def test_service_codes_are_looked_up_in_this_councils_services_only(administrator):
    other = Council.objects.create(name="Another council", la_code="210")
    directorate = Directorate.objects.create(council=other, code="CFS", name="Children")
    Service.objects.create(directorate=directorate, code="SCF", name="Social care (other)")
    data = establishment("NEW-3,SCF,Team,Social worker,PO3,1,50000,Y,vacant,,,,01/04/2019")
    report = establishment_import(data, file_name="other.csv", user=administrator)
    assert str(report.errors[0]) == "row 2: unknown service 'SCF'"


def test_a_title_over_100_or_a_reference_over_30_characters_is_a_row_error(services):
    data = establishment(
        "R" * 31 + ",SCF,Team,Social worker,PO3,1,50000,Y,vacant,,,,01/04/2019",
        "OK-1,SCF,Team," + "T" * 101 + ",PO3,1,50000,Y,vacant,,,,01/04/2019",
    )
    report = establishment_import(data, file_name="long.csv", user=services.care_officer)
    assert [str(e) for e in report.errors] == [
        "row 2: the post is longer than 30 characters",
        "row 3: the title is longer than 100 characters",
    ]


def test_an_fte_of_nan_is_a_row_error_not_a_crash(services):
    data = establishment("OK-2,SCF,Team,Social worker,PO3,NaN,50000,Y,vacant,,,,01/04/2019")
    report = establishment_import(data, file_name="nan.csv", user=services.care_officer)
    assert str(report.errors[0]) == "row 2: FTE NaN must be from 0 to 1"
