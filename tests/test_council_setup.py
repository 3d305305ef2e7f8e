"""Setting a second council (LA 210) up entirely from its own files, through the commands and the
administrator's Set up page: no ORM set-up. Figures are hand-checked from
fixtures/examples/budget_book_2024-25.csv and budget_book_2025-26.csv."""

import csv
import re
from decimal import Decimal
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django.test import Client

from budgets.access import Role, roles_of
from budgets.models import (
    AreaOfSpend,
    AuditEntry,
    Budget,
    BudgetLine,
    Council,
    Directorate,
    FinancialYear,
    ImportRecord,
    Period,
    Service,
)

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "examples"
BOOK = EXAMPLES / "budget_book_2024-25.csv"
BOOK_NEXT = EXAMPLES / "budget_book_2025-26.csv"
USERS = EXAMPLES / "users.csv"


@pytest.fixture(autouse=True)
def _serve_southwark(settings):
    settings.CSC_COUNCIL_LA_CODE = "210"


def run(*args) -> str:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def refused(*args) -> str:
    """Everything the command said, including its refusal; fails if it was not refused."""
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(*args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue() + str(caught.value)


@pytest.fixture
def southwark():
    run("setup_council", "--la-code", "210", "--name", "Southwark", "--year", "2024/25")
    run("import_budgets", str(BOOK))
    return Council.objects.get(la_code="210")


def revised(start_year=2024, **filters) -> Decimal:
    return Budget.objects.filter(
        year__start_year=start_year, line__service__directorate__council__la_code="210", **filters
    ).aggregate(total=Sum("revised"))["total"]


def rewrite(tmp_path, change, *, source=BOOK, name="book.csv") -> Path:
    """A copy of the example file with `change(header, rows)` applied; written as the file's
    users would save it."""
    with source.open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    change(header, rows)
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def snapshot() -> tuple:
    return (
        sorted(Budget.objects.values_list("line__code", "year__start_year", "original", "revised")),
        Directorate.objects.count(),
        Service.objects.count(),
        sorted(BudgetLine.objects.values_list("code", "name", "service__code")),
        AreaOfSpend.objects.count(),
        AuditEntry.objects.count(),
    )


# --- setup_council ------------------------------------------------------------------------


def test_setup_council_creates_the_council_and_its_year_once():
    said = run("setup_council", "--la-code", "210", "--name", "Southwark", "--year", "2024/25")
    assert "Created the council Southwark (LA code 210)" in said
    assert "Created the financial year 2024/25 and its 12 periods" in said
    year = FinancialYear.objects.get(start_year=2024)
    assert list(year.periods.values_list("number", flat=True)) == list(range(1, 13))

    said = run("setup_council", "--la-code", "210", "--name", "LB Southwark", "--year", "2024/25")
    assert "Renamed the council with LA code 210: Southwark → LB Southwark" in said
    assert "already had its 12 periods" in said
    assert Council.objects.filter(la_code="210").get().name == "LB Southwark"
    assert Period.objects.filter(year=year).count() == 12
    assert AuditEntry.objects.filter(object_type="budgets.Council", action="update").count() == 1


def test_setup_council_refuses_a_code_not_in_the_dfe_list():
    said = refused("setup_council", "--la-code", "999", "--name", "Nowhere", "--year", "2024/25")
    assert "999 is not an LA code in the DfE's list" in said
    assert not Council.objects.filter(la_code="999").exists()
    assert "not an LA code" in refused("setup_council", "--la-code", "21", "--year", "2024/25")
    assert not FinancialYear.objects.filter(start_year=2024).exists()


def test_setup_council_reminds_to_choose_the_council_when_there_are_two(settings):
    settings.CSC_COUNCIL_LA_CODE = ""
    said = run("setup_council", "--la-code", "210", "--year", "2024/25")
    assert "Created the council Southwark (LA code 210)" in said  # the DfE's name by default
    assert "set CSC_COUNCIL_LA_CODE=210" in said


# --- import_budgets -----------------------------------------------------------------------


def test_the_budget_book_builds_the_structure_and_budgets(southwark):
    assert set(Directorate.objects.filter(council=southwark).values_list("code", flat=True)) == {
        "CFS",
        "ENL",
    }
    assert Service.objects.filter(directorate__council=southwark).count() == 3
    # Hand-added from the file: SCF 9.84m + 4.8m + 5.88m + 1.32m + 2.4m - 3.6m; EDU 1.8m + 3m.
    assert revised(line__service__code="SCF") == Decimal("20640000.00")
    assert revised(line__service__directorate__code="CFS") == Decimal("25440000.00")
    assert revised(line__service__directorate__code="ENL") == Decimal("21000000.00")
    assert Budget.objects.filter(line__service__code="SCF", year__start_year=2024).aggregate(
        total=Sum("original")
    )["total"] == Decimal("20400000.00")
    contracts = AreaOfSpend.objects.get(name="Contracts")
    assert contracts.code == "contracts"
    assert contracts.position > max(
        AreaOfSpend.objects.exclude(pk=contracts.pk).values_list("position", flat=True)
    )
    assert revised(line__area_of_spend=contracts) == Decimal("18000000.00")
    line = BudgetLine.objects.get(code="K31001")
    assert (line.area_of_spend_id, line.section_251_line) == ("placements", "3.1.4")
    budget = Budget.objects.get(line=line, year__start_year=2024)
    assert budget.profile == [Decimal("820000.00")] * 12
    record = ImportRecord.objects.filter(kind="budgets").first()
    assert (record.outcome, record.created, record.user) == ("success", 11, None)


def test_running_the_budget_book_twice_changes_nothing(southwark):
    before = snapshot()
    said = run("import_budgets", str(BOOK))
    assert "Nothing changed: all 11 rows were already as the file says." in said
    assert snapshot() == before
    record = ImportRecord.objects.filter(kind="budgets").first()
    assert (record.created, record.updated, record.unchanged) == (0, 0, 11)


def test_a_changed_revised_budget_is_audited_as_a_virement(southwark, tmp_path):
    def more_agency(header, rows):
        row = next(r for r in rows if r[4] == "K31011")
        row[9], row[10], row[22] = "150,000.00", "1,350,000.00", "140,000.00"

    path = rewrite(tmp_path, more_agency, name="book-june.csv")
    said = run("import_budgets", str(path))
    assert "Imported 11 rows: 0 new, 1 changed, 10 unchanged" in said
    entry = AuditEntry.objects.get(action="virement")
    assert (entry.field, entry.old_value, entry.new_value) == (
        "revised",
        "1320000.00",
        "1350000.00",
    )
    assert entry.source == AuditEntry.Source.COMMAND
    assert "book-june.csv" in entry.reason
    assert revised(line__service__code="SCF") == Decimal("20670000.00")


def test_with_only_virements_or_only_original_the_revised_budget_follows(southwark, tmp_path):
    def drop_revised(header, rows):
        for row in rows:
            del row[10]
        del header[10]
        for row in rows:
            if row[4] == "K31020":
                row[9] = "12,000.00"  # virements only: revised = original + virements
                row[10:] = [""] * 12  # and no profile for this line

    path = rewrite(tmp_path, drop_revised)
    run("import_budgets", str(path))
    budget = Budget.objects.get(line__code="K31020", year__start_year=2024)
    assert (budget.original, budget.revised, budget.profile) == (
        Decimal("2400000.00"),
        Decimal("2412000.00"),
        None,
    )


def error_lines(said: str) -> list[str]:
    return [line for line in said.splitlines() if line.startswith("row ")]


def _set(code, index, value):
    def change(header, rows):
        next(r for r in rows if r[4] == code)[index] = value

    return change


def _rename(old, new):
    def change(header, rows):
        header[header.index(old)] = new

    return change


def _drop_column(name):
    def change(header, rows):
        index = header.index(name)
        del header[index]
        for row in rows:
            del row[index]

    return change


def _demo_line(header, rows):
    rows.append([*rows[0][:4], "CSC-STF-RA", "Borrowed", "Staffing", "", "1.00", "0", "1.00"])
    rows[-1] += ["", ""] * 6


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_rename("Original Budget", "Orig Bdgt"), "No column for Original Budget"),
        (_set("K31001", 8, "nine million"), "row 2, Original Budget: 'nine million'"),
        (_set("K31002", 8, "4,800,000.123"), "row 3, Original Budget: '4,800,000.123'"),
        (
            _set("K31010", 10, "5,900,000.00"),
            "row 4, Revised Budget: Revised Budget 5,900,000.00 is not Original Budget "
            "6,000,000.00 plus Virements -120,000.00",
        ),
        (_set("K31011", 3, ""), "row 5, Service Name: the service name is missing"),
        (_set("K31020", 22, ""), "row 6, Mar: the monthly profile needs all twelve months"),
        (
            _drop_column("Mar"),
            "must have all twelve months (P1 to P12 or Apr to Mar); missing: March",
        ),
        (_set("K31090", 7, "3.x"), "row 7, Section 251: '3.x' is not a Section 251 line"),
        (_demo_line, "row 13, Cost Centre: cost centre CSC-STF-RA is a budget line of Lewisham"),
        (_set("K51001", 3, "Waste"), "row 11, Service Name: service WST is called"),
    ],
)
def test_a_bad_budget_book_is_refused_whole_with_its_own_headers(
    southwark, tmp_path, change, expected
):
    def and_a_good_change(header, rows):
        change(header, rows)
        rows[6][5] = "School improvement service"  # a good row's change, which must not land

    before = snapshot()
    path = rewrite(tmp_path, and_a_good_change)
    said = refused("import_budgets", str(path))
    assert expected in said
    assert "Nothing was imported" in said
    assert snapshot() == before
    assert ImportRecord.objects.filter(kind="budgets").first().outcome == "failed"


