"""The import log (kept for years, shown in the admin and on the upload pages) quotes no
personal data from an SSDA903 file: not a date of birth in a header-file error, not a postcode
that a shifted row put under PLACE or DEC, not a child's identifier; harmless codes stay
quoted where they help. A second council, set up from its example files."""

import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings

from budgets.importing import redact
from budgets.models import ImportRecord

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "examples"
PERSONAL = frozenset({"CHILD", "DOB", "HOME_POST", "PL_POST", "URN"})

EPISODE_HEADER = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)
GOOD_ROW = "C700001,2024-05-01,S,C2,N1,U1,PR1,,,,SE6 4RU,BR1 3AA,SC123456"
# The same child's next episode, its PLACE to REASON_PLACE_CHANGE cells left out: the postcodes
# and the provider's URN moved left, under PLACE, PLACE_PROVIDER and DEC.
SHIFTED_ROW = "C700001,2024-08-01,S,C2,N1,SE13 7QX,BR2 9LN,SC765432"
CODE_ROW = "C700002,2024-06-01,S,C2,N1,ZZ,PR1,,,,,,"


def user(username):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def southwark():
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        call_command(
            "setup_council", la_code="210", name="Southwark", year="2024/25", stdout=io.StringIO()
        )
        call_command(
            "import_budgets", str(EXAMPLES / "budget_book_2024-25.csv"), stdout=io.StringIO()
        )
        call_command("import_users", str(EXAMPLES / "users.csv"), stdout=io.StringIO())
        yield


def upload(client, episodes: str, header: str | None = None):
    files = {"episodes": SimpleUploadedFile("episodes.csv", episodes.encode())}
    if header is not None:
        files["header"] = SimpleUploadedFile("header.csv", header.encode())
    return client.post("/placements/upload/", files)


def logged_text() -> str:
    record = ImportRecord.objects.filter(kind="placements").order_by("-pk").first()
    return record.message + "\n" + "\n".join(record.errors)


def test_a_bad_date_of_birth_in_the_header_file_is_not_logged_or_shown(southwark, client):
    client.force_login(user("a.okafor"))
    header = "CHILD,SEX,DOB,ETHNIC,UPN,UASC\nC700001,1,31/02/2011,WBRI,A123,0\n"
    response = upload(client, f"{EPISODE_HEADER}\n{GOOD_ROW}\n", header)
    page = response.content.decode() + client.get("/placements/upload/").content.decode()
    logged = logged_text()
    assert response.status_code == 400
    assert "row 2, DOB: header.csv: the cell is not a date" in logged
    for personal in ("31/02/2011", "C700001"):
        assert personal not in logged
        assert personal not in page


def test_a_postcode_in_a_shifted_row_is_not_logged_or_shown(southwark, client):
    client.force_login(user("a.okafor"))
    response = upload(client, f"{EPISODE_HEADER}\n{GOOD_ROW}\n{SHIFTED_ROW}\n{CODE_ROW}\n")
    page = response.content.decode() + client.get("/placements/upload/").content.decode()
    record = ImportRecord.objects.filter(kind="placements").order_by("-pk").first()
    logged = logged_text()
    assert response.status_code == 400
    assert "row 3, PLACE: the cell is not an SSDA903 placement type" in record.errors
    assert "row 3, PLACE_PROVIDER: the cell is not a placement provider code" in record.errors
    assert any(e.startswith("row 3, DEC: the cell is not a date") for e in record.errors)
    # A harmless code is still quoted, so the officer sees what to correct.
    assert "row 4, PLACE: 'ZZ' is not an SSDA903 placement type" in record.errors
    for personal in ("SE13 7QX", "BR2 9LN", "SC765432", "C700001", "C700002"):
        assert personal not in logged
        assert personal not in page


def test_the_command_line_report_is_redacted_too(southwark, tmp_path):
    episodes = tmp_path / "episodes.csv"
    episodes.write_text(f"{EPISODE_HEADER}\n{SHIFTED_ROW}\n")
    errors = io.StringIO()
    with pytest.raises(Exception, match="Nothing was imported"):
        call_command("import_placements", str(episodes), stderr=errors, stdout=io.StringIO())
    assert "SE13 7QX" not in errors.getvalue()
    assert "PLACE: the cell is not" in errors.getvalue()


@pytest.mark.parametrize(
    ("message", "column", "expected"),
    [
        ("'31/02/2011' is not a date", "DOB", "the cell is not a date"),
        ("'U1' is not a date", "DOB", "the cell is not a date"),  # a personal column: nothing
        ("'ZZ' is not an SSDA903 placement type", "PLACE", "'ZZ' is not an SSDA903 placement type"),
        ("'SE6 4RU' is not a placement type", "PLACE", "the cell is not a placement type"),
        ('"O\'Neil" is not a date', "DEC", "the cell is not a date"),
        ("'SE6 4RU is cut sh…", "PLACE", "the cell"),
        ("the child's identifier is missing", "CHILD", "the child's identifier is missing"),
        (
            "Missing columns: CHILD. Found: C700001, 2024-05-01, S, PLACE.",
            "",
            "Missing columns: CHILD. Found: (a value), (a value), S, PLACE.",
        ),
    ],
)
def test_redact_removes_quoted_values_but_keeps_codes_and_words(message, column, expected):
    assert redact(message, personal_columns=PERSONAL, column=column) == expected
