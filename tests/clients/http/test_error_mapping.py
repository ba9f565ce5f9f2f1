"""JsonHttp: each status onto the error tree, with the provider's words and no secrets."""

from __future__ import annotations

import base64

import httpx
import pytest

from seatdash.clients.errors import (
    UpstreamBadPayload,
    UpstreamError,
    UpstreamNotFound,
    UpstreamRejected,
    UpstreamUnauthorized,
    UpstreamUnavailable,
)
from tests.clients.http.support import (
    ENDPOINT,
    SECRET,
    FakeClock,
    FakeUpstream,
    json_response,
    make_http,
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"error": {"type": "UnrecognisedApiVersion", "message": "No matching API version"}},
            ["UnrecognisedApiVersion", "No matching API version"],
        ),
        (
            {"errors": [{"message": "limit too big"}, {"message": "bad cursor"}]},
            ["limit too big", "bad cursor"],
        ),
        ({"errors": ["customerIds: max 25"]}, ["customerIds: max 25"]),
        ({"message": "starting_at must be an hour boundary"}, ["starting_at must be an hour"]),
        ({"error": "plain string"}, ["plain string"]),
    ],
)
def test_request_json_400_with_known_body_shape_raises_rejected_with_upstream_message(
    body, expected
):
    upstream = FakeUpstream(json_response(400, body))

    with pytest.raises(UpstreamRejected) as info:
        make_http(upstream).request_json("GET", "/things", endpoint=ENDPOINT)

    error = info.value
    for text in expected:
        assert text in error.message
    assert (error.provider, error.endpoint, error.status) == ("Acme", ENDPOINT, 400)
    assert upstream.calls == 1


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(400),
        httpx.Response(400, text="<html>Bad Request</html>"),
        httpx.Response(400, json={"errors": []}),
        httpx.Response(400, json=[1, 2]),
    ],
)
def test_request_json_400_without_usable_message_raises_rejected_naming_status(response):
    upstream = FakeUpstream(response)

    with pytest.raises(UpstreamRejected) as info:
        make_http(upstream).request_json("GET", "/things", endpoint=ENDPOINT)

    assert info.value.status == 400
    assert ENDPOINT in str(info.value)
    assert "<html>" not in str(info.value)


def test_request_json_error_message_hook_overrides_default_extraction():
    upstream = FakeUpstream(json_response(422, {"detail": {"why": "custom shape"}}))
    client = make_http(upstream, error_message=lambda body: body["detail"]["why"])

    with pytest.raises(UpstreamRejected, match="custom shape") as info:
        client.request_json("GET", "/things", endpoint=ENDPOINT)

    assert info.value.status == 422


@pytest.mark.parametrize(
    ("status", "error_class"),
    [(401, UpstreamUnauthorized), (403, UpstreamUnauthorized), (404, UpstreamNotFound)],
)
def test_request_json_auth_and_not_found_carry_provider_message_through_hook(status, error_class):
    upstream = FakeUpstream(json_response(status, {"detail": "Customer cust-9 not found"}))
    client = make_http(upstream, error_message=lambda body: body["detail"])

    with pytest.raises(error_class) as info:
        client.request_json("GET", "/things", endpoint=ENDPOINT)

    assert "Customer cust-9 not found" in info.value.message
    assert str(status) in info.value.message


@pytest.mark.parametrize("status", [401, 403, 404])
def test_request_json_auth_and_not_found_message_has_credentials_scrubbed(status):
    encoded = base64.b64encode(f"client-id:{SECRET}".encode()).decode()
    body = {"message": f"token {SECRET} / Basic {encoded} is not allowed here"}
    upstream = FakeUpstream(json_response(status, body))

    with pytest.raises(UpstreamError) as info:
        make_http(upstream).request_json("GET", "/things", endpoint=ENDPOINT)

    assert "is not allowed here" in info.value.message
    assert SECRET not in str(info.value)
    assert encoded not in str(info.value)


def test_request_json_error_message_hook_that_crashes_falls_back_to_default():
    upstream = FakeUpstream(json_response(400, {"message": "fallback text"}))
    client = make_http(upstream, error_message=lambda body: body["nope"])

    with pytest.raises(UpstreamRejected, match="fallback text"):
        client.request_json("GET", "/things", endpoint=ENDPOINT)


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (401, UpstreamUnauthorized),
        (403, UpstreamUnauthorized),
        (404, UpstreamNotFound),
        (409, UpstreamRejected),
        (500, UpstreamUnavailable),
        (501, UpstreamUnavailable),
    ],
)
def test_request_json_non_retryable_status_raises_mapped_error_after_one_call(status, error_class):
    upstream = FakeUpstream(json_response(status, {"message": "nope"}))
    clock = FakeClock()

    with pytest.raises(error_class) as info:
        make_http(upstream, clock).request_json("GET", "/things", endpoint=ENDPOINT)

    assert type(info.value) is error_class
    assert (info.value.provider, info.value.endpoint, info.value.status) == (
        "Acme",
        ENDPOINT,
        status,
    )
    assert upstream.calls == 1
    assert clock.sleeps == []


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="<html>gateway login</html>"),
        httpx.Response(200, content=b'{"items": ['),
        httpx.Response(200, content=b"\xff\xfe\x00garbage"),
        httpx.Response(200),
    ],
)
def test_request_json_2xx_with_non_json_body_raises_bad_payload_naming_endpoint(response):
    upstream = FakeUpstream(response)

    with pytest.raises(UpstreamBadPayload) as info:
        make_http(upstream).request_json("GET", "/t", endpoint=ENDPOINT)

    assert ENDPOINT in str(info.value)
    assert info.value.status == 200
    assert upstream.calls == 1
