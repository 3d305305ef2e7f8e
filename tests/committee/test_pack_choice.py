"""The administrator's choice of the committee pack: one write path (pack_save), audited,
refused to anyone else and to a save based on a pack someone has changed since."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from budgets.models import AuditEntry, Council
from csc_dashboard import committee
from csc_dashboard.committee_pack import (
    PackConflict,
    default_entries,
    pack_entries,
    pack_save,
    pack_version,
)
from csc_dashboard.models import PackItem

pytestmark = pytest.mark.django_db
QUERY = "?year=2018/19&period=6&directorate=CYP&service=CSC"


@pytest.fixture
def council():
    return Council.objects.current().get()


def test_the_demo_pack_follows_the_reports_order_and_labels(council):
    entries = pack_entries(council)
    assert [(e.label, e.key) for e in entries][:3] == [
        ("4.3", "directorate_summary"),
        ("4.4", "savings_by_year"),
        ("5.1", "savings_delivery"),
    ]
    assert entries[-1].label == "Appendix 1"


def test_a_council_with_no_choice_gets_every_table_with_its_chart(council):
    PackItem.objects.filter(council=council).delete()
    entries = pack_entries(council)
    assert [e.key for e in entries] == list(committee.TABLE_KEYS)
    assert all(e.show_table for e in entries)
    assert [e.key for e in entries if e.show_chart][:2] == ["budget_by_area", "directorate_summary"]
    assert not next(e for e in entries if e.key == "staffing").show_chart  # it has no chart
    assert pack_version(council) == 0


def _reordered(council):
    entries = pack_entries(council)
    entries[0].position, entries[-1].position = 99, 0 + 1
    entries[-1].title = "How the forecast moved"
    entries[1].show_table = False
    return entries


def test_an_administrator_reorders_and_retitles_and_every_change_is_audited(
    council, administrator, client_for, director
):
    version = pack_version(council)
    before = AuditEntry.objects.count()
    new = pack_save(
        user=administrator, council=council, entries=_reordered(council), based_on_version=version
    )
    assert new == version + 1
    entries = pack_entries(council)
    assert entries[0].key == "forecast_movement" and entries[0].title == "How the forecast moved"
    assert entries[-1].key == "directorate_summary"
    changes = AuditEntry.objects.order_by("pk")[before:]
    assert {(a.object_repr.split(". ")[-1], a.field) for a in changes} >= {
        ("forecast_movement", "title"),
        ("forecast_movement", "position"),
        ("directorate_summary", "position"),
        ("savings_by_year", "show_table"),
    }
    assert all(a.user == administrator and a.action == "pack_item_change" for a in changes)
    html = client_for(director).get("/committee/" + QUERY).content.decode()
    assert html.index("How the forecast moved") < html.index("Budget, forecast outturn")


def test_a_save_based_on_an_old_pack_is_refused(council, administrator):
    version = pack_version(council)
    pack_save(
        user=administrator, council=council, entries=_reordered(council), based_on_version=version
    )
    with pytest.raises(PackConflict):
        pack_save(
            user=administrator,
            council=council,
            entries=default_entries(council),
            based_on_version=version,
        )


@pytest.mark.parametrize("who", ["director", "finance", "scrutiny"])
def test_only_administrators_choose_the_pack(council, request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        pack_save(
            user=user,
            council=council,
            entries=default_entries(council),
            based_on_version=pack_version(council),
        )


def test_a_pack_must_list_every_table_once(council, administrator):
    entries = pack_entries(council)[1:]
    with pytest.raises(ValidationError):
        pack_save(
            user=administrator,
            council=council,
            entries=entries,
            based_on_version=pack_version(council),
        )


def test_the_pack_page_saves_through_the_form(client_for, administrator, director, council):
    client = client_for(administrator)
    page = client.get("/committee/pack/")
    assert page.status_code == 200
    assert client_for(director).get("/committee/pack/").status_code == 403
    client = client_for(administrator)
    form = page.context["formset"]
    data = {
        "form-TOTAL_FORMS": str(len(form.forms)),
        "form-INITIAL_FORMS": str(len(form.forms)),
        "version": str(pack_version(council)),
    }
    for i, f in enumerate(form.forms):
        data.update(
            {
                f"form-{i}-key": f.initial["key"],
                f"form-{i}-position": str(f.initial["position"]),
                f"form-{i}-title": "=cmd|' /C calc'!A0" if i == 0 else f.initial["title"],
                f"form-{i}-label": f.initial["label"],
                f"form-{i}-show_table": "on",
            }
        )
    response = client.post("/committee/pack/", data)
    assert response.status_code == 302
    assert pack_entries(council)[0].title == "=cmd|' /C calc'!A0"
    assert not any(e.show_chart for e in pack_entries(council))  # the boxes were left clear
    # The same POST again is based on the old version: refused, nothing changed.
    data["form-0-title"] = "Another"
    again = client.post("/committee/pack/", data)
    assert again.status_code == 400 and "Someone else changed" in again.content.decode()
    # Garbage is a message, never a 500.
    data.update({"version": "x", "form-0-position": "first", "form-TOTAL_FORMS": "zz"})
    assert client.post("/committee/pack/", data).status_code == 400


def test_a_title_that_looks_like_a_formula_stays_text_in_every_export(
    council, administrator, client_for, director
):
    import io

    import openpyxl
    from docx import Document

    entries = pack_entries(council)
    entries[0].title = '=HYPERLINK("http://evil.example")'
    entries[0].label = ""  # so the heading starts with the title
    pack_save(
        user=administrator, council=council, entries=entries, based_on_version=pack_version(council)
    )
    client = client_for(director)
    book = openpyxl.load_workbook(io.BytesIO(client.get("/committee/pack.xlsx" + QUERY).content))
    cells = [c for s in book for row in s.iter_rows() for c in row if "HYPERLINK" in str(c.value)]
    assert cells and all(c.value.startswith("'=") and c.data_type == "s" for c in cells)
    document = Document(io.BytesIO(client.get("/committee/pack.docx" + QUERY).content))
    assert any(p.text.startswith("'=HYPERLINK") for p in document.paragraphs)
