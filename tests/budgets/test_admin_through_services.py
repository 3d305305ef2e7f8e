"""The admin writes forecasts through the same service function as the forecast page, so a
signed-off forecast cannot be changed there either; sign-offs and forecasts cannot be deleted
in the admin (no service deletes them). A second council, built from its example files."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings

from budgets.models import AuditEntry, BudgetLine, Forecast, Period, SignOff
from budgets.services import ForecastChange, forecast_sign_off, forecast_submit, forecasts_save

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "examples"


def user(username):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def southwark():
    with override_settings(CSC_COUNCIL_LA_CODE="210"):
        for command, args in [
            ("setup_council", {"la_code": "210", "name": "Southwark", "year": "2024/25"}),
            ("import_budgets", {"file": str(EXAMPLES / "budget_book_2024-25.csv")}),
            ("import_users", {"file": str(EXAMPLES / "users.csv")}),
        ]:
            file = args.pop("file", None)
            call_command(command, *([file] if file else []), stdout=io.StringIO(), **args)
        # The finance lead is given the admin site by the operator.
        get_user_model().objects.filter(username="m.clarke").update(
            is_staff=True, is_superuser=True
        )
        yield


def p3():
    return Period.objects.get(year__start_year=2024, number=3)


def forecast_every_line(officer, period):
    lines = BudgetLine.objects.filter(service__code="SCF").prefetch_related("budgets")
    changes = [
        ForecastChange(line, line.budgets.get(year=period.year).revised, "", 0) for line in lines
    ]
    forecasts_save(user=officer, period=period, changes=changes)


def admin_form(forecast, **changes):
    return {
        "outturn": str(forecast.outturn),
        "commentary": forecast.commentary,
        "based_on_version": str(forecast.version),
        **changes,
    }


def test_the_admin_cannot_change_a_signed_off_forecast(southwark, client):
    period = p3()
    forecast_every_line(user("a.okafor"), period)
    scf = BudgetLine.objects.get(code="K31001").service
    forecast_submit(user=user("a.okafor"), service=scf, period=period)
    forecast_sign_off(user=user("r.shah"), service=scf, period=period)
    forecast = Forecast.objects.get(line__code="K31001", period=period)
    audited = AuditEntry.objects.count()

    client.force_login(user("m.clarke"))
    response = client.post(
        f"/admin/budgets/forecast/{forecast.pk}/change/",
        admin_form(forecast, outturn="1.00", commentary="Typo"),
    )

    assert response.status_code == 200
    assert "has been submitted" in response.content.decode()
    saved = Forecast.objects.get(pk=forecast.pk)
    assert (saved.outturn, saved.version) == (forecast.outturn, forecast.version)
    assert SignOff.objects.get(service=scf, period=period).status == SignOff.Status.SIGNED_OFF
    assert AuditEntry.objects.count() == audited


def test_an_admin_change_goes_through_the_service_with_its_rules(southwark, client):
    period = p3()
    forecast_every_line(user("a.okafor"), period)
    forecast = Forecast.objects.get(line__code="K31001", period=period)
    client.force_login(user("m.clarke"))
    url = f"/admin/budgets/forecast/{forecast.pk}/change/"

    # The line and period are not offered for change: a forecast is never moved.
    page = client.get(url).content.decode()
    assert 'name="outturn"' in page
    assert 'name="line"' not in page and 'name="period"' not in page

    # A version the administrator did not see is refused, naming the newer figure.
    response = client.post(url, admin_form(forecast, based_on_version="7", outturn="5.00"))
    assert "while you were editing" in response.content.decode()

    response = client.post(url, admin_form(forecast, outturn="10000000.00"))
    assert response.status_code == 302
    saved = Forecast.objects.get(pk=forecast.pk)
    assert (saved.outturn, saved.version, saved.author) == (
        Decimal("10000000.00"),
        forecast.version + 1,
        user("m.clarke"),
    )
    entry = AuditEntry.objects.filter(object_id=str(forecast.pk), field="outturn").first()
    assert (entry.source, entry.old_value, entry.new_value) == (
        "admin",
        str(forecast.outturn),
        "10000000.00",
    )
    assert AuditEntry.objects.filter(object_id=str(forecast.pk), source="admin").count() == 1


def test_an_admin_without_the_administrator_role_cannot_change_forecasts(southwark, client):
    """The admin site lets in staff; the service asks for the role, as for every writer."""
    period = p3()
    forecast_every_line(user("a.okafor"), period)
    forecast = Forecast.objects.get(line__code="K31001", period=period)
    get_user_model().objects.filter(username="t.price").update(is_staff=True, is_superuser=True)
    client.force_login(user("t.price"))  # a finance officer, of another service
    response = client.post(
        f"/admin/budgets/forecast/{forecast.pk}/change/", admin_form(forecast, outturn="1.00")
    )
    assert "may not change" in response.content.decode()
    assert Forecast.objects.get(pk=forecast.pk).outturn == forecast.outturn


def test_the_admin_deletes_no_sign_off_and_no_forecast(southwark, client):
    period = p3()
    forecast_every_line(user("a.okafor"), period)
    scf = BudgetLine.objects.get(code="K31001").service
    sign_off = forecast_submit(user=user("a.okafor"), service=scf, period=period)
    forecast = Forecast.objects.get(line__code="K31001", period=period)
    client.force_login(user("m.clarke"))

    assert (
        client.post(f"/admin/budgets/signoff/{sign_off.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert (
        client.post(f"/admin/budgets/forecast/{forecast.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    client.post(
        "/admin/budgets/signoff/",
        {"action": "delete_selected", "_selected_action": [sign_off.pk], "post": "yes"},
    )
    assert SignOff.objects.filter(pk=sign_off.pk).exists()
    assert Forecast.objects.filter(pk=forecast.pk).exists()
