"""import_users: users, roles, services and directorates from a users file; one-time links."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from budgets.access import Role, roles_of
from budgets.models import (
    AuditEntry,
    ImportRecord,
)
from tests.budgets.setup.support import USERS, refused, rewrite, run

pytestmark = pytest.mark.django_db


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
    # The error summary (one fragment for every form) links each error to its input.
    summary = weak.context["form"].errors
    assert "new_password2" in summary
    assert 'href="#id_new_password2"' in weak.content.decode()
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
