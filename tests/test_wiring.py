"""Composition: which client talks to which transport (SANDBOX_ENABLED), and the start-up hooks."""

from __future__ import annotations

import ast

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from seatdash import wiring
from seatdash.clients.errors import UpstreamUnavailable
from seatdash.sandbox.models import request_count
from seatdash.sandbox.transport import SandboxTransport
from seatdash.sandbox_metronome.transport import MetronomeSandboxTransport
from seatdash.services import providers
from tests.sandbox_support import make_customer
from tests.security.support import REPO

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_sandbox_transport(monkeypatch):
    """Fails the test on any call through either in-process sandbox transport."""

    def refuse(self, request):
        pytest.fail(f"the sandbox transport answered {request.url} with SANDBOX_ENABLED off")

    monkeypatch.setattr(SandboxTransport, "handle_request", refuse)
    monkeypatch.setattr(MetronomeSandboxTransport, "handle_request", refuse)


def test_wiring_sandbox_enabled_without_credentials_serves_sequence_from_sandbox(settings):
    settings.SANDBOX_ENABLED = True
    settings.SEQUENCE_API_URL = ""
    make_customer("c1", "Acme Corp", "acme")
    before = request_count()

    customers = providers.sequence_client().list_seat_balances()

    assert [customer.id for customer in customers] == ["c1"]
    assert request_count() - before == 1


def test_wiring_sandbox_disabled_calls_the_real_url_never_the_sandbox(
    settings, no_sandbox_transport
):
    settings.SANDBOX_ENABLED = False
    settings.SEQUENCE_API_URL = "http://127.0.0.1:9/api"  # a closed port: nothing leaves
    settings.SEQUENCE_CLIENT_ID = "seatdash"
    settings.SEQUENCE_CLIENT_SECRET = "a-secret"
    settings.UPSTREAM_CALL_DEADLINE = 1.0
    make_customer("c1", "Acme Corp", "acme")

    with pytest.raises(UpstreamUnavailable):
        providers.sequence_client().list_seat_balances()


def test_wiring_sandbox_disabled_without_sequence_url_refuses_naming_variables(
    settings, no_sandbox_transport
):
    settings.SANDBOX_ENABLED = False
    settings.SEQUENCE_API_URL = ""

    with pytest.raises(ImproperlyConfigured) as refused:
        providers.sequence_client()

    for name in ("SEQUENCE_API_URL", "SEQUENCE_CLIENT_ID", "SEQUENCE_CLIENT_SECRET"):
        assert name in str(refused.value)


def test_wiring_sandbox_disabled_metronome_without_token_refuses(settings, no_sandbox_transport):
    settings.SANDBOX_ENABLED = False
    settings.METRONOME_BEARER_TOKEN = ""

    with pytest.raises(ImproperlyConfigured, match="METRONOME_BEARER_TOKEN"):
        providers.metronome_client()


def test_wiring_metronome_token_set_never_uses_its_sandbox(settings, no_sandbox_transport):
    settings.SANDBOX_ENABLED = True
    settings.METRONOME_BEARER_TOKEN = "a-real-token"
    settings.METRONOME_API_URL = "http://127.0.0.1:9"
    settings.UPSTREAM_CALL_DEADLINE = 1.0

    with pytest.raises(UpstreamUnavailable):
        providers.metronome_client().list_customers()


def test_wiring_clients_are_built_once_until_settings_change(settings):
    first = wiring.sequence_client()
    assert wiring.sequence_client() is first

    settings.SEQUENCE_API_VERSION = "2024-07-30"

    assert wiring.sequence_client() is not first


def test_metronome_disabled_for_lack_of_token_pages_say_so(logged_in_client, settings):
    settings.METRONOME_ENABLED = False
    settings.METRONOME_DISABLED_REASON = "METRONOME_BEARER_TOKEN is not set."

    response = logged_in_client.get(reverse("metronome_customers"))

    assert response.status_code == 404
    assert "METRONOME_BEARER_TOKEN is not set." in response.content.decode()
    page = logged_in_client.get(reverse("healthz")).json()
    assert page["providers"]["metronome"] == {"state": "disabled"}


def imported_modules(path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_only_wiring_imports_the_sandbox_transports():
    """Services, views, health and clients never reach a sandbox; the composition root does."""
    importers = {
        str(path.relative_to(REPO))
        for path in (REPO / "seatdash").rglob("*.py")
        if not path.relative_to(REPO / "seatdash").parts[0].startswith("sandbox")
        and any(name.startswith("seatdash.sandbox") for name in imported_modules(path))
    }
    assert importers == {"seatdash/wiring.py"}


def test_services_cache_does_not_import_health():
    assert not any(
        name.startswith("seatdash.health")
        for name in imported_modules(REPO / "seatdash" / "services" / "cache.py")
    )


@pytest.mark.parametrize(
    "module",
    [
        *sorted(
            str(path.relative_to(REPO / "seatdash"))
            for path in (REPO / "seatdash" / "web").glob("*.py")
        ),
        "templatetags/seatdash.py",
        "health.py",
    ],
)
def test_pages_catch_errors_from_the_service_layer_not_the_clients(module):
    imported = imported_modules(REPO / "seatdash" / module)

    assert "seatdash.clients.errors" not in imported
    assert not any(name.startswith("seatdash.sandbox") for name in imported)
