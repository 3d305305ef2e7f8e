"""A missing SMTP server, Redis or OpenID Connect provider skips its tests with the reason on a
developer's machine, and fails them in CI (CSC_REQUIRE_SERVICES=1)."""

import pytest

from tests.estate.conftest import require


def test_a_missing_component_is_a_skip_with_the_reason(monkeypatch):
    monkeypatch.delenv("CSC_REQUIRE_SERVICES", raising=False)
    with pytest.raises(pytest.skip.Exception, match="redis-server is not installed"):
        require(False, "redis-server is not installed")


def test_in_ci_a_missing_component_is_a_failure(monkeypatch):
    monkeypatch.setenv("CSC_REQUIRE_SERVICES", "1")
    with pytest.raises(pytest.fail.Exception, match="CSC_REQUIRE_SERVICES=1 but redis-server"):
        require(False, "redis-server is not installed")
    require(True, "present: nothing happens")
