"""Secrets never reach a page, an error page, the health check or a log line."""

from __future__ import annotations

import logging
import secrets

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from tests.security.support import URLCONF

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLCONF)]

SECRET_SETTINGS = (
    "SECRET_KEY",
    "SEQUENCE_CLIENT_SECRET",
    "METRONOME_BEARER_TOKEN",
    "OIDC_RP_CLIENT_SECRET",
)


@pytest.fixture
def canaries(settings) -> dict[str, str]:
    values = {name: f"canary-{name.lower()}-{secrets.token_hex(16)}" for name in SECRET_SETTINGS}
    for name, value in values.items():
        setattr(settings, name, value)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return values


def _everything_rendered(django_user_model, settings) -> list[str]:
    """Bodies and headers of every page this branch owns, in the states a person can reach."""
    pieces: list[str] = []

    def keep(response) -> None:
        pieces.append(b"".join(response) if response.streaming else response.content)
        pieces.append(str(dict(response.headers)))

    anonymous = Client(raise_request_exception=False)
    keep(anonymous.get(reverse("login")))
    keep(anonymous.post(reverse("login"), {"username": "nobody", "password": "wrong"}))
    keep(anonymous.get(reverse("healthz")))
    keep(anonymous.get("/t/private/", HTTP_HX_REQUEST="true"))

    viewer = django_user_model.objects.create_user("vic", password="x" * 20)
    viewer.groups.add(Group.objects.get(name="viewer"))
    as_viewer = Client(raise_request_exception=False)
    as_viewer.force_login(viewer)
    keep(as_viewer.get("/no/such/page/"))  # 404
    keep(as_viewer.get("/t/export/"))  # 403
    keep(as_viewer.get("/t/broken/"))  # 500, production error page

    admin = django_user_model.objects.create_superuser("root", password="x" * 20)
    as_admin = Client(raise_request_exception=False)
    as_admin.force_login(admin)
    for name in (
        "admin:index",
        "admin:auth_user_changelist",
        "admin:seatdash_exportaudit_changelist",
    ):
        keep(as_admin.get(reverse(name)))
    keep(as_admin.get(reverse("admin:auth_user_change", args=[viewer.pk])))

    # The demo runs with DEBUG on: Django's technical error page must mask the settings too.
    settings.DEBUG = True
    keep(as_viewer.get("/t/broken/"))
    keep(as_viewer.get("/no/such/page/"))
    return [p.decode("utf-8", "replace") if isinstance(p, bytes) else p for p in pieces]


def test_secrets_absent_from_pages_error_pages_health_and_logs(
    canaries, django_user_model, settings, caplog
):
    with caplog.at_level(logging.DEBUG):
        rendered = _everything_rendered(django_user_model, settings)

    assert any("Traceback" in piece or "RuntimeError" in piece for piece in rendered), (
        "the DEBUG error page was not rendered, so the check below proves less than it claims"
    )
    haystacks = {"pages": "\n".join(rendered), "logs": caplog.text}
    for name, value in canaries.items():
        for where, text in haystacks.items():
            assert value not in text, f"{name} leaked into {where}"


def test_secrets_absent_from_dashboard_pages_errors_and_logs(
    canaries, logged_in_client, settings, caplog
):
    from django.core.management import call_command

    from seatdash.sandbox.models import Customer, SeatEvent
    from seatdash.services import balances

    # Nothing may leave this machine: the "real" providers point at a closed local port.
    settings.METRONOME_API_URL = "http://127.0.0.1:9"
    settings.BALANCES_FRESH_SECONDS = 0
    call_command("sandbox_seed", "--customers", "12", "--anchor", "2026-06-01", verbosity=0)
    balances.forget_decoded_snapshots()
    customer = Customer.objects.filter(events__isnull=False).first()
    event = SeatEvent.objects.filter(customer=customer).first()
    pieces: list[str] = []

    def keep(url: str, **extra) -> None:
        response = logged_in_client.get(url, **extra)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        pieces.extend([body.decode("utf-8", "replace"), str(dict(response.headers))])

    with caplog.at_level(logging.DEBUG):
        for url in (
            reverse("balances"),
            reverse("balances") + "?q=a&sort=-total",
            reverse("balances_csv"),
            reverse("customer", args=[customer.id]),
            reverse("event", args=[event.id]),
            reverse("events"),
            reverse("metronome_customers"),  # Metronome unreachable: the error state
            reverse("metronome_seat_credits", args=[customer.id]),
        ):
            keep(url)
        settings.SEQUENCE_API_URL = "http://127.0.0.1:9/api"
        settings.SEQUENCE_CLIENT_ID = "seatdash"
        keep(reverse("balances") + "?refresh=1", HTTP_HX_REQUEST="true")  # the stale banner
        keep(reverse("events") + "?refresh=1")  # the error state

    rendered = "\n".join(pieces)
    assert "unreachable" in rendered, "the failure paths were not rendered"
    assert customer.legal_name.replace("&", "&amp;").replace("'", "&#x27;") in rendered
    for name, value in canaries.items():
        assert value not in rendered, f"{name} leaked into a dashboard page"
        assert value not in caplog.text, f"{name} leaked into the logs"


def test_server_error_page_is_our_own_and_says_what_to_do(logged_in_client, settings):
    settings.DEBUG = False
    logged_in_client.raise_request_exception = False
    response = logged_in_client.get("/t/broken/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "Traceback" not in html
