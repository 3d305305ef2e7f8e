"""Without Chromium the browser tests are skipped, with the reason shown; in CI they fail."""

from pathlib import Path

import pytest

from tests.browser import conftest


def test_a_missing_chromium_skips_with_a_reason(monkeypatch):
    monkeypatch.setattr(conftest, "CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.delenv("CSC_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="is not installed"):
        conftest.require_chromium()


def test_a_missing_chromium_fails_when_ci_requires_the_browser(monkeypatch):
    monkeypatch.setattr(conftest, "CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.setenv("CSC_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="CSC_REQUIRE_BROWSER=1"):
        conftest.require_chromium()
