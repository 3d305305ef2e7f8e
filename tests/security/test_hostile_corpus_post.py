"""The hostile corpus in every field of every form that is POSTed, by all six roles: never a
server error, and no product row changes when the request is refused.

The forms are read from the pages themselves (every <form method="post"> a role that may see
the page is shown), so a new form joins as soon as it exists. Sampling, to keep the run to
seconds: fields are taken once per shape (`outturn_12` and `outturn_13` are one shape), each
shape with each hostile value is posted by the roles that may post the page; the roles that
may not get the whole form with every field set to each hostile value at once, and the product
tables' checksum must not move. File fields are left empty (uploads: test_hostile_corpus_uploads);
the admin's forms are Django's own (the forecast's goes through the service:
test_admin_through_services)."""

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client

from tests.security.test_permission_matrix import ACCESS, ROLES
from tests.urls_util import project_urls

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
]
REFUSED = {302, 400, 403, 404, 405}
SKIPPED_PAGES = {"admin:index", "logout"}


class Forms(HTMLParser):
    """The POST forms of a page: [(action, {field: default value})]."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._textarea = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._form = (attrs.get("action") or "", {})
            self.forms.append(self._form)
        if self._form is None or not attrs.get("name"):
            return
        name, fields = attrs["name"], self._form[1]
        if tag == "input" and attrs.get("type") not in {"file"}:
            if attrs.get("type") in {"checkbox", "radio"} and "checked" not in attrs:
                fields.setdefault(name, None)
                return
            fields[name] = attrs.get("value") or ""
        elif tag == "button":
            fields.setdefault(name, attrs.get("value") or "")
        elif tag == "select":
            fields[name] = None  # the first option, below
            self._select = name
        elif tag == "option" and getattr(self, "_select", None):
            if fields.get(self._select) is None or "selected" in attrs:
                fields[self._select] = attrs.get("value") or ""
        elif tag == "textarea":
            fields[name], self._textarea = "", name

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form[1][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def forms_of(html: str) -> list[tuple[str, dict]]:
    parser = Forms()
    parser.feed(html)
    return [
        (action, {k: v or "" for k, v in fields.items() if k != "csrfmiddlewaretoken"})
        for action, fields in parser.forms
    ]


def shapes(fields: dict) -> list[str]:
    """One field per shape: digits stand for any digits."""
    seen, picked = set(), []
    for name in fields:
        shape = re.sub(r"\d+", "#", name)
        if shape not in seen:
            seen.add(shape)
            picked.append(name)
    return picked


def product_checksum() -> list:
    tables = sorted(
        t
        for t in connection.introspection.table_names()
        if t.split("_")[0] in {"budgets", "placements", "workforce"} and t != "budgets_importrecord"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT '{t}', count(*), coalesce(sum(hashtext(x::text)), 0) FROM {t} x"  # noqa: S608
                for t in tables
            )
        )
        # UNION ALL has no order of its own (a parallel append returns tables as they finish).
        return sorted(cursor.fetchall())


# Pages that take a POST from someone (not only 405 for every signed-in role).
POST_PAGES = [
    (name, url)
    for name, url in project_urls()
    if name not in SKIPPED_PAGES and set(ACCESS[name]["POST"][1:]) != {405}
]


@pytest.fixture
def role_clients(finance, other_finance, scrutiny, director, administrator):
    users = {
        "anonymous": None,
        "finance_own": finance,
        "finance_other": other_finance,
        "scrutiny": scrutiny,
        "director": director,
        "administrator": administrator,
    }
    clients = {}
    for role, user in users.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        clients[role] = client
    return clients


def page_forms(name, url, clients) -> list[tuple[str, dict]]:
    """The page's forms as shown to each role that may see it (roles see different forms)."""
    found = []
    for role in ROLES:
        if ACCESS[name]["GET"][ROLES.index(role)] == 200:
            response = clients[role].get(url)
            if not response["Content-Type"].startswith("text/html"):
                continue
            for action, fields in forms_of(response.content.decode()):
                if fields and (action, sorted(fields)) not in [(a, sorted(f)) for a, f in found]:
                    found.append((action, fields))
    return found


def refused(name: str, role: str) -> bool:
    expected = ACCESS[name]["POST"][ROLES.index(role)]
    return expected in {403, 405} or (expected == 302 and role == "anonymous")


@pytest.mark.parametrize(("name", "url"), POST_PAGES, ids=[n for n, _ in POST_PAGES])
def test_no_hostile_form_value_makes_a_server_error_or_a_refused_change(role_clients, name, url):
    forms = page_forms(name, url, role_clients) or [("", {"year": "", "period": ""})]
    writers = [role for role in ROLES if not refused(name, role)]
    for action, fields in forms:
        target = action or url
        # The first role that may post: every field shape with every value.
        current = product_checksum()
        for field in shapes(fields) if writers else []:
            for value in CORPUS:
                response = role_clients[writers[0]].post(target, {**fields, field: value})
                where = f"{writers[0]} POST {target} {field}={value[:20]!r}"
                assert response.status_code < 500, where
                after = product_checksum()
                if response.status_code in {400, 403, 404}:
                    assert after == current, where
                current = after
        # Every other role: the whole form hostile, once per value.
        for role in ROLES[1:] if not writers else [r for r in ROLES if r != writers[0]]:
            before = product_checksum()
            for value in CORPUS:
                response = role_clients[role].post(target, dict.fromkeys(fields, value))
                assert response.status_code < 500, f"{role} POST {target} {value[:20]!r}"
                if refused(name, role):
                    assert response.status_code in REFUSED, f"{role} POST {target}"
            if refused(name, role):
                assert product_checksum() == before, f"{role} POST {target} changed rows"
