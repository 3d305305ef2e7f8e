"""Hostile input and least privilege: what an attacker-style test on loopback found. Each test
names the attack; every one is refused with a message (or a 400/404), never a 500, and writes
nothing it should not."""

import datetime
import io
import stat
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, OperationalError, connection, transaction
from django.test import Client
from django.urls import reverse
from psycopg.types.json import Jsonb

from budgets.models import Council
from budgets.numbers import parse_day, parse_decimal, parse_whole
from placements.importers import episodes_import
from placements.models import Scenario as PlacementScenario
from tests.conftest import owner_connection
from workforce.importers import csww_import
from workforce.models import CensusReturn
from workforce.models import Scenario as WorkforceScenario

pytestmark = pytest.mark.django_db


def test_a_finance_officer_of_no_service_of_this_council_cannot_load_placements(no_role):
    from django.contrib.auth.models import Group

    from budgets.access import Role

    no_role.groups.add(Group.objects.get(name=Role.FINANCE_OFFICER))  # but no service here
    data = b"CHILD,DECOM,RNE,LS,PLACE,PLACE_PROVIDER,DEC,REC\n1,01/04/2018,S,C2,U1,PR1,,\n"
    report = episodes_import(data, file_name="903.csv", user=no_role)
    assert report.file_error == (
        "Only an administrator or a finance officer of this council loads its placements."
    )
    report = csww_import(b"<Message/>", file_name="csww.xml", user=no_role)
    assert "finance officer of this council loads its census" in report.file_error


CENSUS = (
    "<Message><Header><CollectionDetails><ReferenceDate>2019-09-30</ReferenceDate>"
    "</CollectionDetails><Source><LEA>{lea}</LEA></Source></Header>"
    "<CSWWWorker><FTE>{fte}</FTE><Cases30>3</Cases30></CSWWWorker></Message>"
)


def test_a_census_return_for_another_la_code_is_refused(finance):
    council = Council.objects.current().get()
    report = csww_import(
        CENSUS.format(lea="210", fte="1").encode(), file_name="c.xml", user=finance
    )
    assert report.file_error == (
        f"The census return is for LA 210; this deployment serves {council.name} "
        f"(LA {council.la_code})."
    )
    own = CENSUS.format(lea=council.la_code, fte="1").encode()
    assert csww_import(own, file_name="own.xml", user=finance).ok


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1e30", "-1", "99999999999"])
def test_census_numbers_that_no_return_holds_are_refused(finance, value):
    council = Council.objects.current().get()
    data = CENSUS.format(lea=council.la_code, fte=value).encode()
    report = csww_import(data, file_name="n.xml", user=finance)
    assert report.file_error == f"FTE {value!r} is not a number from 0 to 999,999"
    assert not CensusReturn.objects.filter(reference_date=datetime.date(2019, 9, 30)).exists()


# --- 4. Scenarios: numbers parsed once, stored only when finite, pages robust -----------------


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", "1e400", "9" * 29, "sNaN"])
def test_the_shared_parser_refuses_what_no_person_means(text):
    with pytest.raises(ValueError, match="as a number|from -100 to 1000"):
        parse_decimal(text, minimum=-100, maximum=1000, what="the change")
    with pytest.raises(ValueError):
        parse_whole(text, minimum=0, maximum=10_000)


def test_the_shared_parser_reads_plain_numbers_within_range():
    assert parse_decimal(" 12.5 ", minimum=0, maximum=100) == Decimal("12.5")
    assert parse_decimal("-100", minimum=-100, maximum=1000) == Decimal("-100")
    with pytest.raises(ValueError, match="at most 2 decimal places"):
        parse_decimal("1.005", minimum=0, maximum=100)
    assert parse_whole("3", minimum=0, maximum=10) == 3


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1e400", "9" * 29])
def test_a_workforce_scenario_of_an_unusable_percentage_is_refused(client_for, director, value):
    client = client_for(director)
    page = client.post(
        reverse("workforce:scenarios"), {"name": "Bad", "kind": "rates", "percent": value}
    )
    assert page.status_code == 400
    assert "Enter the change in agency rates" in page.content.decode()
    assert not WorkforceScenario.objects.exists()
    assert client.get(reverse("workforce:scenarios")).status_code == 200


def test_a_placements_scenario_of_infinity_is_refused(client_for, director):
    client = client_for(director)
    page = client.post(
        reverse("placements:scenarios"),
        {"name": "Bad", "kind": "unit_cost", "from": "ifa", "percentage": "Infinity"},
    )
    assert page.status_code == 400
    assert "Enter the change in unit cost as a number" in page.content.decode()
    assert not PlacementScenario.objects.exists()


def test_a_scenario_name_over_100_characters_is_refused_with_a_message(client_for, director):
    page = client_for(director).post(
        reverse("workforce:scenarios"), {"name": "N" * 101, "kind": "rates", "percent": "5"}
    )
    assert page.status_code == 400
    assert "at most 100 characters" in page.content.decode()


@pytest.mark.parametrize(
    ("model", "parameters"),
    [
        (WorkforceScenario, {"percent": "NaN"}),
        (WorkforceScenario, {"target": "1E+400"}),
        (WorkforceScenario, {"count": "9" * 29}),
        (PlacementScenario, {"percentage": "Infinity", "category": "ifa"}),
        (PlacementScenario, {"children": "1e3", "percentage": "0"}),
    ],
)
def test_the_database_refuses_to_store_an_unusable_number(director, model, parameters):
    kind = "rates" if model is WorkforceScenario else "unit_cost"
    with pytest.raises(IntegrityError, match="scenario_numbers"), transaction.atomic():
        model.objects.create(
            name="Bad", kind=kind, parameters=parameters, created_by=director, **of_council(model)
        )


