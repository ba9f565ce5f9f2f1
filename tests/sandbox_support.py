"""Helpers for tests that talk to the sandbox API through the in-process transport."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from seatdash.sandbox.auth import sandbox_credentials
from seatdash.sandbox.models import Customer, CustomerAlias
from seatdash.sandbox.transport import SANDBOX_BASE_URL, SandboxTransport


def api(*, auth: bool = True, version: str | None = "2024-07-30") -> httpx.Client:
    headers = {"Sequence-Version": version} if version else {}
    return httpx.Client(
        base_url=SANDBOX_BASE_URL,
        transport=SandboxTransport(),
        auth=sandbox_credentials() if auth else None,
        headers=headers,
    )


def make_customer(customer_id: str, name: str, *aliases: str) -> Customer:
    customer = Customer.objects.create(
        id=customer_id,
        sequence_account_id="acct-1",
        legal_name=name,
        created_at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    for alias in aliases:
        CustomerAlias.objects.create(customer=customer, value=alias)
    return customer


def post_event(client: httpx.Client, alias: str, total: int, at: str, **extra) -> httpx.Response:
    body = {"customerAlias": alias, "seatType": extra.pop("seat_type", "admin"), "total": total}
    body["eventTimestamp"] = at
    if "customer_event_id" in extra:
        body["customerEventId"] = extra.pop("customer_event_id")
    return client.post("/seat-events", json=body)
