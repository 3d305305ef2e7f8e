"""Every URL of the project, for every role, for GET and POST (with CSRF checks enforced): the
expected answer, and never a server error. A new page fails here until its access is decided
in ACCESS below."""

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from tests.urls_util import project_urls

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "finance_own", "finance_other", "scrutiny", "director", "administrator"]

# Shorthands: (anonymous, finance on CSC, finance on another service, scrutiny, director, admin).
READ_ALL = (302, 200, 200, 200, 200, 200)
GET_ONLY = (302, 405, 405, 405, 405, 405)
CSC_PAGE = (302, 200, 404, 200, 200, 200)
# Moved to the topic's own page: a permanent redirect for every role (anonymous: to sign in).
MOVED = (302, 301, 301, 301, 301, 301)
# Finance officers load their own services' data; administrators the whole council's.
LOADERS = (302, 200, 200, 403, 403, 200)

ACCESS = {
    # name: {"GET": expected per role, "POST": expected per role}
    "overview": {"GET": READ_ALL, "POST": GET_ONLY},
    "dashboard_movement": {"GET": READ_ALL, "POST": GET_ONLY},
    "dashboard_areas": {"GET": READ_ALL, "POST": GET_ONLY},
    "dashboard_lac": {"GET": MOVED, "POST": GET_ONLY},
    "dashboard_agency": {"GET": MOVED, "POST": GET_ONLY},
    "dashboard_demand": {"GET": READ_ALL, "POST": GET_ONLY},
    "healthz": {"GET": (200,) * 6, "POST": (405,) * 6},
    "signed_in": {"GET": READ_ALL, "POST": GET_ONLY},
    "login": {"GET": (200, 302, 302, 302, 302, 302), "POST": (200, 302, 302, 302, 302, 302)},
    "logout": {"GET": (302, 405, 405, 405, 405, 405), "POST": (302,) * 6},
    "budgets:index": {"GET": READ_ALL, "POST": GET_ONLY},
    "budgets:periods": {
        "GET": (302, 403, 403, 403, 403, 200),
        "POST": (302, 403, 403, 403, 403, 404),
    },
    "budgets:month_end": {
        "GET": (302, 403, 403, 403, 200, 200),
        "POST": (302, 403, 403, 403, 405, 405),
    },
    "budgets:setup": {
        "GET": (302, 403, 403, 403, 403, 200),
        "POST": (302, 403, 403, 403, 403, 400),
    },
    "set_password": {"GET": (200,) * 6, "POST": (200,) * 6},
    "set_password_done": {"GET": (200,) * 6, "POST": (405,) * 6},
    # Single sign-on (csc_dashboard/sso.py): not found unless configured, and it is not here.
    "oidc_start": {"GET": (404,) * 6, "POST": (404,) * 6},
    "oidc_authentication_callback": {"GET": (404,) * 6, "POST": (404,) * 6},
    # Finance officers load their own services' extracts, administrators the whole council's.
    "budgets:upload_actuals": {
        "GET": (302, 200, 200, 403, 403, 200),
        "POST": (302, 200, 200, 403, 403, 200),
    },
    "budgets:line_history": {"GET": CSC_PAGE, "POST": GET_ONLY},
    "budgets:line_actuals": {"GET": CSC_PAGE, "POST": GET_ONLY},
    "budgets:service": {"GET": CSC_PAGE, "POST": GET_ONLY},
    "budgets:savings": {"GET": CSC_PAGE, "POST": GET_ONLY},
    "budgets:forecast": {"GET": CSC_PAGE, "POST": (302, 302, 404, 403, 403, 403)},
    "budgets:copy_forward": {
        "GET": (302, 405, 405, 403, 403, 403),
        "POST": (302, 302, 404, 403, 403, 403),
    },
    "budgets:sign_off": {
        "GET": (302, 405, 405, 403, 405, 403),
        "POST": (302, 302, 404, 403, 403, 403),
    },
    "placements:index": {"GET": READ_ALL, "POST": GET_ONLY},
    "placements:upload": {"GET": LOADERS, "POST": LOADERS},
    "placements:scenarios": {"GET": READ_ALL, "POST": (302, 400, 400, 403, 400, 403)},
    "workforce:index": {"GET": READ_ALL, "POST": GET_ONLY},
    "workforce:upload": {"GET": LOADERS, "POST": LOADERS},
    "workforce:scenarios": {"GET": READ_ALL, "POST": (302, 400, 400, 403, 400, 403)},
    "committee": {"GET": READ_ALL, "POST": GET_ONLY},
    "committee_print": {"GET": READ_ALL, "POST": GET_ONLY},
    "committee_pack": {"GET": (302, 200, 200, 403, 200, 200), "POST": GET_ONLY},
    "committee_table": {"GET": (302, 200, 200, 403, 200, 200), "POST": GET_ONLY},
    "committee_pack_docx": {"GET": (302, 200, 200, 403, 200, 200), "POST": GET_ONLY},
    "committee_pack_pdf": {"GET": READ_ALL, "POST": GET_ONLY},  # the report as read, for all
    "committee_pack_settings": {
        "GET": (302, 403, 403, 403, 403, 200),
        "POST": (302, 403, 403, 403, 403, 400),
    },
    "admin:index": {"GET": (302, 302, 302, 302, 302, 200), "POST": (302, 302, 302, 302, 302, 200)},
}


def test_every_url_pattern_is_classified():
    names = {name for name, _ in project_urls()}
    assert names - set(ACCESS) == set(), "classify the new pages in ACCESS"
    assert set(ACCESS) - names == set(), "remove pages that no longer exist from ACCESS"


@pytest.fixture
def users(finance, other_finance, scrutiny, director, administrator):
    return {
        "anonymous": None,
        "finance_own": finance,
        "finance_other": other_finance,
        "scrutiny": scrutiny,
        "director": director,
        "administrator": administrator,
    }


CASES = [
    (name, url, method, role)
    for name, url in project_urls()
    for method in ("GET", "POST")
    for role in ROLES
]


@pytest.mark.parametrize(
    ("name", "url", "method", "role"), CASES, ids=[f"{n}-{m}-{r}" for n, _, m, r in CASES]
)
def test_each_role_gets_the_expected_answer(users, name, url, method, role):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if users[role] is not None:
        client.force_login(users[role])
    if method == "GET":
        response = client.get(url)
    else:
        token = _get_new_csrf_string()
        client.cookies["csrftoken"] = token
        response = client.post(
            url, {"csrfmiddlewaretoken": token, "year": "2018/19", "period": "6"}
        )
    expected = ACCESS[name][method][ROLES.index(role)]
    assert response.status_code == expected, f"{method} {url} as {role}"
    if response.status_code == 302 and role == "anonymous" and name not in {"logout"}:
        assert "login" in response["Location"]


@pytest.mark.parametrize(
    "url",
    [
        "/budgets/CYP/CSC/forecast/",
        "/placements/scenarios/",
        "/workforce/upload/",
        "/accounts/logout/",
    ],
)
def test_a_post_without_a_csrf_token_is_refused(finance, url):
    client = Client(enforce_csrf_checks=True)
    client.force_login(finance)
    assert client.post(url, {"year": "2018/19", "period": "6"}).status_code == 403