def test_every_bad_row_is_listed_and_nothing_is_written(southwark, tmp_path):
    def many(header, rows):
        rows[0][8] = "lots"
        rows[1][3] = ""
        rows[2][9] = "(1.00)"  # revised no longer original + virements
        rows[3][4] = rows[4][4]  # cost centre repeated
        rows[5][5] = "UASC grant"  # a good row's change, which must not land

    before = snapshot()
    said = refused("import_budgets", str(rewrite(tmp_path, many)))
    assert [line.split(":")[0] for line in error_lines(said)] == [
        "row 2, Original Budget",
        "row 3, Service Name",
        "row 4, Revised Budget",
        "row 6, Cost Centre",
    ]
    assert "Nothing was imported: 4 rows have errors." in said
    assert snapshot() == before


def test_a_closed_year_is_refused(southwark, administrator):
    from budgets.services import period_close

    period_close(user=administrator, period=Period.objects.get(year__start_year=2024, number=12))
    before = snapshot()
    said = refused("import_budgets", str(BOOK), "--year", "2024/25")
    assert "2024/25 is closed" in said
    assert snapshot() == before


def test_a_budget_book_needs_a_year_that_exists(southwark):
    said = refused("import_budgets", str(BOOK), "--year", "2030/31")
    assert "There is no financial year 2030/31" in said


