"""Settings for CSC Budget Monitor, read from the environment.

Production-safe by default: DEBUG is off, SECRET_KEY is required, ALLOWED_HOSTS is empty, cookies
are secure. See the README's "Production" section for every variable.
"""

import secrets
import sys
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from csc_dashboard.database import database_settings
from csc_dashboard.env import env_bool, env_int, env_json_object, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # A per-process random key, never a fixed fallback: sessions end when the server restarts.
    SECRET_KEY = secrets.token_urlsafe(50)
    print("SECRET_KEY is not set: using a random key for this DEBUG run.", file=sys.stderr)

# Key for pseudonymising SSDA903 child identifiers (HMAC-SHA256): never stored with the data.
CSC_CHILD_ID_SALT = env_str("CSC_CHILD_ID_SALT")
if not CSC_CHILD_ID_SALT:
    if not DEBUG:
        raise ImproperlyConfigured("CSC_CHILD_ID_SALT must be set when DEBUG is off.")
    CSC_CHILD_ID_SALT = "debug-only:" + SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "axes",
    "budgets",
    "placements",
    "workforce",
    "csc_dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before the session: the health check must answer JSON even when the database is down.
    "csc_dashboard.security.HealthCheckMiddleware",
    "csc_dashboard.security.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csc_dashboard.security.SecurityHeadersMiddleware",
    "csc_dashboard.security.NoStoreMiddleware",
    "csc_dashboard.security.AbsoluteSessionTimeoutMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "csc_dashboard.urls"
WSGI_APPLICATION = "csc_dashboard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csc_dashboard.context_processors.service_identity",
            ],
        },
    },
]

