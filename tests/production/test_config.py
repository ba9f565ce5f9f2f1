"""Production configuration: deploy checks, refusal of unsafe settings, PostgreSQL + Redis."""

from __future__ import annotations

import json
import re
import secrets

import httpx
import pytest

from tests.security.support import (
    REPO,
    manage,
    production_env,
    python,
    reachable,
    running_gunicorn,
)

pytestmark = pytest.mark.production

POSTGRES = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)


def test_check_deploy_production_env_passes_at_warning_level(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_ssl_redirect_disabled_fails(tmp_path):
    env = production_env(tmp_path, SECURE_SSL_REDIRECT="false")

    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_settings_debug_off_without_required_variable_refuse_to_load(tmp_path, missing):
    env = production_env(tmp_path)
    del env[missing]

    result = manage(env, "check")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{missing} must be set" in result.stderr


@pytest.mark.parametrize(
    "missing",
    [
        ("SEQUENCE_API_URL", "SEQUENCE_CLIENT_ID", "SEQUENCE_CLIENT_SECRET"),
        ("SEQUENCE_CLIENT_SECRET",),
    ],
)
def test_settings_sandbox_disabled_without_sequence_credentials_refuse_to_load(tmp_path, missing):
    env = production_env(tmp_path, **dict.fromkeys(missing, ""))
    secret = env["SEQUENCE_CLIENT_SECRET"]

    result = manage(env, "check")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Sequence is not configured" in result.stderr
    for name in missing:
        assert name in result.stderr
    if secret:
        assert secret not in result.stderr


def test_settings_sandbox_enabled_in_production_runs_without_sequence_credentials(tmp_path):
    env = production_env(
        tmp_path,
        SANDBOX_ENABLED="true",
        SEQUENCE_API_URL=None,
        SEQUENCE_CLIENT_ID=None,
        SEQUENCE_CLIENT_SECRET=None,
    )

    result = python(env, SHOW_SETTINGS)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["SANDBOX_ENABLED"] is True


# Every setting as JSON; reprs lose their memory addresses, which differ between processes.
SHOW_SETTINGS = (
    "import django, json, re; django.setup(); from django.conf import settings as s;"
    "print(json.dumps({n: getattr(s, n) for n in dir(s) if n.isupper()},"
    " default=lambda o: re.sub(' at 0x[0-9a-f]+', '', repr(o))))"
)


def test_settings_sandbox_defaults_follow_debug_and_metronome_without_token_is_off(tmp_path):
    production = json.loads(python(production_env(tmp_path), SHOW_SETTINGS).stdout)
    demo = json.loads(python(clean_env(tmp_path), SHOW_SETTINGS).stdout)

    assert production["SANDBOX_ENABLED"] is False
    assert production["METRONOME_ENABLED"] is False
    assert "METRONOME_BEARER_TOKEN" in production["METRONOME_DISABLED_REASON"]
    assert demo["SANDBOX_ENABLED"] is True
    assert demo["METRONOME_ENABLED"] is True
    assert demo["METRONOME_DISABLED_REASON"] == ""


def test_settings_production_with_metronome_token_keeps_metronome(tmp_path):
    env = production_env(tmp_path, METRONOME_BEARER_TOKEN="a-real-token")

    production = json.loads(python(env, SHOW_SETTINGS).stdout)

    assert production["METRONOME_ENABLED"] is True


def clean_env(tmp_path, **overrides: str) -> dict[str, str]:
    """No DEBUG, no secrets, no Sequence: only what a newcomer's shell has."""
    env = production_env(tmp_path, **overrides)
    for name in (
        "DEBUG",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "STATIC_ROOT",
        "SEQUENCE_API_URL",
        "SEQUENCE_CLIENT_ID",
        "SEQUENCE_CLIENT_SECRET",
    ):
        if name not in overrides:
            env.pop(name, None)
    return env


def env_example_lines() -> dict[str, str]:
    """Every `NAME=value` line of .env.example exactly as written (commented ones left out)."""
    lines = (REPO / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if re.match(r"^[A-Z][A-Z0-9_]*=", line))


def test_env_example_as_given_loads_the_same_settings_as_an_empty_environment(tmp_path):
    """`cp .env.example .env` must mean the defaults: a blank line is never a different value."""
    example = env_example_lines()
    assert {"DATABASE_URL", "STATIC_ROOT", "DEBUG", "SANDBOX_ENABLED"} <= example.keys()

    given = python(clean_env(tmp_path, **example), SHOW_SETTINGS)
    empty = python(clean_env(tmp_path), SHOW_SETTINGS)

    assert given.returncode == 0, given.stderr
    loaded, defaults = json.loads(given.stdout), json.loads(empty.stdout)
    assert loaded["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert loaded["STATIC_ROOT"].endswith("staticfiles')")
    differing = {name for name in defaults if loaded.get(name) != defaults[name]}
    assert differing == set()


def test_env_example_as_given_passes_check_and_migrates(tmp_path):
    example = env_example_lines()
    checked = manage(clean_env(tmp_path, **example), "check")
    # The demo database itself (var/) is not the test's to migrate: a file of its own.
    example["DATABASE_URL"] = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    migrated = manage(clean_env(tmp_path, **example), "migrate", "--no-input")

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr


def test_env_example_as_given_for_production_passes_deploy_check(tmp_path):
    """Every line as given, then only what production must set: the rest stays blank."""
    required = {
        name: production_env(tmp_path)[name]
        for name in (
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "SEQUENCE_API_URL",
            "SEQUENCE_CLIENT_ID",
            "SEQUENCE_CLIENT_SECRET",
        )
    }
    env = clean_env(tmp_path, **{**env_example_lines(), "DEBUG": "false", **required})

    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr


def test_settings_half_configured_sso_refuses_to_load_naming_missing(tmp_path):
    env = production_env(
        tmp_path,
        OIDC_RP_CLIENT_ID="seatdash",
        OIDC_RP_CLIENT_SECRET="client-secret",
    )

    result = manage(env, "check")

    assert result.returncode != 0
    assert "OIDC_OP_TOKEN_ENDPOINT" in result.stderr
    assert "client-secret" not in result.stderr


# Module-scoped: one database, one collectstatic and one gunicorn serve all the tests below.
@pytest.fixture(scope="module")
def redis_url():
    if not reachable(*REDIS):
        pytest.skip("Redis is not listening on 127.0.0.1:6379")
    return "redis://127.0.0.1:6379/15"


@pytest.fixture(scope="module")
def production_stack(tmp_path_factory, fresh_postgres_url, redis_url):
    """Migrated database, collected static files and the environment gunicorn will get."""
    env = production_env(
        tmp_path_factory.mktemp("production"),
        DATABASE_URL=fresh_postgres_url,
        CACHE_URL=redis_url,
        # A fresh cache namespace per run, as a deploy's CACHE_VERSION bump would give.
        CACHE_VERSION=str(secrets.randbelow(10**9)),
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
    )
    for command in (["migrate", "--no-input"], ["collectstatic", "--no-input"]):
        result = manage(env, *command)
        assert result.returncode == 0, result.stdout + result.stderr
    return env


def test_production_config_migrates_and_passes_deploy_check_on_postgres_and_redis(
    production_stack,
):
    result = manage(production_stack, "check", "--deploy", "--database", "default")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.fixture(scope="module")
def gunicorn(production_stack):
    with running_gunicorn(production_stack, GUNICORN_WORKERS="2") as base:
        yield base


def test_gunicorn_serves_healthz_over_plain_http_with_everything_ok(gunicorn):
    response = httpx.get(f"{gunicorn}/healthz", timeout=10)

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "providers": {
            "sequence": {
                "state": "unknown",
                "last_success": None,
                "last_failure": None,
                "breaker_open": False,
            },
            # No METRONOME_BEARER_TOKEN and no sandbox in production: switched off, not failing.
            "metronome": {"state": "disabled"},
        },
    }


@pytest.mark.parametrize("path", ["/sandbox/api/seat-balances", "/sandbox/metronome/v1/customers"])
def test_gunicorn_sandbox_disabled_its_urls_are_not_mounted(gunicorn, path):
    response = httpx.get(f"{gunicorn}{path}", headers={"X-Forwarded-Proto": "https"}, timeout=10)

    assert response.status_code == 404
    assert "sandbox" not in response.headers.get("Content-Type", "")


def test_gunicorn_plain_http_page_redirects_to_https(gunicorn):
    response = httpx.get(f"{gunicorn}/accounts/login/", timeout=10)

    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")


def test_gunicorn_https_behind_proxy_sends_hsts_csp_and_host_cookies(gunicorn):
    response = httpx.get(
        f"{gunicorn}/accounts/login/", headers={"X-Forwarded-Proto": "https"}, timeout=10
    )

    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    assert "includeSubDomains" in response.headers["Strict-Transport-Security"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-csrftoken=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie
    assert "Domain=" not in cookie


def test_gunicorn_whitenoise_serves_hashed_static_files_for_a_year(gunicorn):
    page = httpx.get(
        f"{gunicorn}/accounts/login/", headers={"X-Forwarded-Proto": "https"}, timeout=10
    ).text
    stylesheet = re.search(r'href="(/static/seatdash/seatdash\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "the login page does not link a hashed stylesheet"

    response = httpx.get(
        f"{gunicorn}{stylesheet.group(1)}", headers={"X-Forwarded-Proto": "https"}, timeout=10
    )

    assert response.status_code == 200
    assert "max-age=315360000" in response.headers["Cache-Control"]


def test_check_deploy_blank_variables_from_env_example_keep_safe_defaults(tmp_path):
    blanks = {
        name: ""
        for name in (
            "SECURE_SSL_REDIRECT",
            "SECURE_COOKIES",
            "SECURE_HSTS_SECONDS",
            "SECURE_HSTS_PRELOAD",
            "SESSION_COOKIE_AGE",
            "AXES_FAILURE_LIMIT",
            "TRUSTED_PROXY_COUNT",
            "CONN_MAX_AGE",
        )
    }

    result = manage(
        production_env(tmp_path, **blanks), "check", "--deploy", "--fail-level", "WARNING"
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_env_example_documents_every_variable_settings_read():
    settings_source = (REPO / "seatdash" / "settings.py").read_text()
    gunicorn_source = (REPO / "gunicorn.conf.py").read_text()
    read = set(re.findall(r'(?:env\.\w+|_require)\(\s*"([A-Z][A-Z0-9_]+)"', settings_source))
    read |= set(re.findall(r'_setting\("\w+", "([A-Z][A-Z0-9_]+)"', settings_source))
    read |= set(re.findall(r'os\.environ\.get\("([A-Z][A-Z0-9_]+)"', gunicorn_source))
    read |= set(re.findall(r'"(OIDC_[A-Z_]+)",\n', settings_source))
    documented = set(
        re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (REPO / ".env.example").read_text(), re.M)
    )

    assert read, "the pattern found no variables, so the check below proves nothing"
    assert read - documented == set()
