"""SequenceClient: auth and version headers on every call; closing; secrets kept out."""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime

import httpx
import pytest

from seatdash.clients.errors import UpstreamError
from seatdash.clients.sequence import SequenceClient
from tests.clients.sequence.support import (
    BASE_URL,
    CLIENT_ID,
    SECRET,
    VERSION,
    event,
    page,
    respond,
)


def test_client_every_call_sends_basic_auth_and_version_header(fake, client):
    fake.expect("GET", "/api/seat-balances", page([]))
    fake.expect("GET", "/api/seat-events", page([]))
    fake.expect("GET", "/api/seat-events/evt-1", respond(200, event(1)))
    fake.expect("POST", "/api/seat-events", respond(201, event(2)))

    client.list_seat_balances()
    client.list_seat_events()
    client.get_seat_event("evt-1")
    client.create_seat_event(
        customer_alias="a", seat_type="admin", total=2, event_timestamp=datetime.now(UTC)
    )

    token = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
    assert len(fake.requests) == 4
    for request in fake.requests:
        assert request.headers["Authorization"] == f"Basic {token}"
        assert request.headers["Sequence-Version"] == VERSION
        assert request.url.host == "eu.sequencehq.com"


def test_client_api_version_is_configurable(fake, clock):
    fake.expect("GET", "/api/seat-balances", page([]))
    with SequenceClient(
        base_url=BASE_URL,
        client_id=CLIENT_ID,
        client_secret=SECRET,
        api_version="2024-05-09",
        transport=httpx.MockTransport(fake),
    ) as sequence:
        sequence.list_seat_balances()

    assert fake.requests[0].headers["Sequence-Version"] == "2024-05-09"


def test_client_closed_later_call_raises_runtime_error_before_any_request(fake):
    sequence = SequenceClient(
        base_url=BASE_URL,
        client_id=CLIENT_ID,
        client_secret=SECRET,
        transport=httpx.MockTransport(fake),
    )
    sequence.close()

    with pytest.raises(RuntimeError, match="closed"):
        sequence.list_seat_balances()


def test_client_secret_never_in_repr_errors_or_logs(fake, client, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "seatdash"):
        caplog.set_level(logging.DEBUG, logger=name)
    token = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()

    def echo_auth(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400,
            json={"error": {"type": "Bad", "message": f"got {request.headers['Authorization']}"}},
        )

    fake.expect("GET", "/api/seat-balances", respond(503))
    fake.expect("GET", "/api/seat-balances", echo_auth)
    fake.expect("GET", "/api/seat-events/x", respond(401, {"message": f"bad secret {SECRET}"}))

    errors = []
    for call in (client.list_seat_balances, lambda: client.get_seat_event("x")):
        with pytest.raises(UpstreamError) as info:
            call()
        errors.append(info.value)

    texts = [repr(client), *(str(e) for e in errors), *(repr(e) for e in errors)]
    texts += [r.getMessage() for r in caplog.records]
    assert any(r.levelno == logging.WARNING for r in caplog.records)  # the 503 retry was logged
    for text in texts:
        assert SECRET not in text
        assert token not in text
