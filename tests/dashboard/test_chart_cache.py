"""Dashboard figures are cached under the data version: a refresh is cheap, a change shows at
once, and one reader never gets another's figures."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets.cache import MONTHLY_TABLES, cached, data_version, reference_version
from budgets.importers import actuals_import
from budgets.models import Forecast
from placements.models import Episode
from tests.budgets.test_forecast_entry import URL, form_for, line, p6
from tests.dashboard.test_dashboard_pages import figure
from tests.dashboard.test_overview import row
from workforce.models import Filling

pytestmark = pytest.mark.django_db

PAGES = [
    "/?year=2018/19&period=6",
    "/dashboard/movement/?year=2018/19&period=6&scope=CYP/CSC",
    "/dashboard/areas/?year=2018/19&period=6&scope=CYP/CSC",
    "/placements/?date=2018-09-30",
    "/workforce/?date=2018-09-30",
]


def get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(ctx)


def without_tokens(html: str) -> str:
    """The page less its CSRF tokens, which are masked afresh on every response."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.mark.parametrize("url", PAGES)
def test_a_refresh_reads_the_figures_from_the_cache(client_for, director, url):
    client = client_for(director)
    first, cold = get(client, url)
    again, warm = get(client, url)
    assert without_tokens(again) == without_tokens(first)
    assert warm < cold


def test_any_write_moves_the_data_version():
    before = data_version()
    Forecast.objects.filter(line=line(), period=p6()).update(commentary="x")  # an open period
    assert data_version() != before


def test_a_saved_forecast_shows_on_the_overview_at_once(client_for, director, finance):
    reader = client_for(director)
    html, _ = get(reader, "/?year=2018/19&period=6")
    assert row(html, "Children&#x27;s Social Care (CSC)")[1:] == ["41.6", "54.5", "12.9"]
    officer = client_for(finance)
    held = Forecast.objects.get(line=line(), period=p6()).outturn
    bigger = held + Decimal("1000000")
    response = officer.post(URL, form_for(officer, **{"CSC-STF-RA": (f"{bigger}", "Agency")}))
    assert response.status_code == 302
    html, _ = get(reader, "/?year=2018/19&period=6")
    assert row(html, "Children&#x27;s Social Care (CSC)")[1:] == ["41.6", "55.5", "13.9"]


def test_a_finance_officer_never_gets_a_directors_cached_overview(
    client_for, director, other_finance
):
    director_html, _ = get(client_for(director), "/?year=2018/19&period=6")
    assert "Children&#x27;s Social Care (CSC)" in director_html
    officer_html, _ = get(client_for(other_finance), "/?year=2018/19&period=6")
    assert "Children&#x27;s Social Care (CSC)" not in officer_html


def test_an_import_moves_the_data_version(finance):
    before = data_version()
    data = b"Cost Centre,Financial Year,Period,Amount\nCSC-STF-RA,2018/19,6,1000.00\n"
    assert actuals_import(data, file_name="gl.csv", user=finance).ok
    assert data_version() != before


@pytest.mark.parametrize(
    ("url", "data_id", "change"),
    [
        ("/placements/?date=2018-09-30", "chart-lac-data", Episode.objects.all),
        ("/workforce/?date=2018-09-30", "chart-agency-data", Filling.objects.all),
    ],
)
def test_a_change_to_placements_or_staffing_shows_at_once(
    client_for, director, url, data_id, change
):
    client = client_for(director)
    before = figure(get(client, url)[0], data_id)
    assert figure(get(client, url)[0], data_id) == before  # from the cache
    change().delete()
    assert figure(get(client, url)[0], data_id) != before


def test_every_table_the_dashboards_read_moves_the_data_version():
    """A table added later must be tracked in its migration (csc_track_data_changes)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()
              AND c.relname ~ '^(budgets|placements|workforce)_'
              AND NOT EXISTS (SELECT 1 FROM pg_trigger t
                              WHERE t.tgrelid = c.oid AND t.tgname = 'csc_data_version')
            """
        )
        assert cursor.fetchall() == []


def test_figures_read_while_another_write_is_uncommitted_are_not_kept(client_for, director):
    """The version moves when the writer's statement runs; its data shows only at commit. A
    page read in between must not be kept under the new version."""
    client = client_for(director)
    url = "/dashboard/movement/?year=2018/19&period=6&scope=CYP/CSC"
    get(client, url)
    _, warm = get(client, url)
    writer = connection.get_new_connection(connection.get_connection_params())
    try:
        writer.execute(
            "UPDATE budgets_forecast SET commentary = commentary WHERE id = %s",
            [Forecast.objects.get(line=line(), period=p6()).pk],
        )
        _, during = get(client, url)
        assert during > warm  # the month's figures computed ...
        assert get(client, url)[1] == during  # ... and not kept
        writer.rollback()
    finally:
        writer.close()
    _, first = get(client, url)
    assert first == during
    assert get(client, url)[1] == warm  # the writer has ended: kept again


