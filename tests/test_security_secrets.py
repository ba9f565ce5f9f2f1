"""Secrets never reach a page, an error page, the health check or a log line."""

from __future__ import annotations

import logging
import secrets

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from tests.test_security_support import URLCONF

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
