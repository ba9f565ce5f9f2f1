"""Sign-in rules: axes lockout by username and IP, sessions, POST-only logout, htmx redirect."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from seatdash.auth import client_ip
from seatdash.middleware import LOGIN_AT_KEY
from tests.security.support import URLCONF

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLCONF)]

PASSWORD = "a-long-test-password"
OFFICE_IP = "203.0.113.7"
HOME_IP = "198.51.100.20"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # Dozens of password checks per test; the real hasher's cost is not what is under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user(username="alice", password=PASSWORD)


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user(username="bob", password=PASSWORD)


def _login(client: Client, username: str, password: str, ip: str = OFFICE_IP):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _fail_until_locked(username: str, ip: str = OFFICE_IP) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(Client(), username, "wrong-password", ip)


def test_login_correct_password_logs_in(client, alice):
    response = _login(client, "alice", PASSWORD)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(alice.pk)


def test_login_after_failure_limit_locks_out_with_wait_message(client, alice):
    _fail_until_locked("alice")

    response = _login(client, "alice", PASSWORD)

    assert response.status_code == 429
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"Try again in {minutes} minutes" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_login_locked_username_other_user_same_ip_still_gets_in(client, alice, bob):
    _fail_until_locked("alice")

    response = _login(client, "bob", PASSWORD)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(bob.pk)


def test_login_locked_username_same_user_other_ip_still_gets_in(client, alice):
    _fail_until_locked("alice", OFFICE_IP)

    response = _login(client, "alice", PASSWORD, HOME_IP)

    assert response.status_code == 302


def test_login_lockout_after_cool_off_lets_user_in(client, alice):
    _fail_until_locked("alice")
    later = dt.datetime.now(tz=dt.UTC) + settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1)

    with time_machine.travel(later, tick=False):
        response = _login(client, "alice", PASSWORD)

    assert response.status_code == 302


def test_login_lockout_before_cool_off_ends_still_refused(client, alice):
    _fail_until_locked("alice")
    almost = dt.datetime.now(tz=dt.UTC) + settings.AXES_COOLOFF_TIME - dt.timedelta(minutes=1)

    with time_machine.travel(almost, tick=False):
        response = _login(client, "alice", PASSWORD)

    assert response.status_code == 429


def test_login_success_resets_failure_count(client, alice):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(Client(), "alice", "wrong-password")
    assert _login(Client(), "alice", PASSWORD).status_code == 302

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(Client(), "alice", "wrong-password")
    response = _login(client, "alice", PASSWORD)

    assert response.status_code == 302


def test_login_behind_trusted_proxy_locks_per_forwarded_client(settings, client, alice):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(
            reverse("login"),
            {"username": "alice", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=OFFICE_IP,
        )

    response = client.post(
        reverse("login"),
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR=HOME_IP,
    )

    assert response.status_code == 302


def test_client_ip_spoofed_forwarded_entries_are_ignored(settings, rf):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"1.2.3.4, {OFFICE_IP}")

    assert client_ip(request) == OFFICE_IP


def test_client_ip_no_trusted_proxy_uses_remote_addr(settings, rf):
    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=OFFICE_IP)

    assert client_ip(request) == "10.0.0.1"


# --- sessions -------------------------------------------------------------------------------------


def test_session_idle_past_cookie_age_requires_login(client, alice):
    start = dt.datetime.now(tz=dt.UTC)
    with time_machine.travel(start, tick=False):
        client.force_login(alice)
        assert client.get("/t/private/").status_code == 200

    idle = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    with time_machine.travel(start + idle, tick=False):
        response = client.get("/t/private/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_session_activity_within_idle_window_keeps_session_alive(client, alice):
    start = dt.datetime.now(tz=dt.UTC)
    # Two requests, each inside the idle window, together longer than it, inside the absolute cap.
    step_seconds = min(settings.SESSION_COOKIE_AGE - 60, (settings.SESSION_ABSOLUTE_AGE - 60) // 2)
    assert 2 * step_seconds > settings.SESSION_COOKIE_AGE
    step = dt.timedelta(seconds=step_seconds)
    with time_machine.travel(start, tick=False):
        client.force_login(alice)
    for n in (1, 2):
        with time_machine.travel(start + n * step, tick=False):
            response = client.get("/t/private/")
            assert response.status_code == 200


def test_session_past_absolute_lifetime_logs_out_despite_activity(client, alice):
    start = dt.datetime.now(tz=dt.UTC)
    step = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE // 2)
    with time_machine.travel(start, tick=False):
        _login(client, "alice", PASSWORD)
    elapsed = dt.timedelta(0)
    while elapsed + step < dt.timedelta(seconds=settings.SESSION_ABSOLUTE_AGE):
        elapsed += step
        with time_machine.travel(start + elapsed, tick=False):
            assert client.get("/t/private/").status_code == 200

    past = start + dt.timedelta(seconds=settings.SESSION_ABSOLUTE_AGE + 60)
    with time_machine.travel(past, tick=False):
        response = client.get("/t/private/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert SESSION_KEY not in client.session


def test_session_password_login_stamps_login_time(client, alice):
    _login(client, "alice", PASSWORD)

    assert isinstance(client.session[LOGIN_AT_KEY], int)


def test_session_new_login_restarts_absolute_lifetime(client, alice):
    start = dt.datetime.now(tz=dt.UTC)
    with time_machine.travel(start, tick=False):
        _login(client, "alice", PASSWORD)
    relogin = start + dt.timedelta(seconds=settings.SESSION_ABSOLUTE_AGE - 600)
    with time_machine.travel(relogin, tick=False):
        _login(client, "alice", PASSWORD)

    with time_machine.travel(start + dt.timedelta(seconds=settings.SESSION_ABSOLUTE_AGE + 60)):
        response = client.get("/t/private/")

    assert response.status_code == 200


# --- htmx and logout ------------------------------------------------------------------------------


def test_login_required_htmx_request_gets_hx_redirect_to_current_page(client):
    response = client.get(
        "/t/private/?fragment=1",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/t/private/?sort=name",
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next=/t/private/%3Fsort%3Dname"


def test_login_required_htmx_request_without_current_url_redirects_to_request_path(client):
    response = client.get("/t/private/", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next=/t/private/"


def test_login_required_plain_request_gets_302(client):
    response = client.get("/t/private/")

    assert response.status_code == 302
    assert "HX-Redirect" not in response


def test_logout_get_refused_and_user_stays_logged_in(client, alice):
    client.force_login(alice)

    response = client.get(reverse("logout"))

    assert response.status_code == 405
    assert client.session[SESSION_KEY] == str(alice.pk)


def test_logout_post_with_csrf_header_logs_out(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    client.get(reverse("login"))  # sets the CSRF cookie, as the page with the logout form would
    token = client.cookies[settings.CSRF_COOKIE_NAME].value

    response = client.post(reverse("logout"), HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def test_logout_post_without_csrf_token_refused(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post(reverse("logout"))

    assert response.status_code == 403
    assert client.session[SESSION_KEY] == str(alice.pk)
