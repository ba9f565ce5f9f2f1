"""Helpers for the seat-history tests: sandbox customers and events, and a counting client."""

from __future__ import annotations

from datetime import UTC, datetime

from seatdash.services.providers import sequence_client
from tests.sandbox_support import api, make_customer, post_event

__all__ = ["CountingClient", "api", "at", "make_customer", "post_event", "sandbox_events"]


def at(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, tzinfo=UTC)


def iso(day: int, hour: int = 0) -> str:
    return at(day, hour).strftime("%Y-%m-%dT%H:%M:%SZ")


def sandbox_events(rows: list[tuple]) -> list[str]:
    """Post (alias, total, day[, seat_type[, customer_event_id]]) rows in order; returns the IDs."""
    ids = []
    with api() as client:
        for row in rows:
            alias, total, day, *rest = row
            extra = {}
            if rest:
                extra["seat_type"] = rest[0]
            if len(rest) > 1:
                extra["customer_event_id"] = rest[1]
            response = post_event(client, alias, total, iso(day), **extra)
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
    return ids


class CountingClient:
    """The real sandbox client, counting calls per method, optionally failing one of them."""

    def __init__(self, *, fail_on_events_call: int | None = None, error: Exception | None = None):
        self.inner = sequence_client()
        self.calls: dict[str, int] = {"list_seat_events": 0, "list_seat_balances": 0}
        self.fail_on_events_call = fail_on_events_call
        self.error = error
        self.balance_hook = None

    def list_seat_events(self, *args, **kwargs):
        self.calls["list_seat_events"] += 1
        if self.fail_on_events_call == self.calls["list_seat_events"]:
            raise self.error
        return self.inner.list_seat_events(*args, **kwargs)

    def list_seat_balances(self, *args, **kwargs):
        self.calls["list_seat_balances"] += 1
        result = self.inner.list_seat_balances(*args, **kwargs)
        if self.balance_hook:
            result = self.balance_hook(result, kwargs)
        return result


def tampering_client(tamper):
    """A Sequence client on the sandbox whose answers pass through `tamper(request, body)` first
    (it returns the body to send, or raises); everything else is the real client path."""
    import json

    import httpx

    from seatdash.clients.sequence import SequenceClient
    from seatdash.sandbox.auth import sandbox_credentials
    from seatdash.sandbox.transport import SANDBOX_BASE_URL, SandboxTransport

    sandbox = SandboxTransport()

    def handle(request: httpx.Request) -> httpx.Response:
        response = sandbox.handle_request(request)
        response.read()
        body = tamper(request, json.loads(response.content))
        return httpx.Response(response.status_code, json=body)

    client_id, secret = sandbox_credentials()
    return SequenceClient(
        base_url=SANDBOX_BASE_URL,
        client_id=client_id,
        client_secret=secret,
        transport=httpx.MockTransport(handle),
    )
