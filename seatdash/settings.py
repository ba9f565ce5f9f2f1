"""seatdash settings: every value comes from the environment, with safe demo defaults.

Each variable is documented in `.env.example`. With nothing set, seatdash runs as a demo: DEBUG on,
SQLite under `var/`, a local-memory cache and the built-in Sequence sandbox. With `DEBUG=false` it
refuses to start until `SECRET_KEY` and `ALLOWED_HOSTS` are given.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.FileAwareEnv()
# A `.env` file beside manage.py is read if present; real environment variables win over it.
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)


def _require(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(
            f"{name} must be set when DEBUG is false (see .env.example for what it means)."
        )
    return value


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
    ALLOWED_HOSTS = env.list(
        "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"]
    )
else:
    SECRET_KEY = _require("SECRET_KEY")
    ALLOWED_HOSTS = [host for host in _require("ALLOWED_HOSTS").split(",") if host.strip()]

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
    "seatdash",
    "seatdash.sandbox",
    "seatdash.sandbox_metronome",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
                "seatdash.context_processors.providers",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'seatdash.sqlite3'}")}
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
CACHES["default"]["VERSION"] = env.int("CACHE_VERSION", default=1)
CACHES["default"].setdefault("KEY_PREFIX", "seatdash")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "balances"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")

# --- Sequence ------------------------------------------------------------------------------------
# Empty SEQUENCE_API_URL means the built-in sandbox, reached in-process through an httpx transport.
SEQUENCE_API_URL = env.str("SEQUENCE_API_URL", default="").rstrip("/")
SEQUENCE_API_VERSION = env.str("SEQUENCE_API_VERSION", default="2024-07-30")
if SEQUENCE_API_URL:
    SEQUENCE_CLIENT_ID = env.str("SEQUENCE_CLIENT_ID", default="")
    SEQUENCE_CLIENT_SECRET = env.str("SEQUENCE_CLIENT_SECRET", default="")
    for _name in ("SEQUENCE_CLIENT_ID", "SEQUENCE_CLIENT_SECRET"):
        if not globals()[_name]:
            raise ImproperlyConfigured(f"{_name} must be set when SEQUENCE_API_URL is set.")
else:
    SEQUENCE_CLIENT_ID = ""
    SEQUENCE_CLIENT_SECRET = ""

# Upstream time budget. httpx's read timeout is per chunk, so a separate deadline bounds each call
# (all attempts and backoff included): a person waiting on a page is never held past it.
UPSTREAM_CONNECT_TIMEOUT = env.float("UPSTREAM_CONNECT_TIMEOUT", default=2.0)
UPSTREAM_READ_TIMEOUT = env.float("UPSTREAM_READ_TIMEOUT", default=5.0)
UPSTREAM_CALL_DEADLINE = env.float("UPSTREAM_CALL_DEADLINE", default=8.0)

# --- Cache freshness -----------------------------------------------------------------------------
BALANCES_FRESH_SECONDS = env.int("BALANCES_FRESH_SECONDS", default=120)
EVENTS_FRESH_SECONDS = env.int("EVENTS_FRESH_SECONDS", default=60)
# Past this age, cached data is no longer shown, even when the upstream is down.
MAX_STALE_SECONDS = env.int("MAX_STALE_SECONDS", default=6 * 60 * 60)
# The "Refresh" control refetches at most once per this many seconds per view.
REFRESH_MIN_INTERVAL_SECONDS = env.int("REFRESH_MIN_INTERVAL_SECONDS", default=10)

# --- Sandbox -------------------------------------------------------------------------------------
# Basic-auth credentials of the sandbox API. By default derived from SECRET_KEY, so none is committed;
# `manage.py sandbox_credentials` prints them for tools that call the sandbox over HTTP.
SANDBOX_CLIENT_ID = env.str("SANDBOX_CLIENT_ID", default="sandbox")
SANDBOX_CLIENT_SECRET = env.str("SANDBOX_CLIENT_SECRET", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # httpx logs every request URL at INFO; keep it at WARNING so query strings stay out of logs.
        # Django's own console handler would print each of its lines a second time.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}

# --- Metronome -----------------------------------------------------------------------------------
# With no bearer token the Metronome pages run on the built-in Metronome sandbox;
# METRONOME_ENABLED=false removes them from the navigation altogether.
METRONOME_ENABLED = env.bool("METRONOME_ENABLED", default=True)
METRONOME_API_URL = env.str("METRONOME_API_URL", default="https://api.metronome.com").rstrip("/")
METRONOME_BEARER_TOKEN = env.str("METRONOME_BEARER_TOKEN", default="")