def of_council(model) -> dict:
    """Scenarios belong to a council."""
    return {"council": Council.objects.current().get()}


@pytest.fixture
def old_rows():
    """Rows saved before the checks existed. The constraints are NOT VALID, so dropping one,
    inserting and adding it back (as the owner, in one transaction: the site's role may not
    alter a table) stands for an old database. Committed, so deleted again afterwards."""
    saved = []

    def sneak_in(model, table, parameters, user) -> None:
        kind = "rates" if model is WorkforceScenario else "unit_cost"
        with owner_connection() as owner, owner.transaction():
            (definition,) = owner.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %s",
                [f"{table}_numbers"],
            ).fetchone()
            owner.execute(f"ALTER TABLE {table} DROP CONSTRAINT {table}_numbers")
            saved.append(
                (
                    table,
                    owner.execute(
                        f"INSERT INTO {table} (name, kind, parameters, created_by_id, created_at,"  # noqa: S608
                        " council_id) VALUES ('Old bad', %s, %s, %s, now(), %s) RETURNING id",
                        [kind, Jsonb(parameters), user.pk, Council.objects.current().get().pk],
                    ).fetchone()[0],
                )
            )
            owner.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the data version's trigger
            owner.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_numbers {definition}")

    yield sneak_in
    with owner_connection() as owner:
        for table, pk in saved:
            owner.execute(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608


def test_the_scenario_pages_skip_an_old_unusable_row_with_a_note(
    old_rows, client_for, director, scrutiny
):
    old_rows(WorkforceScenario, "workforce_scenario", {"percent": "Infinity"}, director)
    old_rows(
        PlacementScenario, "placements_scenario", {"category": "ifa", "percentage": "NaN"}, director
    )
    WorkforceScenario.objects.create(
        name="Good",
        kind="rates",
        parameters={"percent": "5"},
        created_by=director,
        **of_council(WorkforceScenario),
    )
    client = client_for(scrutiny)
    for name in ["workforce:scenarios", "placements:scenarios"]:
        page = client.get(reverse(name))
        assert page.status_code == 200, name
        assert "Cannot be worked out: its saved figures are not usable numbers." in (
            page.content.decode()
        )
    assert "Good" in client.get(reverse("workforce:scenarios")).content.decode()


# --- 5. NUL at the edge; dates through one parser ---------------------------------------------


@pytest.mark.parametrize(
    "url", ["/committee/?service=%00", "/budgets/lines/%00/history/", "/workforce/?date=%00"]
)
def test_a_nul_in_the_address_is_a_400_page(client_for, scrutiny, url):
    page = client_for(scrutiny).get(url)
    assert page.status_code == 400
    assert "NUL character" in page.content.decode()


def test_a_nul_in_a_form_field_is_a_400_page(client_for, director):
    page = client_for(director).post(
        reverse("workforce:scenarios"), {"name": "A\x00B", "kind": "rates", "percent": "5"}
    )
    assert page.status_code == 400
    assert "The form holds a NUL character" in page.content.decode()
    assert not WorkforceScenario.objects.exists()


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31", "2018-02-30", "1e400", "x" * 500])
def test_a_date_out_of_range_or_unreadable_is_refused_with_a_reason(client_for, scrutiny, date):
    client = client_for(scrutiny)
    # The topic pages show the reason beside their date input, with a 400.
    for name in ["workforce:index", "placements:index"]:
        page = client.get(reverse(name), {"date": date})
        assert page.status_code == 400, name
        assert "There is a problem" in page.content.decode()
    for name in ["workforce:scenarios"]:
        page = client.get(reverse(name), {"date": date})
        assert page.status_code == 404, name


def test_a_date_in_range_is_read():
    assert parse_day("2019-03-31") == datetime.date(2019, 3, 31)
    with pytest.raises(ValueError, match="from 1990 to 2100"):
        parse_day("0001-01-01")


# --- 6. Nothing a signed-in user sees is kept by a browser or a proxy --------------------------


def test_pages_and_exports_are_never_stored(client_for, director):
    client = client_for(director)
    for url in [
        reverse("overview"),
        reverse("committee_pack"),
        reverse("committee_table", kwargs={"key": "budget_by_area", "fmt": "xlsx"}),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "no-store, private", url


# --- 7. Backups readable by the operator only --------------------------------------------------


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def dump_settings(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"]
    return tmp_path


def test_a_backup_is_written_0600_in_a_0700_folder(dump_settings):
    out = io.StringIO()
    call_command("backup_db", stdout=out)
    folder = dump_settings / "backups"
    (dump,) = folder.iterdir()
    assert (mode(folder), mode(dump)) == (0o700, 0o600)
    assert dump.stat().st_size > 0


def test_the_backups_folder_is_tightened_when_others_could_read_it(dump_settings):
    folder = dump_settings / "backups"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    out = io.StringIO()
    call_command("backup_db", stdout=out)
    assert mode(folder) == 0o700
    assert "could be read by others: now 0700" in out.getvalue()
    assert {mode(p) for p in folder.iterdir()} == {0o600}


def test_a_shared_folder_named_on_the_command_line_is_refused_not_changed(dump_settings):
    shared = dump_settings / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.raises(CommandError, match="can be read by other accounts \\(mode 0777\\)"):
        call_command("backup_db", out=str(shared / "x.dump"))
    assert mode(shared) == 0o777
    assert not (shared / "x.dump").exists()


# --- 8. The health check answers JSON whatever the session --------------------------------------


def test_the_health_check_answers_json_with_a_session_cookie_while_the_database_is_down(director):
    client = Client(raise_request_exception=False)
    client.force_login(director)
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "error", "database": "down"}
