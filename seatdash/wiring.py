"""Composition: which provider client talks to which transport, decided here and built once.

With `SANDBOX_ENABLED` a provider without credentials is served by its built-in sandbox through an
in-process httpx transport; otherwise every client talks HTTP to the real API. Nothing else in
seatdash chooses a transport or imports a sandbox's transport. `install()` runs once at start-up
(`SeatdashConfig.ready`): it hands the client factories to the services and registers the /healthz
recorder with the cache core, so neither services nor health import each other.
"""

from __future__ import annotations

import functools

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.dispatch import receiver
from django.test.signals import setting_changed

from seatdash.clients.http import RetryPolicy
from seatdash.clients.metronome import MetronomeClient
from seatdash.clients.sequence import SequenceClient


def upstream_timeout() -> httpx.Timeout:
    return httpx.Timeout(
        settings.UPSTREAM_READ_TIMEOUT,
        connect=settings.UPSTREAM_CONNECT_TIMEOUT,
        pool=settings.UPSTREAM_CONNECT_TIMEOUT,
    )


def upstream_retry_policy() -> RetryPolicy:
    return RetryPolicy(deadline=settings.UPSTREAM_CALL_DEADLINE)


def sequence_uses_sandbox() -> bool:
    """True when Sequence calls go to the in-process sandbox (never with SANDBOX_ENABLED off)."""
    return bool(settings.SANDBOX_ENABLED) and not settings.SEQUENCE_API_URL


def metronome_uses_sandbox() -> bool:
    return bool(settings.SANDBOX_ENABLED) and not settings.METRONOME_BEARER_TOKEN


@functools.cache
def sequence_client() -> SequenceClient:
    """The real Sequence API when SEQUENCE_API_URL is set, else the sandbox in-process."""
    common = {
        "api_version": settings.SEQUENCE_API_VERSION,
        "timeout": upstream_timeout(),
        "retry": upstream_retry_policy(),
    }
    if settings.SEQUENCE_API_URL:
        return SequenceClient(
            base_url=settings.SEQUENCE_API_URL,
            client_id=settings.SEQUENCE_CLIENT_ID,
            client_secret=settings.SEQUENCE_CLIENT_SECRET,
            **common,
        )
    if not sequence_uses_sandbox():
        # Settings refuse to load in this state; this guards a runtime override.
        raise ImproperlyConfigured(
            "Sequence is not configured: set SEQUENCE_API_URL, SEQUENCE_CLIENT_ID and "
            "SEQUENCE_CLIENT_SECRET, or SANDBOX_ENABLED=true."
        )
    from seatdash.sandbox.auth import sandbox_credentials
    from seatdash.sandbox.transport import SANDBOX_BASE_URL, SandboxTransport

    client_id, client_secret = sandbox_credentials()
    return SequenceClient(
        base_url=SANDBOX_BASE_URL,
        client_id=client_id,
        client_secret=client_secret,
        transport=SandboxTransport(),
        **common,
    )


@functools.cache
def metronome_client() -> MetronomeClient:
    """The real Metronome API when METRONOME_BEARER_TOKEN is set, else its sandbox in-process."""
    common = {"timeout": upstream_timeout(), "retry": upstream_retry_policy()}
    if settings.METRONOME_BEARER_TOKEN:
        return MetronomeClient(
            base_url=settings.METRONOME_API_URL,
            bearer_token=settings.METRONOME_BEARER_TOKEN,
            **common,
        )
    if not metronome_uses_sandbox():
        raise ImproperlyConfigured(
            "Metronome is not configured: set METRONOME_BEARER_TOKEN, or SANDBOX_ENABLED=true."
        )
    from seatdash.sandbox_metronome.auth import sandbox_token
    from seatdash.sandbox_metronome.transport import (
        METRONOME_SANDBOX_BASE_URL,
        MetronomeSandboxTransport,
    )

    return MetronomeClient(
        base_url=METRONOME_SANDBOX_BASE_URL,
        bearer_token=sandbox_token(),
        transport=MetronomeSandboxTransport(),
        **common,
    )


def install() -> None:
    """Wire the process once: clients for the services, the /healthz recorder for the cache core."""
    from seatdash import health
    from seatdash.services import cache, providers

    providers.supply(sequence=sequence_client, metronome=metronome_client)
    cache.on_upstream_outcome(health.record_upstream_outcome)


@receiver(setting_changed)
def _forget_clients(*, setting: str, **kwargs) -> None:
    """Tests (and override_settings) change credentials and URLs: build the clients anew."""
    if setting.startswith(("SEQUENCE_", "SANDBOX_", "METRONOME_", "UPSTREAM_", "SECRET_KEY")):
        sequence_client.cache_clear()
        metronome_client.cache_clear()