def test_periods_scopes_and_readers_each_have_their_own_figures(
    client_for, director, other_finance
):
    director_client = client_for(director)
    p6_html, _ = get(director_client, "/?year=2018/19&period=6")
    p5_html, _ = get(director_client, "/?year=2018/19&period=5")
    assert figure(p6_html, "chart-variance-service-data") != figure(
        p5_html, "chart-variance-service-data"
    )
    movement = "/dashboard/movement/?year=2018/19&period=6&scope="
    service, _ = get(director_client, movement + "CYP/CSC")
    directorate, _ = get(director_client, movement + "CYP")
    assert figure(service, "chart-movement-data") != figure(directorate, "chart-movement-data")
    # With no scope in the URL each finance officer gets their own service, never one cached
    # for another reader.
    director_default, _ = get(director_client, "/dashboard/movement/?year=2018/19&period=6")
    assert '<option value="CYP/CSC" selected>' in director_default
    officer_default, _ = get(
        client_for(other_finance), "/dashboard/movement/?year=2018/19&period=6"
    )
    assert '<option value="RES/HSG" selected>' in officer_default
    assert "CYP/CSC" not in officer_default
    officer_areas, _ = get(client_for(other_finance), "/dashboard/areas/?year=2018/19&period=6")
    assert "Children&#x27;s Social Care" not in officer_areas


# --- Figures that read none of the month's finance figures (cached(monthly=False)) -----------


def test_the_reference_version_moves_on_every_table_but_the_months_finance_figures():
    """Budgets migration 0016's trigger and budgets.cache.MONTHLY_TABLES name the same tables:
    a statement on each tracked table (a no-op insert fires the statement trigger) moves the
    reference version unless the table holds the month's finance figures."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger"
            " WHERE tgname = 'csc_data_version' ORDER BY 1"
        )
        tables = [name for (name,) in cursor.fetchall()]
        assert "budgets_forecast" in tables and "placements_episode" in tables
        moved = set()
        for table in tables:
            before = reference_version()
            cursor.execute(f"INSERT INTO {table} SELECT * FROM {table} WHERE false")  # noqa: S608
            if reference_version() != before:
                moved.add(table)
    assert set(tables) - moved == set(MONTHLY_TABLES)


def test_a_forecast_save_keeps_what_reads_no_monthly_figures_and_an_episode_change_does_not(
    client_for, finance
):
    built = []

    def build():
        built.append(1)
        return Episode.objects.count()

    assert cached(("episodes counted",), build, monthly=False) == cached(
        ("episodes counted",), build, monthly=False
    )
    assert len(built) == 1
    client = client_for(finance)
    response = client.post(URL, form_for(client, **{"CSC-STF-RA": ("1234567", "Agency")}))
    assert response.status_code == 302
    cached(("episodes counted",), build, monthly=False)
    assert len(built) == 1  # a forecast saved: still kept
    Episode.objects.filter(pk=Episode.objects.order_by("pk").first().pk).delete()
    cached(("episodes counted",), build, monthly=False)
    assert len(built) == 2  # an episode gone: computed again


def test_a_figure_said_to_read_no_monthly_figures_that_reads_one_is_never_kept(settings):
    def build():
        return Forecast.objects.count()

    with pytest.raises(AssertionError, match=r"read \['budgets_forecast'\]"):
        cached(("counted wrongly",), build, monthly=False)
    settings.CSC_STRICT_CACHE_READS = False  # as in production: shown, logged, not kept
    with CaptureQueriesContext(connection) as first:
        value = cached(("counted wrongly",), build, monthly=False)
    with CaptureQueriesContext(connection) as second:
        assert cached(("counted wrongly",), build, monthly=False) == value
    assert len(second) == len(first)  # counted again, not read from the cache


def test_figures_kept_under_other_settings_are_not_served(settings):
    built = []

    def build():
        built.append(1)
        return "figures"

    cached(("a threshold's figures",), build)
    cached(("a threshold's figures",), build)
    assert len(built) == 1
    settings.CSC_COMMENTARY_THRESHOLD = Decimal("1")
    cached(("a threshold's figures",), build)
    assert len(built) == 2
