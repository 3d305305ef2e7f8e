"""A corpus of hostile values in every query parameter a page reads, and in every path argument:
no page answers with a server error, whoever asks (all six roles of the permission matrix).
The pages and their parameters come from the URL patterns (as in the permission matrix), so a
new page is covered as soon as it exists; a page reading a new parameter adds it to PARAMETERS.
POSTed forms: test_hostile_corpus_post.py; uploaded files: test_hostile_corpus_uploads.py."""

from urllib.parse import quote

import pytest
from django.test import Client

from tests.urls_util import SAMPLE_KWARGS, project_urls

pytestmark = pytest.mark.django_db

CORPUS = [
    "\x00",
    "x" * 10_000,
    "NaN",
    "Infinity",
    "1e400",
    str(10**15),
    "0001-01-01",
    "9999-12-31",
    "2018-02-30",
    "-1",
    "../../etc/passwd",
    "<script>",
]

PERIOD = ["year", "period"]
# The query parameters each page reads (grep request.GET); pages not named read none.
PARAMETERS = {
    "overview": PERIOD,
    "dashboard_movement": [*PERIOD, "scope"],
    "dashboard_areas": [*PERIOD, "scope"],
    "dashboard_lac": PERIOD,
    "dashboard_agency": PERIOD,
    "budgets:index": PERIOD,
    "budgets:service": PERIOD,
    "budgets:savings": PERIOD,
    "budgets:forecast": PERIOD,
    "budgets:line_history": PERIOD,
    "committee": [*PERIOD, "service", "directorate"],
    "committee_print": [*PERIOD, "service", "directorate"],
    "committee_pack": [*PERIOD, "service", "directorate"],
    "committee_table": [*PERIOD, "service", "directorate"],
    "placements:index": ["date", "day", "month", "year"],
    "placements:scenarios": ["date"],
    "workforce:index": ["date", "day", "month", "year"],
    "workforce:scenarios": ["date"],
}


def _path_variants(url: str) -> list[str]:
    """The URL with each sample path argument replaced by each corpus value."""
    variants = []
    for sample in SAMPLE_KWARGS.values():
        segment = f"/{sample}/"
        dotted = f"/{sample}."
        for value in CORPUS:
            encoded = quote(value, safe="")
            if segment in url:
                variants.append(url.replace(segment, f"/{encoded}/", 1))
            elif dotted in url:
                variants.append(url.replace(dotted, f"/{encoded}.", 1))
    return variants


QUERY_CASES = [
    (name, url, parameter) for name, url in project_urls() for parameter in PARAMETERS.get(name, [])
]
PATH_CASES = [(name, url) for name, url in project_urls() if _path_variants(url)]


@pytest.fixture
def clients(finance, other_finance, scrutiny, director, administrator):
    """All six roles of the permission matrix: anonymous, the service's finance officer,
    another service's, scrutiny, director, administrator."""
    signed_in = [Client(raise_request_exception=False)]
    for user in (finance, other_finance, scrutiny, director, administrator):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        signed_in.append(client)
    return signed_in


def _assert_no_server_error(clients, url: str, query: dict | None = None) -> None:
    for client in clients:
        response = client.get(url, query or {})
        assert response.status_code < 500, f"GET {url} {str(query)[:80]}"


@pytest.mark.parametrize(
    ("name", "url", "parameter"), QUERY_CASES, ids=[f"{n}-{p}" for n, _, p in QUERY_CASES]
)
def test_no_hostile_query_value_makes_a_server_error(clients, name, url, parameter):
    for value in CORPUS:
        _assert_no_server_error(clients, url, {parameter: value})


@pytest.mark.parametrize(("name", "url"), PATH_CASES, ids=[n for n, _ in PATH_CASES])
def test_no_hostile_path_argument_makes_a_server_error(clients, name, url):
    for variant in _path_variants(url):
        _assert_no_server_error(clients, variant)


def test_every_page_that_reads_a_parameter_is_in_the_corpus():
    names = {name for name, _ in project_urls()}
    assert set(PARAMETERS) <= names, "remove pages that no longer exist from PARAMETERS"