def test_a_year_column_chooses_the_year(southwark, tmp_path):
    def add_year(header, rows):
        header.append("Financial Year")
        for row in rows:
            row.append("2023/24")

    run("setup_council", "--la-code", "210", "--name", "Southwark", "--year", "2023/24")
    run("import_budgets", str(rewrite(tmp_path, add_year)))
    assert revised(start_year=2023, line__service__code="SCF") == Decimal("20640000.00")
    said = refused("import_budgets", str(rewrite(tmp_path, add_year)), "--year", "2024/25")
    assert "row 2, Financial Year: 2023/24 is not 2024/25" in said


# --- import_users -------------------------------------------------------------------------


def links_in(said: str) -> dict[str, str]:
    return dict(re.findall(r"^\s+(\S+): (http\S+)$", said, flags=re.M))


def test_users_get_their_roles_services_and_directorates(southwark):
    said = run("import_users", str(USERS))
    assert "Imported 6 rows: 6 new" in said
    User = get_user_model()
    okafor = User.objects.get(username="a.okafor")
    assert (okafor.get_full_name(), okafor.email) == (
        "Amina Okafor",
        "amina.okafor@example.gov.uk",
    )
    assert not okafor.has_usable_password()
    assert roles_of(okafor) == {Role.FINANCE_OFFICER}
    assert set(okafor.assigned_services.values_list("code", flat=True)) == {"SCF", "EDU"}
    assert set(
        User.objects.get(username="t.price").assigned_services.values_list("code", flat=True)
    ) == {"WST"}
    shah = User.objects.get(username="r.shah")
    assert roles_of(shah) == {Role.DIRECTOR}
    assert list(shah.directed_directorates.values_list("code", flat=True)) == ["CFS"]
    assert roles_of(User.objects.get(username="cllr.adeyemi")) == {Role.SCRUTINY_MEMBER}
    assert roles_of(User.objects.get(username="m.clarke")) == {Role.ADMINISTRATOR}
    assert set(links_in(said)) == {
        "a.okafor",
        "t.price",
        "r.shah",
        "h.jones",
        "cllr.adeyemi",
        "m.clarke",
    }
    assigned = AuditEntry.objects.filter(action="assign", source="command")
    assert assigned.filter(field="groups").count() == 6
    assert assigned.filter(field="finance_officers").count() == 3
    assert assigned.filter(field="directors").count() == 2
    # The links are shown once: never logged or stored.
    token = urlsplit(links_in(said)["a.okafor"]).path.split("/")[-2]
    assert not AuditEntry.objects.filter(new_value__contains=token).exists()
    record = ImportRecord.objects.filter(kind="users").first()
    assert token not in record.message and token not in str(record.errors)


