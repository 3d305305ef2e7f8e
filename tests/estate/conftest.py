"""The real components the estate tests run against, each started on loopback by a fixture:
an SMTP server (aiosmtpd), a Redis server (Debian's redis-server) and an OpenID Connect
provider (npm's oidc-provider, run by node). Where one is missing the tests that need it are
skipped with the reason, unless CSC_REQUIRE_SERVICES=1 (set by CI), which makes that a failure.
"""

import email
import email.policy
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.live_server_process import free_port

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def require(available: bool, reason: str) -> None:
    if available:
        return
    if os.environ.get("CSC_REQUIRE_SERVICES") == "1":
        pytest.fail(f"CSC_REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


# --- SMTP ---------------------------------------------------------------------------------------


class Inbox:
    """aiosmtpd handler: keeps every message it is given, parsed, with its envelope."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m["X-Envelope-To"].split(", ")]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback, and Django's SMTP backend pointed at it."""
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        Controller = None
    require(Controller is not None, "aiosmtpd is not installed (pip install -e '.[dev]')")
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "budget-monitor@council.test"
    yield inbox
    controller.stop()


# --- Redis --------------------------------------------------------------------------------------


class RedisServer:
    def __init__(self, folder: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        self.client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 20
        while True:
            try:
                self.client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.1)

    def chart_keys(self) -> list[bytes]:
        return sorted(self.client.scan_iter(match="*csc-chart:*"))

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    try:
        import redis  # noqa: F401
    except ImportError:
        require(False, "the redis client is not installed (pip install -e '.[dev]')")
    require(
        Path(REDIS_SERVER).exists(),
        f"{REDIS_SERVER} is not installed (apt-get install redis-server)",
    )
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


# --- OpenID Connect provider -------------------------------------------------------------------

OIDC_PACKAGE = ROOT / "node_modules" / "oidc-provider" / "package.json"


class Provider:
    """oidc-provider in a node process; accounts are the sign-in names it accepts."""

    client_id = "csc-budget-monitor"
    client_secret = "test-client-secret-" + "z" * 24

    def __init__(self, *, redirect_uri: str, accounts: dict):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        site = redirect_uri.split("/oidc/", 1)[0]
        config = {
            "port": self.port,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "redirect_uri": redirect_uri,
            "post_logout_redirect_uri": site + "/accounts/login/",
            "accounts": accounts,
        }
        self.process = subprocess.Popen(
            ["node", str(HERE / "oidc_provider.mjs")],
            cwd=ROOT,
            env={**os.environ, "CSC_TEST_OIDC": json.dumps(config)},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        ready, _, _ = select.select([self.process.stdout], [], [], 60)
        line = self.process.stdout.readline() if ready else ""  # "ready <issuer>"
        if not line.startswith("ready "):
            self.stop()
            raise RuntimeError("the OpenID Connect provider did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def start_provider(*, redirect_uri: str, accounts: dict) -> Provider:
    require(shutil.which("node") is not None, "node is not installed (apt-get install nodejs)")
    require(OIDC_PACKAGE.exists(), "npm's oidc-provider is not installed (npm ci)")
    return Provider(redirect_uri=redirect_uri, accounts=accounts)
