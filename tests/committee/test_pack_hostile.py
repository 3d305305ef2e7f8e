"""Hostile input on the pack's exports and its command: never a server error, never a date made
up. An unreadable meeting date is left off the pack (it is optional); the command refuses it."""

import io

import docx
import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

QUERY = "?year=2018/19&period=6&directorate=CYP&service=CSC&committee_date="
HOSTILE_DATES = ["%00", "NaN", "2018-02-30", "9999999999-01-01", "1e308", "-1", "2018-10-10%00"]


@pytest.mark.parametrize("value", HOSTILE_DATES)
@pytest.mark.parametrize("export", ["pack.pdf", "pack.docx", "pack.xlsx"])
def test_a_hostile_meeting_date_leaves_the_date_off_every_format(
    client_for, director, export, value
):
    response = client_for(director).get(f"/committee/{export}{QUERY}{value}")
    assert response.status_code in (200, 400)
    if export == "pack.docx" and response.status_code == 200:
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
        assert "Committee date" not in text
        assert "Children's Social Care" in text  # the pack itself is there


@pytest.mark.parametrize("value", ["NaN", "2018-02-30", "10/10/2018", "\x00"])
def test_the_command_refuses_an_unreadable_meeting_date(tmp_path, value):
    with pytest.raises(CommandError, match="--committee-date"):
        call_command(
            "export_committee_pack",
            "--year=2018/19",
            "--period=6",
            "--directorate=CYP",
            "--service=CSC",
            "--format=pdf",
            f"--out={tmp_path / 'pack.pdf'}",
            f"--committee-date={value}",
        )
    assert not (tmp_path / "pack.pdf").exists()
