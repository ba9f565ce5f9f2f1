"""The provider clients this process uses: one per process, built from settings."""

from __future__ import annotations

import functools

import httpx
from django.conf import settings
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


@functools.cache
def sequence_client() -> SequenceClient:
    """The real Sequence API when SEQUENCE_API_URL is set, else the built-in sandbox in-process."""
    if settings.SEQUENCE_API_URL:
        return SequenceClient(
            base_url=settings.SEQUENCE_API_URL,
            client_id=settings.SEQUENCE_CLIENT_ID,
            client_secret=settings.SEQUENCE_CLIENT_SECRET,
            api_version=settings.SEQUENCE_API_VERSION,
            timeout=upstream_timeout(),
            retry=upstream_retry_policy(),
        )
    from seatdash.sandbox.auth import sandbox_credentials
    from seatdash.sandbox.transport import SANDBOX_BASE_URL, SandboxTransport

    client_id, client_secret = sandbox_credentials()
    return SequenceClient(
        base_url=SANDBOX_BASE_URL,
        client_id=client_id,
        client_secret=client_secret,
        api_version=settings.SEQUENCE_API_VERSION,
        timeout=upstream_timeout(),
        retry=upstream_retry_policy(),
        transport=SandboxTransport(),
    )


def using_sandbox() -> bool:
    return not settings.SEQUENCE_API_URL


@functools.cache
def metronome_client() -> MetronomeClient:
    """The real Metronome API when METRONOME_BEARER_TOKEN is set, else its sandbox in-process."""
    if settings.METRONOME_BEARER_TOKEN:
        return MetronomeClient(
            base_url=settings.METRONOME_API_URL,
            bearer_token=settings.METRONOME_BEARER_TOKEN,
            timeout=upstream_timeout(),
            retry=upstream_retry_policy(),
        )
    from seatdash.sandbox_metronome.auth import sandbox_token
    from seatdash.sandbox_metronome.transport import (
        METRONOME_SANDBOX_BASE_URL,
        MetronomeSandboxTransport,
    )

    return MetronomeClient(
        base_url=METRONOME_SANDBOX_BASE_URL,
        bearer_token=sandbox_token(),
        timeout=upstream_timeout(),
        retry=upstream_retry_policy(),
        transport=MetronomeSandboxTransport(),
    )


@receiver(setting_changed)
def _forget_clients(*, setting: str, **kwargs) -> None:
    """Tests (and override_settings) change credentials and URLs: build the clients anew."""
    if setting.startswith(("SEQUENCE_", "SANDBOX_", "METRONOME_", "UPSTREAM_", "SECRET_KEY")):
        sequence_client.cache_clear()
        metronome_client.cache_clear()