# --- Database: PostgreSQL always (DATABASE_URL, or an embedded server in CSC_PGDATA) ---
CSC_PGDATA = Path(env_str("CSC_PGDATA", default=str(BASE_DIR / ".pgdata")))
# "default": the site's role (reads and writes rows); "owner" (DATABASE_OWNER_URL, or the
# embedded server's owner role): owns the tables and runs `migrate`. See csc_dashboard/db_roles.py.
DATABASES = database_settings(
    database_url=env_str("DATABASE_URL"),
    owner_url=env_str("DATABASE_OWNER_URL"),
    pgdata=CSC_PGDATA,
    throwaway=env_bool("CSC_PGDATA_THROWAWAY", default=False),
)
# The role granted the site's privileges after each migrate: the one "default" signs in as,
# when an owner is configured (with one role for both, there is nothing to grant).
CSC_DB_APP_ROLE = DATABASES["default"]["USER"] if "owner" in DATABASES else ""
# Fail closed: with DEBUG off the site refuses a database connection as a superuser (a
# superuser can drop the triggers that lock closed periods and keep the audit append-only).
CSC_DB_ALLOW_SUPERUSER = env_bool("CSC_DB_ALLOW_SUPERUSER", default=False)
# A read replica for dashboard reads (see csc_dashboard/routers.py); tests mirror the primary.
if env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = database_settings(
        database_url=env_str("DATABASE_REPLICA_URL"), pgdata=CSC_PGDATA, throwaway=False
    )["default"]
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["csc_dashboard.routers.ReplicaRouter"]
# Data migrations run on the alias being migrated (the owner's): csc_dashboard/routers.py.
DATABASE_ROUTERS = ["csc_dashboard.routers.MigrationRouter", *globals().get("DATABASE_ROUTERS", [])]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ---
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "overview"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Idle timeout: the session lasts this long after it was last renewed. A request renews it
# when the last renewal is CSC_SESSION_RENEW_SECONDS old or more (csc_dashboard/security.py), so
# reading pages is not a database write each time; idle sessions end between the two.
SESSION_COOKIE_AGE = env_int("CSC_SESSION_IDLE_SECONDS", default=30 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = False
CSC_SESSION_RENEW_SECONDS = min(60, SESSION_COOKIE_AGE // 10)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Absolute timeout: signed out this long after signing in, however active.
CSC_SESSION_ABSOLUTE_SECONDS = env_int("CSC_SESSION_ABSOLUTE_SECONDS", default=10 * 60 * 60)
LOGIN_URL_PATH = "/accounts/login/"
# New users choose their own password through a one-time link (import_users prints it): the
# site's address as users reach it, and how many days a link stays valid (until it is used).
CSC_SITE_URL = env_url("CSC_SITE_URL", default="http://127.0.0.1:8000")
CSC_SET_PASSWORD_DAYS = env_int("CSC_SET_PASSWORD_DAYS", default=7, minimum=1)
PASSWORD_RESET_TIMEOUT = CSC_SET_PASSWORD_DAYS * 24 * 60 * 60

# --- Single sign-on (OpenID Connect, mozilla-django-oidc; csc_dashboard/sso.py) ---
# Fail closed: on only when the issuer, client id and secret are all set; a half configuration
# stops the service. The provider's endpoints are read from its discovery document at the first
# sign-in (not at start-up, so a provider that is down does not stop the site).
_oidc = {
    "CSC_OIDC_ISSUER": env_str("CSC_OIDC_ISSUER"),
    "CSC_OIDC_CLIENT_ID": env_str("CSC_OIDC_CLIENT_ID"),
    "CSC_OIDC_CLIENT_SECRET": env_str("CSC_OIDC_CLIENT_SECRET"),
}
CSC_OIDC_ENABLED = all(_oidc.values())
if any(_oidc.values()) and not CSC_OIDC_ENABLED:
    missing = ", ".join(name for name, value in _oidc.items() if not value)
    raise ImproperlyConfigured(f"Single sign-on is half configured: set {missing} too.")
CSC_OIDC_ISSUER = (_oidc["CSC_OIDC_ISSUER"] or "").rstrip("/")
if CSC_OIDC_ENABLED:
    env_url("CSC_OIDC_ISSUER", default="")  # refuses an issuer that is not an http(s) address
OIDC_RP_CLIENT_ID = _oidc["CSC_OIDC_CLIENT_ID"] or ""
OIDC_RP_CLIENT_SECRET = _oidc["CSC_OIDC_CLIENT_SECRET"] or ""
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = env_str("CSC_OIDC_SCOPES", default="openid email")
OIDC_USE_PKCE = True
# Kept in the session for the provider's sign-out (csc_dashboard/sso.py SignOut).
OIDC_STORE_ID_TOKEN = True
OIDC_TOKEN_USE_BASIC_AUTH = True
OIDC_TIMEOUT = env_int("CSC_OIDC_TIMEOUT_SECONDS", default=10, minimum=1)
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"
# The claim holding the user's groups, and which of its values give which role: a JSON object
# {"<group name or id in the claim>": "<role>"}, roles as in budgets/access.py. Roles are set
# from the claim at every sign-in; a user none of whose groups is mapped has no role (403 pages).
CSC_OIDC_GROUPS_CLAIM = env_str("CSC_OIDC_GROUPS_CLAIM", default="groups")
CSC_OIDC_GROUP_MAP = env_json_object("CSC_OIDC_GROUP_MAP", default={})
_roles = ("Finance officer", "Scrutiny member", "Director", "Administrator")  # budgets.access.Role
if unknown := sorted(set(CSC_OIDC_GROUP_MAP.values()) - set(_roles)):
    raise ImproperlyConfigured(
        f"CSC_OIDC_GROUP_MAP names roles that do not exist: {unknown}; use {list(_roles)}."
    )
# A signed-in email that matches no user is refused, unless this creates the account.
OIDC_CREATE_USER = env_bool("CSC_OIDC_CREATE_USERS", default=False)
# Local passwords (the sign-in form and the admin's) may be turned off only when SSO is on.
CSC_LOCAL_PASSWORDS = env_bool("CSC_LOCAL_PASSWORDS", default=True)
if not CSC_LOCAL_PASSWORDS and not CSC_OIDC_ENABLED:
    raise ImproperlyConfigured("CSC_LOCAL_PASSWORDS=false needs single sign-on configured.")

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    *(["csc_dashboard.sso.CouncilOIDCBackend"] if CSC_OIDC_ENABLED else []),
    *(["django.contrib.auth.backends.ModelBackend"] if CSC_LOCAL_PASSWORDS else []),
]
# Login protection (django-axes): lock a username, and separately an address, after repeated
# failures. Behind a reverse proxy set CSC_TRUSTED_PROXY_COUNT to the number of proxies.
AXES_FAILURE_LIMIT = env_int("CSC_LOGIN_FAILURE_LIMIT", default=5, minimum=1)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = env_int("CSC_LOGIN_COOLOFF_MINUTES", default=30, minimum=1) / 60
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "csc_dashboard.security.client_ip"
AXES_VERBOSE = False
CSC_TRUSTED_PROXY_COUNT = env_int("CSC_TRUSTED_PROXY_COUNT", default=0)

# --- Security headers and cookies (production-safe unless DEBUG) ---
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Internationalisation: English council, UK dates, pounds ---
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

# --- Static files: our CSS/JS, GOV.UK Frontend's compiled JS and plotly.min.js (no CDN) ---
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "csc_dashboard.staticfinders.VendorFileFinder",
]
CSC_NODE_MODULES = BASE_DIR / "node_modules"

DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"

# --- The product's own settings ---
CSC_SERVICE_NAME = "CSC Budget Monitor"
# The council this deployment serves (DfE old LA code). Unset: the first council created.
CSC_COUNCIL_LA_CODE = env_str("CSC_COUNCIL_LA_CODE", default="")
# Reporting thresholds, in pounds and percent of revised budget; Decimal, never float.
CSC_RAG_THRESHOLDS = {
    "line": {"amber_pct": Decimal("1"), "red_pct": Decimal("5"), "red_abs": Decimal("100000")},
    "service": {"amber_pct": Decimal("1"), "red_pct": Decimal("3"), "red_abs": Decimal("500000")},
    "directorate": {
        "amber_pct": Decimal("0.5"),
        "red_pct": Decimal("2"),
        "red_abs": Decimal("1000000"),
    },
}
# Uploads larger than this are refused before they are read (bytes; default 20 MB).
CSC_MAX_UPLOAD_BYTES = env_int("CSC_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024, minimum=1024)
# Files imported from the command line by an operator may be larger (default 2 GB).
CSC_MAX_COMMAND_IMPORT_BYTES = env_int(
    "CSC_MAX_COMMAND_IMPORT_BYTES", default=2 * 1024**3, minimum=1024
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Limits on the work one imported file may cause, whatever its size in bytes (a 300 KB
# workbook can unpack to gigabytes): rows per file (uploads; the command line has its own),
# columns per row, characters per cell (32,767 is Excel's own limit), and for XLSX the bytes it
# may unpack to and how far any part may be compressed (real workbooks: 5 to 30 to 1).
CSC_IMPORT_MAX_ROWS = env_int("CSC_IMPORT_MAX_ROWS", default=200_000, minimum=1)
CSC_COMMAND_IMPORT_MAX_ROWS = env_int("CSC_COMMAND_IMPORT_MAX_ROWS", default=5_000_000, minimum=1)
CSC_IMPORT_MAX_COLUMNS = env_int("CSC_IMPORT_MAX_COLUMNS", default=200, minimum=1)
CSC_IMPORT_MAX_CELL_CHARS = env_int("CSC_IMPORT_MAX_CELL_CHARS", default=32_767, minimum=1)
CSC_XLSX_MAX_INFLATED_BYTES = env_int(
    "CSC_XLSX_MAX_INFLATED_BYTES", default=256 * 1024 * 1024, minimum=1024 * 1024
)
CSC_XLSX_MAX_COMPRESSION_RATIO = env_int("CSC_XLSX_MAX_COMPRESSION_RATIO", default=200, minimum=10)
# Row errors listed on the page, on the command line and in the import log; the rest counted.
CSC_IMPORT_LISTED_ERRORS = env_int("CSC_IMPORT_LISTED_ERRORS", default=100, minimum=1)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Figures shown beside the officer's forecast: dotted paths of callables
# (period, lines) -> {line id: Decimal}, each with a `label` (budgets never imports the apps).
CSC_FORECAST_COMPARISONS: list[str] = [
    "placements.selectors.commitment_forecast",
    "placements.demand_comparison.demand_forecast",
    "workforce.selectors.establishment_forecast",
]

# The agency ratio the council aims for (%, default 11%: about the lowest London councils reach).
CSC_AGENCY_TARGET = Decimal(env_str("CSC_AGENCY_TARGET", default="11"))

# Dashboard figures are cached keyed on the data version (budgets/cache.py): a write anywhere
# makes them be computed again. Entries also expire after this many seconds; 0 turns it off.
# With REDIS_URL every app server shares one cache (Django's Redis backend); without it each
# process keeps its own (LocMemCache) and computes its own copy once per change.
CSC_CHART_CACHE_SECONDS = env_int("CSC_CHART_CACHE_SECONDS", default=600, minimum=0)
# A figure cached as reading none of the month's finance figures that reads one anyway is not
# kept and is logged; the tests turn that into an error.
CSC_STRICT_CACHE_READS = False
# Memory PostgreSQL may use for each sort or hash of an import's transaction (work_mem): a
# million-row file sorted in memory, not on disk. Lower it on a small database server.
CSC_IMPORT_WORK_MEM_MB = env_int(
    "CSC_IMPORT_WORK_MEM_MB", default=256, minimum=4, maximum=2 * 1024 * 1024 - 1
)
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r} is not a redis:// address.")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Keys name the council and the database's sequence, but a Redis shared by two
            # deployments (test and live) keeps them apart with a prefix of their own.
            "KEY_PREFIX": env_str("CSC_CACHE_KEY_PREFIX", default="csc"),
            # A Redis that is down must not hang pages: budgets/cache.py then computes.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }

# --- Email (budgets/notifications.py): Django's SMTP backend when EMAIL_HOST is set ---
EMAIL_HOST = env_str("EMAIL_HOST", default="")
EMAIL_PORT = env_int("EMAIL_PORT", default=587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=bool(EMAIL_HOST))
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set one of EMAIL_USE_TLS and EMAIL_USE_SSL, not both.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT_SECONDS", default=10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="csc-budget-monitor@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Without EMAIL_HOST: printed to the console in DEBUG; in production nothing is sent and each
# message is logged as not sent (fail closed: never Django's default relay on localhost:25).
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "budgets.notifications.NotConfiguredEmailBackend"

# A forecast that moves by more than this since last period needs a commentary line.
CSC_COMMENTARY_THRESHOLD = Decimal(env_str("CSC_COMMENTARY_THRESHOLD", default="50000"))

# How long records about people's actions are kept, in days (see README, "Data protection").
# Financial records: six years after the year they relate to, plus the current one (the usual
# local-authority retention for accounting records). Sign-in attempts: 90 days.
CSC_RETENTION = {
    "budgets.ImportRecord": ("started_at", env_int("CSC_RETAIN_IMPORTS_DAYS", default=7 * 365)),
    "budgets.AuditEntry": ("at", env_int("CSC_RETAIN_AUDIT_DAYS", default=7 * 365)),
    "axes.AccessAttempt": ("attempt_time", env_int("CSC_RETAIN_LOGINS_DAYS", default=90)),
    "axes.AccessLog": ("attempt_time", env_int("CSC_RETAIN_LOGINS_DAYS", default=90)),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="WARNING")},
}
