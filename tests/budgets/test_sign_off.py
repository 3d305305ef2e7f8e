"""Sign-off as directors expect it, in a second council (not the demo): only a director of the
service's own directorate signs off or returns; submitting needs a forecast on every budgeted
line; a return keeps its reason, shown to the officer until they submit again; the status line
names who submitted and who signed off."""

from decimal import Decimal
from unittest.mock import patch

import pytest
from django.core.exceptions import PermissionDenied

from budgets.models import AuditEntry, BudgetLine, SignOff
from budgets.services import (
    ForecastIncomplete,
    ForecastLocked,
    forecast_return,
    forecast_save,
    forecast_sign_off,
    forecast_submit,
)
from tests.budgets.sign_off_council import (
    FORM,
    PERIOD,
    SCF,
    SERVED,
    YEAR,
    SecondCouncil,
    at,
    build_second_council,
    forecast,
    submitted,
)
from tests.parsed_html import parse

pytestmark = pytest.mark.django_db
PAGE = f"{SCF}?year={YEAR}&period={PERIOD}"


@pytest.fixture
def sc(db) -> SecondCouncil:
    return build_second_council()


def sign_off_buttons(client) -> list[str]:
    page = parse(client.get(PAGE).content)
    return [b.text() for b in page.find_all("button")]


# --- who may sign off ------------------------------------------------------------------------


def test_a_director_of_another_directorate_may_not_sign_off_or_return(sc):
    submitted(sc)
    with pytest.raises(PermissionDenied, match="Only a director of Children's and Families"):
        forecast_sign_off(user=sc.other_director, service=sc.scf, period=sc.period)
    with pytest.raises(PermissionDenied, match="Only a director of Children's and Families"):
        forecast_return(user=sc.other_director, service=sc.scf, period=sc.period, reason="No")
    assert SignOff.objects.get(service=sc.scf).status == "submitted"


def test_the_services_own_director_signs_off(sc):
    submitted(sc)
    sign_off = forecast_sign_off(user=sc.director, service=sc.scf, period=sc.period)
    assert (sign_off.status, sign_off.signed_off_by) == ("signed_off", sc.director)


@SERVED
def test_the_page_offers_sign_off_only_to_the_directorates_director(sc, client_for):
    submitted(sc)
    assert "Sign off this forecast" in sign_off_buttons(client_for(sc.director))
    offered = sign_off_buttons(client_for(sc.other_director))
    assert "Sign off this forecast" not in offered and "Return for changes" not in offered
    response = client_for(sc.other_director).post(SCF + "sign-off/", FORM)
    assert response.status_code == 403
    assert SignOff.objects.get(service=sc.scf).status == "submitted"
    response = client_for(sc.director).post(SCF + "sign-off/", FORM)
    assert response.status_code == 302
    assert SignOff.objects.get(service=sc.scf).status == "signed_off"


# --- submitting needs every budgeted line ----------------------------------------------------


def test_submitting_with_a_line_unforecast_is_refused_naming_the_line(sc):
    forecast(sc, sc.scf, "K31001", "K31002")
    with pytest.raises(ForecastIncomplete) as refused:
        forecast_submit(user=sc.officer, service=sc.scf, period=sc.period)
    # K31099 has no budget this year, so it is not asked for.
    assert refused.value.missing == ["K31010"]
    assert "1 line has no forecast" in str(refused.value) and "K31010" in str(refused.value)
    assert not SignOff.objects.filter(service=sc.scf).exists()


def test_a_service_with_no_forecasts_cannot_be_submitted(sc):
    with pytest.raises(ForecastIncomplete, match=r"2 lines have no forecast .*K32001, K32002"):
        forecast_submit(user=sc.officer, service=sc.edu, period=sc.period)
    forecast(sc, sc.edu)
    assert forecast_submit(user=sc.officer, service=sc.edu, period=sc.period).status == "submitted"


def test_the_refusal_names_the_first_five_lines_and_counts_the_rest(sc):
    codes = [f"L{n}" for n in range(1, 8)]
    message = str(ForecastIncomplete(sc.scf, sc.period, codes))
    assert "7 lines have no forecast" in message
    assert "L1, L2, L3, L4, L5 and 2 more" in message and "L6" not in message


