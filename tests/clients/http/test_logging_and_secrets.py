"""JsonHttp: one warning per retry; credentials never in errors, reprs or logs."""

from __future__ import annotations

import base64
import logging
import socket

import pytest

from seatdash.clients.errors import (
    UpstreamError,
    UpstreamRejected,
    UpstreamUnavailable,
)
from seatdash.clients.http import JsonHttp, RetryPolicy
from tests.clients.http.support import (
    ENDPOINT,
    SECRET,
    FakeUpstream,
    json_response,
    make_http,
    respond_with,
)


def test_request_json_retry_logs_one_warning_per_retry_with_context(caplog):
    caplog.set_level(logging.DEBUG, logger="seatdash.clients.http")
    upstream = FakeUpstream(json_response(503), json_response(502), json_response(200, {}))

    make_http(upstream).request_json("GET", "/t", endpoint=ENDPOINT)

    warnings = [r for r in caplog.records if r.name == "seatdash.clients.http"]
    assert [r.levelno for r in warnings] == [logging.WARNING, logging.WARNING]
    first, second = (r.getMessage() for r in warnings)
    assert "Acme" in first and ENDPOINT in first and "503" in first and "1/3" in first
    assert "502" in second and "2/3" in second


@pytest.mark.timeout(20)
def test_request_json_secret_never_in_errors_reprs_or_logs(loopback, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "seatdash"):
        caplog.set_level(logging.DEBUG, logger=name)
    encoded = base64.b64encode(f"client-id:{SECRET}".encode()).decode()

    def echo_everything(conn: socket.socket, head: bytes) -> None:
        # A hostile upstream that echoes the request, credentials included, in its error message.
        text = head.decode("latin-1").replace("\r\n", " ")
        message = f"bad request {text} secret={SECRET}".replace('"', "'")
        respond_with("400 Bad Request", f'{{"message": "{message}"}}'.encode())(conn, head)

    server = loopback(echo_everything)
    unavailable = loopback(respond_with("503 Service Unavailable", b""))
    errors: list[UpstreamError] = []
    clients = [
        JsonHttp(
            provider="Acme",
            base_url=url,
            auth=("client-id", SECRET),
            retry=RetryPolicy(backoff_base=0.01, deadline=5),
        )
        for url in (server.url, unavailable.url, "http://127.0.0.1:9")
    ]
    clients.append(
        JsonHttp(
            provider="Acme",
            base_url=f"https://client-id:{SECRET}@acme.test/api",
            headers={"Authorization": f"Bearer {SECRET}"},
        )
    )
    try:
        for client in clients[:3]:
            with pytest.raises(UpstreamError) as info:
                client.request_json("GET", "/t", endpoint=ENDPOINT, params={"q": "1"})
            errors.append(info.value)
    finally:
        for client in clients:
            client.close()

    assert [type(e) for e in errors] == [UpstreamRejected, UpstreamUnavailable, UpstreamUnavailable]
    assert "bad request" in errors[0].message  # the upstream's message survives, minus the secret
    texts = [str(e) for e in errors] + [repr(e) for e in errors] + [repr(c) for c in clients]
    texts += [record.getMessage() for record in caplog.records]
    texts += [str(record.args) for record in caplog.records]
    assert any("httpx" in r.name or "httpcore" in r.name for r in caplog.records)
    for text in texts:
        assert SECRET not in text
        assert encoded not in text
