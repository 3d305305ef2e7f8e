"""With production settings, Django's deployment checklist passes with no warning."""

import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.live_server_process import ROOT, production_env


def test_check_deploy_passes_with_production_settings():
    with tempfile.TemporaryDirectory(prefix="csc-deploy-") as folder:
        env = production_env(Path(folder) / "pg", SECRET_KEY=secrets.token_urlsafe(50))
        env.pop("SECURE_SSL_REDIRECT")
        env.pop("SESSION_COOKIE_SECURE")
        env.pop("CSRF_COOKIE_SECURE")
        env["ALLOWED_HOSTS"] = "csc.example.gov.uk"
        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
