"""JsonHttp: a 2xx answer, and the timeouts every call carries."""

from __future__ import annotations

import base64

import httpx
import pytest

from seatdash.clients import http as http_module
from seatdash.clients.errors import UpstreamBadPayload
from seatdash.clients.http import RetryPolicy
from tests.clients.http.support import (
    ENDPOINT,
    SECRET,
    FakeUpstream,
    json_response,
    make_http,
)


def test_request_json_200_returns_decoded_body_and_sends_to_base_path():
    upstream = FakeUpstream(json_response(200, {"items": [1, 2]}))
    with make_http(upstream) as client:
        body = client.request_json("GET", "/things", endpoint=ENDPOINT, params={"a": "x,y"})

    assert body == {"items": [1, 2]}
    request = upstream.requests[0]
    assert request.url.path == "/api/things"
    assert request.url.params["a"] == "x,y"
    expected = base64.b64encode(f"client-id:{SECRET}".encode()).decode()
    assert request.headers["authorization"] == f"Basic {expected}"


def test_request_json_201_when_201_expected_returns_body():
    upstream = FakeUpstream(json_response(201, {"id": "e1"}))
    client = make_http(upstream)

    body = client.request_json(
        "POST", "/things", endpoint="POST /things", json={"a": 1}, expect_status={201}
    )

    assert body == {"id": "e1"}
    assert upstream.requests[0].read() == b'{"a":1}'


def test_request_json_200_when_201_expected_raises_bad_payload():
    upstream = FakeUpstream(json_response(200, {"id": "e1"}))

    with pytest.raises(UpstreamBadPayload) as info:
        make_http(upstream).request_json(
            "POST", "/things", endpoint="POST /things", expect_status={201}
        )

    assert info.value.status == 200
    assert "POST /things" in str(info.value)


def test_request_json_204_returns_none():
    upstream = FakeUpstream(httpx.Response(204))

    assert make_http(upstream).request_json("DELETE", "/things/1", endpoint="DELETE") is None


def test_request_json_every_call_carries_explicit_default_timeouts():
    upstream = FakeUpstream(json_response(200, {}))
    make_http(upstream).request_json("GET", "/things", endpoint=ENDPOINT)

    timeouts = upstream.requests[0].extensions["timeout"]
    assert timeouts["connect"] == http_module.DEFAULT_TIMEOUT.connect == 2.0
    assert timeouts["read"] == http_module.DEFAULT_TIMEOUT.read == 5.0
    assert None not in timeouts.values()


def test_request_json_timeouts_longer_than_deadline_are_cut_to_it():
    upstream = FakeUpstream(json_response(200, {}))
    retry = RetryPolicy(deadline=1.5)
    make_http(upstream, retry=retry, timeout=httpx.Timeout(None, connect=9.0)).request_json(
        "GET", "/things", endpoint=ENDPOINT
    )

    timeouts = upstream.requests[0].extensions["timeout"]
    assert timeouts
    assert all(value <= retry.deadline for value in timeouts.values())
