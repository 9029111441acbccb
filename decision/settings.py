"""One settings module. Safe local defaults; production is configured through the environment.

The helpers below read the environment and fail loudly on a value they cannot use, so that a typo in
deployment stops the server at start-up instead of quietly running with a default.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_site_url(name: str) -> str:
    raw = os.environ.get(name, "").strip().rstrip("/")
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query or parts.fragment:
        raise ImproperlyConfigured(f"{name} must be a scheme and a host such as https://example.org, not {raw!r}")
    return raw


def env_networks(name: str, default: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    try:
        return [ipaddress.ip_network(item, strict=False) for item in env_list(name, default)]
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must list addresses or networks: {error}") from None


DEBUG = env_bool("DEBUG", False)
# Nothing here signs with the key: no sessions, no cookies, no CSRF tokens. Django still
# wants one, and its own deploy check (security.W009) says when the key in use is missing or weak.
SECRET_KEY = os.environ.get("SECRET_KEY") or "django-insecure-set-SECRET_KEY-in-production"

# The site's public address (https://example.org). Absolute links (a result's share link, its card, its decision
# record, link previews, the API's "url") are built from it, never from the Host a request names: a cache in
# front keeps a page for everyone, so a page must not say whatever address one request claimed. Unset, they
# follow the request, which is fine in development; the deploy check warns (decision.W001).
SITE_URL = env_site_url("SITE_URL")
SITE_HOST = urlsplit(SITE_URL).hostname or ""
if SITE_HOST:
    DEFAULT_HOSTS = [f"[{SITE_HOST}]" if ":" in SITE_HOST else SITE_HOST]
elif DEBUG:
    DEFAULT_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
else:
    DEFAULT_HOSTS = []
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", DEFAULT_HOSTS)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.staticfiles",
    "django_htmx",
    "decision.apps.DecisionConfig",
]

# The security headers come first, so that every response passes through them: the HTTPS and slash redirects,
# static files, our 405 pages and the 400 for a bad Host included (whitenoise's advice to sit at the top is
# about speed; the headers cost a few microseconds).
MIDDLEWARE = [
    # Compresses a page for a client that takes gzip: the proxy in front asks for every page so and keeps it so.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "decision.middleware.more_security_headers",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.common.CommonMiddleware",
    "decision.middleware.MethodNotAllowed",
    "decision.middleware.CrossOriginProtection",
    "django_htmx.middleware.HtmxMiddleware",
    "decision.middleware.DatabaseUnavailable",
]

ROOT_URLCONF = "decision.urls"
WSGI_APPLICATION = "decision.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "decision.templating.environment"},
    },
]

# SQLite by default, with WAL and immediate transactions so that concurrent writers wait instead of failing.
# The last pragma is a write: SQLite quietly opens a file it cannot write read-only, and such a connection
# would fail every write for as long as the worker kept it. Writing at connect time makes it fail at once, so
# the request answers 503 and the next one connects afresh; our engine (decision.sqlite) closes a connection
# whose set-up failed, which Django's leaves open to share SQLite's read-only state with the next one.
SQLITE_ENGINE = "decision.sqlite"
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA user_version=1;",
}
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["ENGINE"] = SQLITE_ENGINE
        DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
else:
    DATABASES = {
        "default": {
            "ENGINE": SQLITE_ENGINE,
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": SQLITE_OPTIONS,
            # Each worker keeps its connection rather than reopening the file and rerunning the pragmas.
            "CONN_MAX_AGE": None,
            "CONN_HEALTH_CHECKS": True,
            # Tests use Django's shared in-memory database, one per test process (said outright, because
            # pytest-xdist would otherwise take this engine for a server's and name a file per process).
            "TEST": {"NAME": ":memory:"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Request bodies: the wizard posts fifteen short values; the API a small JSON object; the import page a result's
# JSON file (about 20 KB, with its costs and shortlist). One limit for the whole body, the same number as
# client_max_body_size in deploy/nginx.conf (a test holds them equal), so that behind the proxy the app, not
# nginx, refuses first.
MAX_BODY_BYTES = env_int("MAX_BODY_BYTES", 64 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BODY_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = 100

# Security headers. Pages need nothing from another host: scripts and styles are our own files.
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "manifest-src": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Features no page uses, refused to the page and anything it could embed (decision.middleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)
# Forms sent from other sites are refused by decision.middleware.CrossOriginProtection (the browser's
# Sec-Fetch-Site and Origin headers), not by Django's token middleware, whose absence its deploy check notes.
CSRF_FAILURE_VIEW = "decision.views.csrf_failure"
SILENCED_SYSTEM_CHECKS = ["security.W003"]

HTTPS = env_bool("HTTPS", not DEBUG)
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
if env_bool("TRUST_PROXY_HEADERS", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Result pages, through cache_page (they never change): up to 500 per worker, 5 to 25 KB each. Rate limits are
# counted in the database (decision.ratelimit), not in a cache.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 500}},
}
# Results older than this many days are deleted by `manage.py delete_old_results` (run it daily); empty: kept
# for good. With a limit, result pages are cached for no longer than it.
RESULT_RETENTION_DAYS: int | None = env_int("RESULT_RETENTION_DAYS", 0) or None
# Whom to ask to delete a result (an email address or a web address), shown on the privacy page.
OPERATOR_CONTACT = os.environ.get("OPERATOR_CONTACT", "").strip()
if len(OPERATOR_CONTACT) > 200 or any(ch in OPERATOR_CONTACT for ch in '<>"\n'):
    raise ImproperlyConfigured("OPERATOR_CONTACT must be one email or web address of at most 200 characters")
if RESULT_RETENTION_DAYS is not None and RESULT_RETENTION_DAYS < 1:
    raise ImproperlyConfigured(f"RESULT_RETENTION_DAYS must be 1 or more, or empty, not {RESULT_RETENTION_DAYS}")
RATE_LIMIT_RESULTS = env_int("RATE_LIMIT_RESULTS", 30)  # results one address may create per window; 0 = off
RATE_LIMIT_WINDOW = env_int("RATE_LIMIT_WINDOW", 600)  # seconds
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0)  # proxies in front that append to X-Forwarded-For
# X-Forwarded-For is read only from these peers: anyone else reaching gunicorn directly could write any address.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES", ["127.0.0.1", "::1"])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"without_traceback": {"()": "decision.logs.without_traceback"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "one_line": {"class": "logging.StreamHandler", "filters": ["without_traceback"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # 4xx answers are the client's business and appear in the access log; only server errors are logged here.
        "django.request": {"level": "ERROR"},
        # A forged Host or an over-long query is answered 400; one line each, not a traceback per request.
        "django.security": {"handlers": ["one_line"], "propagate": False},
    },
}