@SERVED
def test_the_page_shows_which_lines_stop_a_submission(sc, client_for):
    forecast(sc, sc.scf, "K31001")
    response = client_for(sc.officer).post(SCF + "submit/", FORM, follow=True)
    html = response.content.decode()
    assert "2 lines have no forecast" in html and "K31002, K31010" in html
    assert not SignOff.objects.filter(service=sc.scf).exists()


# --- returned with a reason ------------------------------------------------------------------


@SERVED
def test_a_return_reason_is_shown_to_the_officer_until_they_submit_again(sc, client_for):
    submitted(sc)
    with patch("django.utils.timezone.now", return_value=at("2024-06-06T08:30")):
        response = client_for(sc.director).post(
            SCF + "return/", {**FORM, "reason": "Agency staffing looks low"}
        )
    assert response.status_code == 302
    sign_off = SignOff.objects.get(service=sc.scf)
    assert (sign_off.status, sign_off.returned_by, sign_off.return_reason) == (
        "returned",
        sc.director,
        "Agency staffing looks low",
    )
    html = client_for(sc.officer).get(PAGE).content.decode()
    assert "Agency staffing looks low" in html
    assert "Ravi Shah returned this forecast on 6 Jun 2024 09:30." in html
    assert 'id="outturn-' in html  # editable again
    assert "Submit again for sign-off" in html
    # The officer changes a figure (a returned forecast is not locked) and submits again.
    line = BudgetLine.objects.get(code="K31010")
    forecast_save(
        user=sc.officer,
        line=line,
        period=sc.period,
        outturn=Decimal("2600000"),
        commentary="Two more agency social workers",
        based_on_version=1,
    )
    assert client_for(sc.officer).post(SCF + "submit/", FORM).status_code == 302
    sign_off.refresh_from_db()
    assert (sign_off.status, sign_off.returned_by, sign_off.returned_at) == (
        "submitted",
        None,
        None,
    )
    assert sign_off.return_reason == ""
    html = client_for(sc.officer).get(PAGE).content.decode()
    assert "Agency staffing looks low" not in html and 'id="outturn-' not in html
    forecast_sign_off(user=sc.director, service=sc.scf, period=sc.period)
    trail = AuditEntry.objects.filter(object_type="budgets.SignOff").order_by("at", "pk")
    assert [(e.action, e.old_value, e.new_value, e.reason) for e in trail] == [
        ("submit", "", "submitted", ""),
        ("return", "submitted", "returned", "Agency staffing looks low"),
        ("submit", "returned", "submitted", ""),
        ("sign off", "submitted", "signed_off", ""),
    ]


def test_a_signed_off_forecast_cannot_be_returned_or_resubmitted(sc):
    submitted(sc)
    forecast_sign_off(user=sc.director, service=sc.scf, period=sc.period)
    with pytest.raises(ForecastLocked):
        forecast_return(user=sc.director, service=sc.scf, period=sc.period, reason="Late")
    with pytest.raises(ForecastLocked):
        forecast_submit(user=sc.officer, service=sc.scf, period=sc.period)


def test_a_return_needs_a_reason(sc):
    submitted(sc)
    with pytest.raises(ValueError, match="Say why"):
        forecast_return(user=sc.director, service=sc.scf, period=sc.period, reason="  ")
    assert SignOff.objects.get(service=sc.scf).status == "submitted"


# --- the status line -------------------------------------------------------------------------


@SERVED
def test_the_status_line_names_the_submitter_and_the_signer(sc, client_for):
    submitted(sc, "2024-06-05T13:02")  # 14:02 in London (BST)
    with patch("django.utils.timezone.now", return_value=at("2024-06-06T08:30")):
        forecast_sign_off(user=sc.director, service=sc.scf, period=sc.period)
    page = parse(client_for(sc.officer).get(PAGE).content)
    assert page.find_all(
        text="Submitted by Amina Okafor on 5 Jun 2024 14:02; "
        "signed off by Ravi Shah on 6 Jun 2024 09:30."
    )