def test_a_printed_link_sets_the_password_and_the_user_can_sign_in(southwark):
    link = links_in(run("import_users", str(USERS)))["a.okafor"]
    client = Client()
    response = client.get(urlsplit(link).path)
    assert response.status_code == 302  # Django hides the token from the next page's referrer
    form_url = response["Location"]
    assert "Choose your password" in client.get(form_url).content.decode()
    weak = client.post(form_url, {"new_password1": "short", "new_password2": "short"})
    assert "too short" in weak.content.decode()
    response = client.post(
        form_url,
        {"new_password1": "Peckham-rye-2024!", "new_password2": "Peckham-rye-2024!"},
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/set-password/done/"
    signed_in = Client().post(
        "/accounts/login/", {"username": "a.okafor", "password": "Peckham-rye-2024!"}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == "/"
    # Used once: the same link no longer works.
    assert "This link cannot be used" in Client().get(urlsplit(link).path).content.decode()


def test_a_second_run_changes_nothing_and_prints_no_links(southwark):
    run("import_users", str(USERS))
    before = AuditEntry.objects.count()
    said = run("import_users", str(USERS))
    assert "Nothing changed: all 6 rows were already as the file says." in said
    assert links_in(said) == {}
    assert AuditEntry.objects.count() == before
    # --resend: fresh links for those who have not chosen a password, never for those who have.
    okafor = get_user_model().objects.get(username="a.okafor")
    okafor.set_password("Peckham-rye-2024!")
    okafor.save()
    resent = links_in(run("import_users", str(USERS), "--resend"))
    assert set(resent) == {"t.price", "r.shah", "h.jones", "cllr.adeyemi", "m.clarke"}


def test_changed_roles_and_assignments_are_updated_and_audited(southwark, tmp_path):
    run("import_users", str(USERS))
    mark = AuditEntry.objects.order_by("-pk").first().pk

    def reorganise(header, rows):
        rows[1][4] = "CFS/EDU"  # t.price moves from waste to education
        rows[2][3], rows[2][5] = "scrutiny members", ""  # r.shah is no longer a director
        rows[0][2] = "amina.okafor@southwark.example.gov.uk"

    said = run("import_users", str(rewrite(tmp_path, reorganise, source=USERS)))
    assert "0 new, 3 changed, 3 unchanged" in said
    User = get_user_model()
    assert list(
        User.objects.get(username="t.price").assigned_services.values_list("code", flat=True)
    ) == ["EDU"]
    shah = User.objects.get(username="r.shah")
    assert roles_of(shah) == {Role.SCRUTINY_MEMBER}
    assert not shah.directed_directorates.exists()
    changes = {
        (e.action, e.field, e.object_repr, e.old_value, e.new_value)
        for e in AuditEntry.objects.filter(pk__gt=mark)
    }
    assert ("unassign", "finance_officers", "Waste and Cleansing (WST)", "t.price", "") in changes
    assert ("assign", "finance_officers", "Education and Inclusion (EDU)", "", "t.price") in changes
    assert ("unassign", "groups", "r.shah", "Director", "") in changes
    assert ("assign", "groups", "r.shah", "", "Scrutiny member") in changes
    assert (
        "unassign",
        "directors",
        "Children's and Families' Services (CFS)",
        "r.shah",
        "",
    ) in changes
    assert (
        "update",
        "email",
        "a.okafor",
        "amina.okafor@example.gov.uk",
        "amina.okafor@southwark.example.gov.uk",
    ) in changes


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda h, rows: rows[0].__setitem__(3, "Treasurer"),
            "row 2, Role: 'Treasurer' is not a role",
        ),
        (
            lambda h, rows: rows[0].__setitem__(4, "CFS/XYZ"),
            "row 2, Services: Southwark has no service CFS/XYZ",
        ),
        (
            lambda h, rows: rows[2].__setitem__(5, "ZZZ"),
            "row 4, Directorates: Southwark has no directorate ZZZ",
        ),
        (lambda h, rows: rows[4].__setitem__(4, "SCF"), "row 6, Services: only a finance officer"),
        (lambda h, rows: rows[5].__setitem__(2, "not-an-email"), "row 7, Email: 'not-an-email'"),
        (
            lambda h, rows: rows[5].__setitem__(0, "a.okafor"),
            "row 7, Username: a.okafor appears again",
        ),
        (lambda h, rows: h.__setitem__(3, "Job"), "No column for Role"),
    ],
)
def test_a_bad_users_file_is_refused_whole(southwark, tmp_path, change, expected):
    said = refused("import_users", str(rewrite(tmp_path, change, source=USERS)))
    assert expected in said
    assert links_in(said) == {}
    assert not get_user_model().objects.filter(username="t.price").exists()


