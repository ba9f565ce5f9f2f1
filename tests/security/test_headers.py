"""Response headers: the Content Security Policy, framing, sniffing, referrer, HSTS and cookies."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.security.support import production_env, python


def _csp(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.django_db
def test_csp_login_page_allows_only_own_origin(client):
    directives = _csp(client.get(reverse("login")))

    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]


@pytest.mark.django_db
def test_csp_any_page_has_no_unsafe_sources(client, admin_client):
    headers = [
        client.get(reverse("login"))["Content-Security-Policy"],
        client.get(reverse("healthz"))["Content-Security-Policy"],
        admin_client.get(reverse("admin:index"))["Content-Security-Policy"],
    ]
    for header in headers:
        assert "unsafe-inline" not in header
        assert "unsafe-eval" not in header


@pytest.mark.django_db
def test_security_headers_login_page_forbid_framing_and_sniffing(client):
    response = client.get(reverse("login"))

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_csp_oidc_configured_allows_provider_in_form_action(tmp_path):
    env = production_env(
        tmp_path,
        OIDC_RP_CLIENT_ID="seatdash",
        OIDC_RP_CLIENT_SECRET="client-secret",
        OIDC_OP_AUTHORIZATION_ENDPOINT="https://login.example.com/oauth2/authorize",
        OIDC_OP_TOKEN_ENDPOINT="https://login.example.com/oauth2/token",
        OIDC_OP_USER_ENDPOINT="https://login.example.com/oauth2/userinfo",
        OIDC_OP_JWKS_ENDPOINT="https://login.example.com/oauth2/jwks",
    )
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']))"
    )
    result = python(env, code)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        "'self'",
        "https://login.example.com",
    ]


def test_settings_production_cookies_are_host_prefixed_secure_and_httponly(tmp_path):
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({n: getattr(s, n) for n in ("
        "'SESSION_COOKIE_NAME', 'CSRF_COOKIE_NAME', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE',"
        "'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE',"
        "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT')}))"
    )
    result = python(production_env(tmp_path), code)

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert values["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["CSRF_COOKIE_HTTPONLY"]
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_SSL_REDIRECT"]


def test_settings_proxy_ssl_header_from_env_is_a_pair(tmp_path):
    env = production_env(tmp_path, SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https")
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps(s.SECURE_PROXY_SSL_HEADER))"
    )
    result = python(env, code)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == ["HTTP_X_FORWARDED_PROTO", "https"]
