"""Settings for the test suite: the real settings, on a throwaway embedded PostgreSQL.

Each test run gets its own data folder (deleted when the run ends), so `make test` needs no
PostgreSQL installed and never touches the demo database in `.pgdata/`.
"""

import os
import secrets
import tempfile

if not os.environ.get("DATABASE_URL"):
    os.environ["CSC_PGDATA"] = tempfile.mkdtemp(prefix="csc-test-")
    os.environ["CSC_PGDATA_THROWAWAY"] = "true"
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("CSC_CHILD_ID_SALT", secrets.token_urlsafe(32))
os.environ["DEBUG"] = "false"
# Single sign-on, email and Redis are off unless a test turns them on against its own server:
# a developer's own settings for them must not leak into the suite.
for _name in list(os.environ):
    if _name.startswith(("CSC_OIDC_", "EMAIL_")) or _name in {
        "REDIS_URL",
        "CSC_LOCAL_PASSWORDS",
        "DEFAULT_FROM_EMAIL",
    }:
        del os.environ[_name]
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from csc_dashboard.settings import *  # noqa: E402,F403

# Fast hashing keeps the suite quick; production keeps Django's default (PBKDF2).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The test database is created and migrated by the owner role, as in production. pytest-django
# creates it through "default", so "default" signs in as the owner until the session fixture in
# tests/conftest.py has set the database up; from then on, for every test, it signs in as the
# site's role (CSC_TEST_APP_LOGIN), so the tests run with the site's privileges only.
if "owner" in DATABASES:  # noqa: F405
    CSC_TEST_APP_LOGIN = {k: DATABASES["default"].get(k, "") for k in ("USER", "PASSWORD")}  # noqa: F405
    DATABASES["default"].update(  # noqa: F405
        {k: DATABASES["owner"].get(k, "") for k in ("USER", "PASSWORD")}  # noqa: F405
    )
    DATABASES["owner"]["TEST"] = {"MIRROR": "default"}  # noqa: F405

# A figure cached with monthly=False that reads the month's finance figures fails the test.
CSC_STRICT_CACHE_READS = True