def test_roles_are_read_in_their_usual_spellings():
    from budgets.users_file import parse_role

    assert parse_role("FINANCE OFFICERS") == Role.FINANCE_OFFICER
    assert parse_role("Directors") == Role.DIRECTOR
    assert parse_role("scrutiny_member") == Role.SCRUTINY_MEMBER
    assert parse_role("Administrator") == Role.ADMINISTRATOR
    with pytest.raises(ValueError):
        parse_role("Mayor")


def test_the_site_address_setting_is_checked(monkeypatch):
    from csc_dashboard.env import env_url

    monkeypatch.setenv("CSC_SITE_URL", "https://budgets.example.gov.uk/")
    assert env_url("CSC_SITE_URL", default="") == "https://budgets.example.gov.uk"
    monkeypatch.setenv("CSC_SITE_URL", "budgets.example.gov.uk")
    with pytest.raises(ImproperlyConfigured):
        env_url("CSC_SITE_URL", default="")


# --- start_year ---------------------------------------------------------------------------


def test_start_year_then_the_next_budget_book(southwark):
    assert "2024/25, so the next is 2025/26" in refused("start_year", "2026/27")
    assert "not the next financial year" in refused("start_year", "2023/24")
    said = run("start_year", "2025/26")
    assert "Started 2025/26 with its 12 periods" in said
    assert FinancialYear.objects.get(start_year=2025).periods.count() == 12
    assert "not the next financial year" in refused("start_year", "2025/26")

    said = run("import_budgets", str(BOOK_NEXT), "--year", "2025/26")
    assert "Imported 12 rows: 12 new" in said
    # 10.2m + 4.92m + 5.88m + 1.32m + 2.4m + 0.6m (the new edge of care line) - 3.72m
    assert revised(start_year=2025, line__service__code="SCF") == Decimal("21600000.00")
    assert revised(start_year=2025, line__service__directorate__code="CFS") == Decimal(
        "26700000.00"
    )
    assert revised(start_year=2025, line__area_of_spend="contracts") == Decimal("18600000.00")
    # The structure carried forward: the same lines, one new; last year's budgets untouched.
    assert BudgetLine.objects.filter(service__directorate__council=southwark).count() == 12
    assert revised(start_year=2024, line__service__code="SCF") == Decimal("20640000.00")
    assert not AuditEntry.objects.filter(action="virement").exists()
    # Without --year, the latest open year: now 2025/26.
    assert "Nothing changed" in run("import_budgets", str(BOOK_NEXT))


