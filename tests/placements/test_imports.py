"""SSDA903 and cost imports: pseudonymisation, merging, row errors, the command."""

import datetime
from decimal import Decimal

import pytest

from budgets.models import ImportRecord
from placements.importers import costs_import, episodes_import, pseudonymise
from placements.models import Child, Episode, RateCard
from tests.placements.helpers import EPISODES, all_text_in_database

D = datetime.date


@pytest.mark.django_db
def test_import_pseudonymises_children_and_drops_postcodes(finance):
    header = (
        "CHILD,SEX,DOB,ETHNIC,UPN,UASC\n900001,1,14/03/2008,WBRI,A123,0\n900002,2,2010-07-01,,,1\n"
    )
    report = episodes_import(
        EPISODES.encode(), file_name="episodes.csv", header=header.encode(), user=finance
    )
    assert report.ok, report.errors
    assert report.created == 2
    child = Child.objects.get(reference=pseudonymise("900001"))
    assert (child.birth_year, child.birth_month, child.uasc) == (2008, 3, False)
    assert Child.objects.get(reference=pseudonymise("900002")).uasc is True
    text = all_text_in_database()
    for secret in [
        "900001",
        "900002",
        "SE6 4RU",
        "BR1 1AA",
        "SE13 5AB",
        "SC123456",
        "2008-03-14",
        "14/03/2008",
    ]:
        assert secret not in text
    assert Episode.objects.get(child=child).category == "ifa"


@pytest.mark.django_db
def test_reimporting_and_overlapping_files_merge_without_duplicates():
    assert episodes_import(EPISODES.encode(), file_name="a.csv").created == 2
    again = episodes_import(EPISODES.encode(), file_name="a.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    later = (
        EPISODES.replace(
            "900001,2024-04-01,S,C2,N1,U4,PR4,,", "900001,2024-04-01,S,C2,N1,U4,PR4,31/03/2025,"
        )
        + "900001,2025-03-31,P,C2,N1,U1,PR1,,,,,,\n"
    )
    report = episodes_import(later.encode(), file_name="b.csv")
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    child = Child.objects.get(reference=pseudonymise("900001"))
    assert child.episodes.count() == 2
    assert child.episodes.get(start=D(2024, 4, 1)).end == D(2025, 3, 31)


@pytest.mark.django_db
def test_one_file_adds_new_childrens_episodes_and_merges_those_of_children_held():
    """A new child's episodes are inserted as they are; a held child's are merged (placements/
    episodes_write.py takes the two paths), and the counts add up across both."""
    assert episodes_import(EPISODES.encode(), file_name="a.csv").created == 2
    mixed = (
        EPISODES.replace("K2,PR4,30/06/2024,E4A", "K2,PR4,31/07/2024,E4A")
        + "900003,2024-09-01,S,C2,N1,U4,PR4,30/09/2024,E4A,,,,\n"
        + "900003,2024-10-01,P,C2,N1,U1,PR1,,,,,,\n"
    )
    report = episodes_import(mixed.encode(), file_name="b.csv")
    assert (report.created, report.updated, report.unchanged) == (2, 1, 1)
    named = [pseudonymise(code) for code in ("900001", "900002", "900003")]
    assert Child.objects.filter(reference__in=named).count() == 3
    assert Child.objects.get(reference=pseudonymise("900003")).episodes.count() == 2
    held = Child.objects.get(reference=pseudonymise("900002"))
    assert list(held.episodes.values_list("end", flat=True)) == [D(2024, 7, 31)]
    again = episodes_import(mixed.encode(), file_name="b.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)


@pytest.mark.django_db
def test_every_bad_episode_row_is_reported_and_nothing_is_written():
    before = Episode.objects.count()
    bad = (
        "CHILD,DECOM,PLACE,PLACE_PROVIDER,DEC\n"
        ",2024-04-01,U1,PR1,\n"  # row 2: no child
        "A,2024-13-01,U1,PR1,\n"  # row 3: bad date
        "B,2024-04-01,XX,PR1,\n"  # row 4: unknown placement type
        "C,2024-04-01,U1,PR9,\n"  # row 5: unknown provider
        "D,2024-04-10,U1,PR1,2024-04-01\n"  # row 6: ends before it starts
        "E,2024-04-01,U1,PR1,\n"  # row 7: good
        "E,01/04/2024,U2,PR1,\n"  # row 8: same child and start again
    )
    report = episodes_import(bad.encode(), file_name="bad.csv")
    assert {e.row for e in report.errors} == {2, 3, 4, 5, 6, 8}
    messages = " ".join(str(e) for e in report.errors)
    assert "'XX' is not an SSDA903 placement type" in messages
    assert "appear again (first on row 7)" in messages
    assert Episode.objects.count() == before
    assert ImportRecord.objects.get(file_name="bad.csv").outcome == "failed"


@pytest.mark.django_db
def test_costs_import_per_episode_and_as_a_rate_card():
    episodes_import(EPISODES.encode(), file_name="a.csv")
    report = costs_import(
        b'CHILD,DECOM,WEEKLY_COST\n900001,2024-04-01,"\xa3950.00"\n', file_name="costs.csv"
    )
    assert report.ok, report.errors
    assert Episode.objects.get(child__reference=pseudonymise("900001")).weekly_cost == Decimal(
        "950"
    )
    card = costs_import(
        b"CATEGORY,EFFECTIVE_FROM,WEEKLY_COST\nresidential,2024-04-01,4000\n", file_name="card.csv"
    )
    assert card.ok, card.errors
    assert RateCard.objects.get(category="residential").weekly_cost == Decimal("4000")
    missing = costs_import(b"CHILD,DECOM,WEEKLY_COST\nNOBODY,2024-04-01,1\n", file_name="x.csv")
    assert "no episode for this child" in str(missing.errors[0])


@pytest.mark.django_db
def test_the_placements_command_imports_with_a_header_file(tmp_path, capsys):
    from django.core.management import call_command

    episodes, header = tmp_path / "episodes.csv", tmp_path / "header.csv"
    episodes.write_text(EPISODES)
    header.write_text("CHILD,SEX,DOB\n900001,1,14/03/2008\n")
    call_command("import_placements", str(episodes), "--header", str(header))
    assert "Imported 2 rows: 2 new" in capsys.readouterr().out
    assert Child.objects.get(reference=pseudonymise("900001")).birth_year == 2008
