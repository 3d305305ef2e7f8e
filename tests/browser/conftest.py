"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

No browser is ever downloaded (`playwright install` is not used): the tests launch
/usr/bin/chromium. Where it is missing they are skipped with the reason shown, unless
CSC_REQUIRE_BROWSER=1 (set by .ci/run), which turns the skip into a failure.
"""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from budgets.access import Role
from budgets.models import DEFAULT_AREAS, AreaOfSpend

CHROMIUM = Path("/usr/bin/chromium")
DEMO_PASSWORD = "Lewisham-demo-2018"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is not installed (apt-get install chromium); browser tests not run"
    if os.environ.get("CSC_REQUIRE_BROWSER") == "1":
        pytest.fail(f"CSC_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    require_chromium()
    # Playwright's sync API keeps an event loop running in this thread, and Django refuses
    # database access from such a thread unless told it is safe, which it is here (one test at
    # a time). Set only once a browser is wanted, so `-m "not browser"` runs never carry it;
    # child processes drop it (tests/live_server_process.py), as `check --deploy` refuses it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    # Wide enough for the GOV.UK two-column layout, as on a committee member's laptop.
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def demo_server(live_server, settings):
    """The live server with the demo council. live_server tests run in a transactional
    database that is emptied after each test (roles and areas of spend included, which
    migrations created), so the demo is loaded again here."""
    require_chromium()
    # The live server speaks plain HTTP: cookies marked Secure would not be sent back.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    for name in Role.ALL:
        Group.objects.get_or_create(name=name)
    # The default areas of spend were created by a migration too (budgets 0011).
    for position, (code, name) in enumerate(DEFAULT_AREAS, start=1):
        AreaOfSpend.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    call_command("load_demo", force=True, verbosity=0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return live_server


@pytest.fixture
def sign_in(page, demo_server):
    """Sign in through the login form, as a person would."""

    def as_user(username: str):
        page.goto(f"{demo_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{demo_server.url}/")
        return page

    return as_user