# --- the Set up page ----------------------------------------------------------------------


def upload(client, action, path, **data):
    with path.open("rb") as handle:
        return client.post("/budgets/setup/", {"action": action, "file": handle, **data})


def test_the_set_up_page_does_each_step(client_for, administrator, django_assert_max_num_queries):
    client = client_for(administrator)
    with django_assert_max_num_queries(12):
        assert client.get("/budgets/setup/").status_code == 200
    assert "Set up the council" in client.get("/budgets/").content.decode()

    bad = client.post(
        "/budgets/setup/", {"action": "council", "la_code": "999", "first_year": "2024/25"}
    )
    assert bad.status_code == 400
    assert "999 is not an LA code" in bad.content.decode()
    response = client.post(
        "/budgets/setup/",
        {"action": "council", "la_code": "210", "name": "Southwark", "first_year": "2024/25"},
    )
    assert response.status_code == 302
    assert Council.objects.get(la_code="210").name == "Southwark"

    response = upload(client, "budgets", BOOK)
    assert response.status_code == 200
    assert "Imported 11 rows: 11 new" in response.content.decode()
    assert revised(line__service__code="SCF") == Decimal("20640000.00")
    assert AuditEntry.objects.filter(object_type="budgets.Budget").first().user == administrator

    response = upload(client, "users", USERS)
    html = response.content.decode()
    assert "One-time links to set a password" in html
    link = re.search(r"http://127\.0\.0\.1:8000(/accounts/set-password/[^<\s]+)", html).group(1)
    assert Client().get(link).status_code == 302
    assert ImportRecord.objects.filter(kind="users").first().user == administrator

    response = client.post("/budgets/setup/", {"action": "year", "year": "2025/26"})
    assert response.status_code == 302
    assert FinancialYear.objects.filter(start_year=2025).exists()
    with django_assert_max_num_queries(12):
        assert client.get("/budgets/setup/").status_code == 200


def test_the_set_up_page_lists_bad_rows(client_for, administrator, southwark, tmp_path):
    path = rewrite(tmp_path, _set("K31001", 8, "nine million"))
    response = upload(client_for(administrator), "budgets", path)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Every row that needs correcting" in html
    assert "Original Budget" in html and "&#x27;nine million&#x27;" in html


@pytest.mark.parametrize("who", ["finance", "scrutiny", "director"])
def test_only_administrators_may_set_up(client_for, request, who, tmp_path):
    client = client_for(request.getfixturevalue(who))
    assert client.get("/budgets/setup/").status_code == 403
    assert upload(client, "budgets", BOOK).status_code == 403
    assert not Council.objects.filter(la_code="210").exists()


