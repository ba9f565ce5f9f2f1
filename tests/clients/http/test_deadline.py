"""JsonHttp: the call deadline, against a fake clock and a real loopback socket."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from seatdash.clients import http as http_module
from seatdash.clients.errors import (
    UpstreamRateLimited,
    UpstreamUnavailable,
)
from seatdash.clients.http import JsonHttp, RetryPolicy
from tests.clients.http.support import (
    ENDPOINT,
    FakeClock,
    FakeUpstream,
    drip,
    json_response,
    make_http,
    respond_with,
)


def test_request_json_sleep_that_would_cross_deadline_is_not_taken(top_of_jitter):
    policy = RetryPolicy(max_attempts=5, backoff_base=1.0, backoff_cap=2.0, deadline=8.0)
    clock = FakeClock()
    start = clock.now

    def slow_503(request: httpx.Request) -> httpx.Response:
        clock.now += 2.5
        return json_response(503)

    upstream = FakeUpstream(slow_503, slow_503, slow_503)

    with pytest.raises(UpstreamUnavailable):
        make_http(upstream, clock, retry=policy).request_json("GET", "/t", endpoint=ENDPOINT)

    # t=2.5 sleep 1 -> 3.5, t=6.0 would sleep 2 -> 8.0: not taken.
    assert clock.sleeps == [1.0]
    assert upstream.calls == 2
    assert clock.now - start <= policy.deadline


def test_request_json_retry_after_crossing_deadline_raises_without_sleeping():
    policy = RetryPolicy(deadline=2.0, max_retry_after=3.0)
    upstream = FakeUpstream(json_response(429, headers={"Retry-After": "2.5"}))
    clock = FakeClock()

    with pytest.raises(UpstreamRateLimited) as info:
        make_http(upstream, clock, retry=policy).request_json("GET", "/t", endpoint=ENDPOINT)

    assert info.value.retry_after == 2.5
    assert clock.sleeps == []


def test_request_json_each_attempt_timeout_capped_by_time_left():
    policy = RetryPolicy(max_attempts=3, backoff_base=0.0, deadline=8.0)
    clock = FakeClock()
    start = clock.now
    seen: list[tuple[float, dict]] = []

    def slow_timeout(request: httpx.Request) -> httpx.Response:
        seen.append((clock.now, dict(request.extensions["timeout"])))
        clock.now += 3.0
        raise httpx.ReadTimeout("slow")

    upstream = FakeUpstream(slow_timeout, slow_timeout, slow_timeout)

    with pytest.raises(UpstreamUnavailable):
        make_http(upstream, clock, retry=policy).request_json("GET", "/t", endpoint=ENDPOINT)

    assert len(seen) == 3
    for sent_at, timeouts in seen:
        left = start + policy.deadline - sent_at
        assert timeouts
        assert all(value <= left for value in timeouts.values())
    assert seen[-1][1]["read"] < http_module.DEFAULT_TIMEOUT.read


def test_request_json_deadline_spent_before_attempt_raises_unavailable():
    policy = RetryPolicy(max_attempts=3, backoff_base=0.0, deadline=4.0)
    clock = FakeClock()

    def very_slow_503(request: httpx.Request) -> httpx.Response:
        clock.now += 4.0
        return json_response(503)

    upstream = FakeUpstream(very_slow_503)

    with pytest.raises(UpstreamUnavailable):
        make_http(upstream, clock, retry=policy).request_json("GET", "/t", endpoint=ENDPOINT)

    assert upstream.calls == 1


def test_request_json_body_still_arriving_at_deadline_raises_unavailable_without_retry():
    policy = RetryPolicy(deadline=3.0)
    clock = FakeClock()
    start = clock.now
    sent: list[int] = []

    def dripping_body() -> Iterator[bytes]:
        for n in range(20):
            clock.now += 1.0
            sent.append(n)
            yield b" "

    upstream = FakeUpstream(httpx.Response(200, content=dripping_body()))

    with pytest.raises(UpstreamUnavailable, match="deadline") as info:
        make_http(upstream, clock, retry=policy).request_json("GET", "/t", endpoint=ENDPOINT)

    assert info.value.endpoint == ENDPOINT
    assert upstream.calls == 1
    assert clock.sleeps == []
    assert clock.now - start == pytest.approx(policy.deadline)
    assert len(sent) < 20


@pytest.mark.timeout(20)
def test_request_json_dripping_server_raises_unavailable_at_deadline(loopback):
    stop = threading.Event()
    server = loopback(drip(0.5, 40, stop))
    # The read timeout alone (1 s) never fires against a byte every 0.5 s: only the deadline can.
    client = JsonHttp(
        provider="Acme",
        base_url=server.url,
        timeout=httpx.Timeout(1.0),
        retry=RetryPolicy(deadline=0.6),
    )
    try:
        with pytest.raises(UpstreamUnavailable) as info:
            client.request_json("GET", "/slow", endpoint="GET /slow")
    finally:
        stop.set()
        client.close()

    assert info.value.endpoint == "GET /slow"
    assert info.value.status is None
    assert len(server.requests) == 1


@pytest.mark.timeout(20)
def test_request_json_loopback_200_streams_whole_body(loopback):
    payload = b'{"items": ["' + b"x" * 200_000 + b'"]}'
    server = loopback(respond_with("200 OK", payload))

    with JsonHttp(provider="Acme", base_url=server.url, retry=RetryPolicy(deadline=5)) as client:
        body = client.request_json("GET", "/big", endpoint="GET /big")

    assert len(body["items"][0]) == 200_000
