"""Single sign-on through a tiny OpenID Connect provider running on loopback inside the test."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from seatdash.auth import VIEWER_GROUP
from tests.security.support import URLCONF

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLCONF)]

CLIENT_ID = "seatdash-test"
CLIENT_SECRET = secrets.token_urlsafe(24)
PERSON = {
    "sub": "u-123",
    "email": "Pat.Doe@example.com",
    "given_name": "Pat",
    "family_name": "Doe",
}


class Provider:
    """Authorization, token, userinfo and JWKS endpoints; checks what a real provider would."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        # Set to a key not in the JWKS to play a forged token.
        self.signing_key = self.key
        self.codes: dict[str, dict] = {}
        self.tokens: set[str] = set()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def jwks(self) -> dict:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def _json(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/authorize":
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = query
                    answer = urlencode({"code": code, "state": query["state"]})
                    location = f"{query['redirect_uri']}?{answer}"
                    self.send_response(302)
                    self.send_header("Location", location)
                    self.end_headers()
                elif url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if token not in provider.tokens:
                        return self._json(401, {"error": "invalid_token"})
                    self._json(200, PERSON)
                elif url.path == "/jwks":
                    self._json(200, provider.jwks())
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if urlsplit(self.path).path != "/token":
                    return self._json(404, {"error": "not_found"})
                request = provider.codes.pop(form.get("code", ""), None)
                if (
                    request is None
                    or form.get("client_id") != CLIENT_ID
                    or form.get("client_secret") != CLIENT_SECRET
                    or form.get("redirect_uri") != request["redirect_uri"]
                    or _s256(form.get("code_verifier", "")) != request.get("code_challenge")
                ):
                    return self._json(400, {"error": "invalid_grant"})
                access_token = secrets.token_urlsafe(16)
                provider.tokens.add(access_token)
                now = int(time.time())
                claims = {
                    "iss": provider.base,
                    "aud": CLIENT_ID,
                    "sub": PERSON["sub"],
                    "email": PERSON["email"],
                    "nonce": request["nonce"],
                    "iat": now,
                    "exp": now + 300,
                }
                id_token = jwt.encode(
                    claims, provider.signing_key, algorithm="RS256", headers={"kid": "k1"}
                )
                self._json(
                    200,
                    {"access_token": access_token, "token_type": "Bearer", "id_token": id_token},
                )

        return Handler


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@pytest.fixture
def provider(settings):
    provider = Provider()
    thread = threading.Thread(target=provider.server.serve_forever, daemon=True)
    thread.start()
    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "Test SSO"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{provider.base}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider.base}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{provider.base}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{provider.base}/jwks"
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "seatdash.auth.OIDCBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    yield provider
    provider.server.shutdown()
    provider.server.server_close()


def _sign_in(client, provider):
    """Walk the redirect chain by hand: Django -> provider -> Django's callback."""
    start = client.get(reverse("oidc_authentication_init"), {"next": "/t/private/"})
    assert start.status_code == 302
    assert start.url.startswith(provider.base + "/authorize?")
    # The browser's visit to the provider, where the person would sign in.
    at_provider = requests.get(start.url, allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302
    callback = urlsplit(at_provider.headers["Location"])
    assert callback.path == reverse("oidc_authentication_callback")
    return client.get(callback.path, {k: v[0] for k, v in parse_qs(callback.query).items()})


def test_login_page_sso_enabled_shows_provider_button(client, provider):
    response = client.get(reverse("login"))

    assert "Sign in with Test SSO" in response.content.decode()


def test_login_page_sso_disabled_shows_no_button(client, settings):
    settings.OIDC_ENABLED = False

    response = client.get(reverse("login"))

    assert "Sign in with" not in response.content.decode()


def test_oidc_sign_in_logs_in_new_user_as_viewer(client, provider):
    response = _sign_in(client, provider)

    assert response.status_code == 302
    assert response.url == "/t/private/"
    user = get_user_model().objects.get(pk=client.session[SESSION_KEY])
    assert user.email == PERSON["email"]
    assert user.username == PERSON["email"].lower()
    assert (user.first_name, user.last_name) == (PERSON["given_name"], PERSON["family_name"])
    assert list(user.groups.values_list("name", flat=True)) == [VIEWER_GROUP]
    assert client.get("/t/private/").status_code == 200


def test_oidc_sign_in_existing_user_matched_by_email_keeps_groups(
    client, provider, django_user_model
):
    existing = django_user_model.objects.create_user("pat", email=PERSON["email"])
    existing.groups.add(Group.objects.get(name="exporter"))

    _sign_in(client, provider)

    assert client.session[SESSION_KEY] == str(existing.pk)
    assert list(existing.groups.values_list("name", flat=True)) == ["exporter"]


def test_oidc_sign_in_token_signed_by_unknown_key_refused(client, provider):
    provider.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    response = _sign_in(client, provider)

    assert SESSION_KEY not in client.session
    assert response.status_code == 400
    assert not get_user_model().objects.filter(email=PERSON["email"]).exists()
