"""SequenceClient: upstream statuses and transport failures, through the client."""

from __future__ import annotations

import httpx
import pytest

from seatdash.clients.errors import (
    UpstreamNotFound,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamUnauthorized,
    UpstreamUnavailable,
)
from seatdash.clients.http import RetryPolicy
from seatdash.clients.sequence import PROVIDER
from tests.clients.sequence.support import (
    customer,
    page,
    respond,
)


@pytest.mark.parametrize(
    ("status", "body", "error_class"),
    [
        (
            400,
            {"error": {"type": "UnrecognisedApiVersion", "message": "No match"}},
            UpstreamRejected,
        ),
        (400, {"errors": [{"message": "bad customerIds"}]}, UpstreamRejected),
        (400, None, UpstreamRejected),
        (401, None, UpstreamUnauthorized),
        (403, None, UpstreamUnauthorized),
        (404, None, UpstreamNotFound),
        (500, None, UpstreamUnavailable),
    ],
)
def test_list_seat_balances_error_status_maps_without_retry(
    fake, client, clock, status, body, error_class
):
    fake.expect("GET", "/api/seat-balances", respond(status, body))

    with pytest.raises(error_class) as info:
        client.list_seat_balances()

    assert (info.value.provider, info.value.endpoint, info.value.status) == (
        PROVIDER,
        "GET /seat-balances",
        status,
    )
    assert clock.sleeps == []
    if body:
        assert "No match" in info.value.message or "bad customerIds" in info.value.message


@pytest.mark.parametrize("status", [502, 503, 504])
def test_list_seat_balances_transient_status_retried_then_succeeds(fake, client, clock, status):
    fake.expect("GET", "/api/seat-balances", respond(status))
    fake.expect("GET", "/api/seat-balances", respond(status))
    fake.expect("GET", "/api/seat-balances", page([customer(1)]))

    assert [r.id for r in client.list_seat_balances()] == ["cust-1"]
    assert len(clock.sleeps) == 2


def test_list_seat_balances_429_retried_after_seconds_then_succeeds(fake, client, clock):
    fake.expect("GET", "/api/seat-balances", respond(429))
    fake.expect("GET", "/api/seat-balances", page([customer(1)]))

    assert [r.id for r in client.list_seat_balances()] == ["cust-1"]
    assert len(clock.sleeps) == 1
    assert 2.0 <= clock.sleeps[0] <= 4.0


def test_list_seat_balances_429_with_long_retry_after_raises_rate_limited(fake, client, clock):
    fake.expect("GET", "/api/seat-balances", respond(429, headers={"Retry-After": "120"}))

    with pytest.raises(UpstreamRateLimited) as info:
        client.list_seat_balances()

    assert info.value.retry_after == 120
    assert clock.sleeps == []


def test_list_seat_balances_connection_error_every_time_raises_unavailable(fake, client):
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    for _ in range(RetryPolicy().max_attempts):
        fake.expect("GET", "/api/seat-balances", refuse)

    with pytest.raises(UpstreamUnavailable) as info:
        client.list_seat_balances()

    assert info.value.status is None


def test_list_seat_balances_read_timeout_raises_unavailable(fake, client):
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow")

    for _ in range(RetryPolicy().max_attempts):
        fake.expect("GET", "/api/seat-balances", slow)

    with pytest.raises(UpstreamUnavailable):
        client.list_seat_balances()