def test_the_write_functions_check_the_writer_too(finance):
    from budgets.council_setup import budget_book_import

    report = budget_book_import(BOOK.read_bytes(), file_name="book.csv", user=finance)
    assert "Only an administrator" in report.file_error


# --- budget to date -----------------------------------------------------------------------


def ledger(tmp_path, rows) -> Path:
    path = tmp_path / "ledger.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([["Cost Centre", "Year", "Period", "Amount"], *rows])
    return path


def cells(html: str, label: str) -> list[str]:
    for tr in re.findall(r"<tr.*?</tr>", html, flags=re.S):
        if label in tr:
            hidden = r'<span class="govuk-visually-hidden">.*?</span>'
            return [
                re.sub(r"<[^>]+>|\s+", " ", re.sub(hidden, "", c)).strip()
                for c in re.findall(r"<t[hd].*?</t[hd]>", tr, flags=re.S)
            ]
    raise AssertionError(f"no row for {label}")


def test_budget_to_date_beside_actuals_to_date(southwark, tmp_path, client_for, director):
    run(
        "import_actuals",
        str(
            ledger(
                tmp_path,
                [
                    ["K31001", "2024/25", "1", "800,000.00"],
                    ["K31001", "2024/25", "2", "830,000.00"],
                    ["K31001", "2024/25", "3", "845,000.00"],
                    ["K31002", "2024/25", "3", "390,000.00"],
                ],
            )
        ),
    )
    client = client_for(director)
    html = client.get("/budgets/CFS/SCF/forecast/?year=2024/25&period=3").content.decode()
    # Profile 820,000 a month: 2,460,000 to P3; actuals 2,475,000; 15,000 ahead of profile.
    assert cells(html, "K31001")[1:5] == ["£9,840,000", "£2,460,000", "£2,475,000", "£15,000"]
    # Placements: + K31002's 3 × 400,000 = 3,660,000 to date; actuals 2,865,000.
    assert cells(html, "Children&#x27;s placements total")[1:5] == [
        "£14,640,000",
        "£3,660,000",
        "£2,865,000",
        "(£795,000)",
    ]
    # The service: every profile (20,640,000 a year) is 1,720,000 a month: 5,160,000 to P3.
    assert cells(html, "Social Care and Family Support total")[2:5] == [
        "£5,160,000",
        "£2,865,000",
        "(£2,295,000)",
    ]
    page = client.get("/budgets/CFS/SCF/?year=2024/25&period=3").content.decode()
    assert cells(page, "K31001")[1:5] == ["£9,840,000", "£2,460,000", "£2,475,000", "£15,000"]


def test_a_line_without_a_profile_shows_a_dash(southwark, tmp_path, client_for, director):
    path = rewrite(tmp_path, lambda header, rows: rows[0].__setitem__(slice(11, 23), [""] * 12))
    run("import_budgets", str(path))
    html = client_for(director).get("/budgets/CFS/SCF/forecast/?year=2024/25&period=3")
    html = html.content.decode()
    assert cells(html, "K31001")[1:5] == ["£9,840,000", "–", "£0", "–"]
    assert cells(html, "K31002")[2] == "£1,200,000"
    assert cells(html, "Children&#x27;s placements total")[2] == "–"
    assert cells(html, "Social Care and Family Support total")[2] == "–"


def test_the_budget_to_date_arithmetic():
    from budgets.metrics import ytd_budget, ytd_variance

    profile = [Decimal("100.00"), Decimal("200.00"), Decimal("300.50")] + [Decimal("0")] * 9
    assert ytd_budget(profile, 2) == Decimal("300.00")
    assert ytd_budget(profile, 3) == Decimal("600.50")
    assert ytd_budget(None, 3) is None
    assert ytd_variance(actuals=Decimal("650.50"), budget_to_date=Decimal("600.50")) == 50
    assert ytd_variance(actuals=Decimal("1"), budget_to_date=None) is None
