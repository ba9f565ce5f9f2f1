"""seatdash settings: every value comes from the environment, with safe demo defaults.

Each variable is documented in `.env.example`. With nothing set, seatdash runs as a demo: DEBUG on,
SQLite under `var/`, a local-memory cache and the built-in sandboxes. With `DEBUG=false` the sandboxes
are off and it refuses to start until `SECRET_KEY`, `ALLOWED_HOSTS` and Sequence's credentials are
given. A blank variable (`NAME=`, as in a copied `.env.example`) always means its default.

Over 300 lines because every variable is read here, once, beside its comment; `.env.example` mirrors
it.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.FileAwareEnv()
# A `.env` file beside manage.py is read if present; real environment variables win over it.
environ.Env.read_env(BASE_DIR / ".env")


def _require(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(
            f"{name} must be set when DEBUG is false (see .env.example for what it means)."
        )
    return value


def _setting(kind: str, name: str, default):
    """env.<kind>(name), but an empty value (`NAME=` as in .env.example) means the default.

    django-environ reads an empty boolean as false: a blank SECURE_SSL_REDIRECT= would quietly
    turn off the HTTPS redirect.
    """
    if not env.str(name, default="").strip():
        return default
    return getattr(env, kind)(name)


# Blank (`DEBUG=` as a copied .env.example may leave it) is the demo default, like every variable.
DEBUG = _setting("bool", "DEBUG", True)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _dev_secret_key() -> str:
    """A random key kept under var/, so a demo needs no configuration and no key is committed."""
    key_file = VAR_DIR / "dev-secret-key"
    if not key_file.exists():
        VAR_DIR.mkdir(exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="") or _dev_secret_key()
    ALLOWED_HOSTS = _setting(
        "list", "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"]
    )
else:
    SECRET_KEY = _require("SECRET_KEY")
    ALLOWED_HOSTS = [host.strip() for host in _require("ALLOWED_HOSTS").split(",") if host.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "seatdash",
    "seatdash.history",
    "seatdash.sandbox",
    "seatdash.sandbox_metronome",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Right after SecurityMiddleware: static files get the security headers, skip the rest.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the login check, so a session past its absolute lifetime is treated as anonymous.
    "seatdash.middleware.SessionLifetimeMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Django's LoginRequiredMiddleware, except htmx requests get HX-Redirect instead of a 302.
    "seatdash.middleware.HtmxLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "seatdash.urls"
WSGI_APPLICATION = "seatdash.wsgi.application"

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
                "seatdash.context_processors.navigation",
                "seatdash.auth.sso",
            ],
        },
    },
]

DATABASES = {
    "default": environ.Env.db_url_config(
        _setting("str", "DATABASE_URL", f"sqlite:///{VAR_DIR / 'seatdash.sqlite3'}")
    )
}
# Persistent connections save a TCP + auth round trip per request; the health check drops dead ones.
DATABASES["default"]["CONN_MAX_AGE"] = _setting("int", "CONN_MAX_AGE", 0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = _setting("bool", "CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # WAL lets the dashboard read while the sandbox loader writes, without "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# CACHE_URL wins; REDIS_URL is accepted as the name most platforms give a Redis add-on.
_cache_url = env.str("CACHE_URL", default="") or env.str("REDIS_URL", default="")
CACHES = {
    "default": environ.Env.cache_url_config(_cache_url)
    if _cache_url
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "seatdash"}
}
# Bumping CACHE_VERSION on deploy makes every cached upstream answer unreachable at once.
CACHES["default"]["VERSION"] = _setting("int", "CACHE_VERSION", 1)
CACHES["default"].setdefault("KEY_PREFIX", "seatdash")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "balances"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    # First, as django-axes requires: it refuses locked-out credentials before any check runs.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(_setting("str", "STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Fixed at start-up (tests flip DEBUG later): the demo serves static files without collectstatic.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG
if not DEBUG:
    # Hashed names let whitenoise serve static files with far-future cache headers (collectstatic).
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# --- HTTPS, cookies and headers (`manage.py check --deploy` passes with DEBUG=false) -------------
# Behind a TLS-terminating proxy, e.g. SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https. Only
# set it when the proxy always overwrites that header, or any client can claim to be on HTTPS.
_proxy_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
if _proxy_ssl_header:
    if len(_proxy_ssl_header) != 2:
        raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER must be 'HEADER,value'.")
    SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header[0], _proxy_ssl_header[1])
SECURE_SSL_REDIRECT = _setting("bool", "SECURE_SSL_REDIRECT", not DEBUG)
# Load-balancer probes often speak plain HTTP to the container; a redirect would read as "down".
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# HSTS is off in DEBUG: a browser would otherwise refuse plain http://localhost for a year.
SECURE_HSTS_SECONDS = _setting("int", "SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _setting("bool", "SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# The preload token only has an effect once the domain is submitted to the browsers' preload list.
SECURE_HSTS_PRELOAD = _setting("bool", "SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SECURE_COOKIES = _setting("bool", "SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
# The CSRF token reaches htmx through the page (hx-headers on <body>): no script reads the cookie.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if SECURE_COOKIES:
    # __Host-: the browser only accepts the cookie over HTTPS, for this exact host, path /.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# Needed when a proxy in front changes the origin the browser sees, e.g. https://seatdash.example.com
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Sessions ------------------------------------------------------------------------------------
# Idle timeout: the cookie's age restarts on every request, so a session dies after this much quiet.
SESSION_COOKIE_AGE = _setting("int", "SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
# Absolute lifetime from login, however active the session (seatdash.middleware enforces it).
SESSION_ABSOLUTE_AGE = _setting("int", "SESSION_ABSOLUTE_AGE", 12 * 60 * 60)

# --- Content Security Policy (django-csp 4) ------------------------------------------------------
# htmx runs with includeIndicatorStyles and allowEval off (templates/base.html), so neither
# 'unsafe-inline' nor 'unsafe-eval' is needed.
_csp_form_action = [csp_constants.SELF]

# --- Login throttling (django-axes) --------------------------------------------------------------
AXES_FAILURE_LIMIT = _setting("int", "AXES_FAILURE_LIMIT", 5)
# Username and IP together: behind the company proxy everyone shares an IP, and one person's typos
# (or an attacker's guesses) must not lock out the whole office.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=_setting("int", "AXES_COOLOFF_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "seatdash.auth.lockout_response"
# The client IP as seatdash.auth.client_ip reads it: the number of trusted proxies that append to
# X-Forwarded-For. 0 means REMOTE_ADDR is the client (no proxy, or one that hides it anyway).
TRUSTED_PROXY_COUNT = _setting("int", "TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "seatdash.auth.client_ip"
# Login failures are logged by axes with the username; the password never is.
AXES_VERBOSE = True

# --- Single sign-on (optional, OpenID Connect via mozilla-django-oidc) ---------------------------
# Enabled only when every endpoint and the client credentials are set.
_OIDC_REQUIRED = (
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
)
_oidc = {name: env.str(name, default="") for name in _OIDC_REQUIRED}
OIDC_ENABLED = all(_oidc.values())
if any(_oidc.values()) and not OIDC_ENABLED:
    _missing = ", ".join(name for name, value in _oidc.items() if not value)
    raise ImproperlyConfigured(f"Single sign-on is half configured: also set {_missing}.")
OIDC_RP_CLIENT_ID = _oidc["OIDC_RP_CLIENT_ID"]
OIDC_RP_CLIENT_SECRET = _oidc["OIDC_RP_CLIENT_SECRET"]
OIDC_OP_AUTHORIZATION_ENDPOINT = _oidc["OIDC_OP_AUTHORIZATION_ENDPOINT"]
OIDC_OP_TOKEN_ENDPOINT = _oidc["OIDC_OP_TOKEN_ENDPOINT"]
OIDC_OP_USER_ENDPOINT = _oidc["OIDC_OP_USER_ENDPOINT"]
OIDC_OP_JWKS_ENDPOINT = _oidc["OIDC_OP_JWKS_ENDPOINT"]
OIDC_RP_SIGN_ALGO = _setting("str", "OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = "openid email profile"
OIDC_PROVIDER_NAME = _setting("str", "OIDC_PROVIDER_NAME", "single sign-on")
OIDC_USERNAME_ALGO = "seatdash.auth.oidc_username"
# The provider's endpoints are called server-side during login; never without a timeout.
OIDC_TIMEOUT = _setting("float", "OIDC_TIMEOUT", 5.0)
OIDC_USE_PKCE = True
LOGIN_REDIRECT_URL_FAILURE = "login"
if OIDC_ENABLED:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.insert(1, "seatdash.auth.OIDCBackend")
    # The provider's origin, in case its sign-in page is reached through a form submission redirect.
    _csp_form_action.append(_origin(OIDC_OP_AUTHORIZATION_ENDPOINT))

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF],
        "style-src": [csp_constants.SELF],
        "img-src": [csp_constants.SELF, "data:"],
        "object-src": [csp_constants.NONE],
        "base-uri": [csp_constants.NONE],
        "frame-ancestors": [csp_constants.NONE],
        "form-action": _csp_form_action,
    }
}

# --- The built-in sandboxes ----------------------------------------------------------------------
# On (the DEBUG default): /sandbox/api/ and /sandbox/metronome/ are mounted, and a provider without
# credentials is served by its sandbox in-process. Off (the production default): neither URL
# exists, no in-process transport is built, and Sequence must be configured or start-up fails.
SANDBOX_ENABLED = _setting("bool", "SANDBOX_ENABLED", DEBUG)
# The sandbox logs each authenticated API request (tests and benchmarks count upstream calls);
# only the newest this many rows are kept.
SANDBOX_REQUEST_LOG_ROWS = _setting("int", "SANDBOX_REQUEST_LOG_ROWS", 100_000)

# --- Sequence ------------------------------------------------------------------------------------
# Empty SEQUENCE_API_URL means the built-in sandbox (SANDBOX_ENABLED only), reached in-process.
SEQUENCE_API_URL = env.str("SEQUENCE_API_URL", default="").rstrip("/")
SEQUENCE_API_VERSION = _setting("str", "SEQUENCE_API_VERSION", "2024-07-30")
_SEQUENCE_REQUIRED = ("SEQUENCE_API_URL", "SEQUENCE_CLIENT_ID", "SEQUENCE_CLIENT_SECRET")
if SEQUENCE_API_URL or not SANDBOX_ENABLED:
    SEQUENCE_CLIENT_ID = env.str("SEQUENCE_CLIENT_ID", default="")
    SEQUENCE_CLIENT_SECRET = env.str("SEQUENCE_CLIENT_SECRET", default="")
    _missing = [name for name in _SEQUENCE_REQUIRED if not env.str(name, default="").strip()]
    if _missing:
        _why = "SEQUENCE_API_URL is set" if SEQUENCE_API_URL else "SANDBOX_ENABLED is false"
        raise ImproperlyConfigured(
            f"Sequence is not configured: set {', '.join(_missing)} ({_why}, so there is no "
            "sandbox to fall back on; see .env.example)."
        )
else:
    SEQUENCE_CLIENT_ID = ""
    SEQUENCE_CLIENT_SECRET = ""

# Upstream time budget. httpx's read timeout is per chunk, so a separate deadline bounds each call
# (all attempts and backoff included): a person waiting on a page is never held past it.
UPSTREAM_CONNECT_TIMEOUT = _setting("float", "UPSTREAM_CONNECT_TIMEOUT", 2.0)
UPSTREAM_READ_TIMEOUT = _setting("float", "UPSTREAM_READ_TIMEOUT", 5.0)
UPSTREAM_CALL_DEADLINE = _setting("float", "UPSTREAM_CALL_DEADLINE", 8.0)
# A multi-page fetch has its own budget, beside each call's deadline: the balances snapshot (run in
# the background or by the worker) and one customer's event history (which a page waits for).
SNAPSHOT_FETCH_BUDGET = _setting("float", "SNAPSHOT_FETCH_BUDGET", 600.0)
HISTORY_FETCH_BUDGET = _setting("float", "HISTORY_FETCH_BUDGET", 60.0)

# --- Cache freshness -----------------------------------------------------------------------------
BALANCES_FRESH_SECONDS = _setting("int", "BALANCES_FRESH_SECONDS", 120)
EVENTS_FRESH_SECONDS = _setting("int", "EVENTS_FRESH_SECONDS", 60)
# Past this age, cached data is no longer shown, even when the upstream is down.
MAX_STALE_SECONDS = _setting("int", "MAX_STALE_SECONDS", 6 * 60 * 60)
# The "Refresh" control refetches at most once per this many seconds per view.
REFRESH_MIN_INTERVAL_SECONDS = _setting("int", "REFRESH_MIN_INTERVAL_SECONDS", 10)

# --- Seat history --------------------------------------------------------------------------------
# A sync renews its lease after every page; a crashed sync's lease lapses after this long.
HISTORY_SYNC_LEASE_SECONDS = env.int("HISTORY_SYNC_LEASE_SECONDS", default=300)
# "Sync now" on /history/ starts at most one sync per this many seconds.
HISTORY_SYNC_NOW_INTERVAL_SECONDS = env.int("HISTORY_SYNC_NOW_INTERVAL_SECONDS", default=60)

# --- Sandbox -------------------------------------------------------------------------------------
# Basic-auth credentials of the sandbox API. By default derived from SECRET_KEY, so none is
# committed; `manage.py sandbox_credentials` prints them for tools that call the sandbox over HTTP.
SANDBOX_CLIENT_ID = _setting("str", "SANDBOX_CLIENT_ID", "sandbox")
SANDBOX_CLIENT_SECRET = env.str("SANDBOX_CLIENT_SECRET", default="")
# Customers per page of the sandbox's GET /seat-balances (0: all in one page), so tests and
# benchmarks can see a paged upstream.
SANDBOX_BALANCES_PAGE_SIZE = _setting("int", "SANDBOX_BALANCES_PAGE_SIZE", 0)

# --- Worker (manage.py seatdash_worker) -------------------------------------------------------------
# Seconds between runs of its jobs in loop mode.
WORKER_INTERVAL_SECONDS = _setting("int", "WORKER_INTERVAL_SECONDS", 60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": _setting("str", "LOG_LEVEL", "INFO")},
    "loggers": {
        # httpx logs every request URL at INFO; at WARNING, query strings stay out of logs.
        # Django's own console handler would print each of its lines a second time.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        # urllib3 (under mozilla-django-oidc's requests) logs URLs at DEBUG, codes included.
        "urllib3": {"level": "WARNING"},
        # Export audit lines: always kept, whatever LOG_LEVEL says.
        "seatdash.audit": {"level": "INFO"},
    },
}

# --- Metronome -----------------------------------------------------------------------------------
# With no bearer token the Metronome pages run on the built-in Metronome sandbox when
# SANDBOX_ENABLED, and are switched off otherwise (their URLs say why);
# METRONOME_ENABLED=false removes them from the navigation altogether.
METRONOME_ENABLED = _setting("bool", "METRONOME_ENABLED", True)
METRONOME_API_URL = _setting("str", "METRONOME_API_URL", "https://api.metronome.com").rstrip("/")
METRONOME_BEARER_TOKEN = env.str("METRONOME_BEARER_TOKEN", default="")
METRONOME_DISABLED_REASON = "" if METRONOME_ENABLED else "METRONOME_ENABLED is false."
if METRONOME_ENABLED and not METRONOME_BEARER_TOKEN and not SANDBOX_ENABLED:
    METRONOME_ENABLED = False
    METRONOME_DISABLED_REASON = "METRONOME_BEARER_TOKEN is not set."
