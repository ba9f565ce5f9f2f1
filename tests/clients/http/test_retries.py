"""JsonHttp: which failures are retried, how often, how long apart (backoff, Retry-After)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from seatdash.clients import retry as retry_module
from seatdash.clients.errors import (
    UpstreamRateLimited,
    UpstreamUnavailable,
)
from seatdash.clients.http import RetryPolicy
from seatdash.clients.retry import parse_retry_after
from tests.clients.http.support import (
    ENDPOINT,
    FakeClock,
    FakeUpstream,
    json_response,
    make_http,
)


@pytest.mark.parametrize("status", [502, 503, 504])
def test_request_json_gateway_status_retried_to_max_attempts_then_unavailable(
    status, top_of_jitter
):
    policy = RetryPolicy()
    upstream = FakeUpstream(*[json_response(status)] * policy.max_attempts)
    clock = FakeClock()

    with pytest.raises(UpstreamUnavailable) as info:
        make_http(upstream, clock, retry=policy).request_json("GET", "/things", endpoint=ENDPOINT)

    assert type(info.value) is UpstreamUnavailable
    assert info.value.status == status
    assert upstream.calls == policy.max_attempts
    assert clock.sleeps == [
        min(policy.backoff_cap, policy.backoff_base * 2**n) for n in range(policy.max_attempts - 1)
    ]


def test_request_json_503_then_200_returns_body_after_one_sleep():
    upstream = FakeUpstream(json_response(503), json_response(200, {"ok": True}))
    clock = FakeClock()

    assert make_http(upstream, clock).request_json("GET", "/t", endpoint=ENDPOINT) == {"ok": True}
    assert upstream.calls == 2
    assert len(clock.sleeps) == 1
    assert 0 <= clock.sleeps[0] <= RetryPolicy().backoff_base


def test_request_json_backoff_never_exceeds_cap():
    policy = RetryPolicy(max_attempts=8, backoff_base=1.0, backoff_cap=1.5, deadline=100.0)
    upstream = FakeUpstream(*[json_response(503)] * policy.max_attempts)
    clock = FakeClock()

    with pytest.raises(UpstreamUnavailable):
        make_http(upstream, clock, retry=policy).request_json("GET", "/t", endpoint=ENDPOINT)

    assert len(clock.sleeps) == policy.max_attempts - 1
    assert all(0 <= s <= policy.backoff_cap for s in clock.sleeps)


def test_request_json_429_without_retry_after_backs_off_for_seconds_then_raises_rate_limited(
    top_of_jitter,
):
    # Sequence publishes per-minute limits: 2-4 s, then 4-8 s, never the 0.25 s of a 503.
    upstream = FakeUpstream(*[json_response(429)] * 3)
    clock = FakeClock()

    with pytest.raises(UpstreamRateLimited) as info:
        make_http(upstream, clock, retry=RetryPolicy(deadline=30.0)).request_json(
            "GET", "/t", endpoint=ENDPOINT
        )

    assert info.value.status == 429
    assert info.value.retry_after is None
    assert upstream.calls == 3
    assert clock.sleeps == [4.0, 8.0]


def test_request_json_429_without_retry_after_waits_at_least_two_seconds(monkeypatch):
    monkeypatch.setattr(retry_module.random, "uniform", lambda low, high: low)
    upstream = FakeUpstream(json_response(429), json_response(200, {"ok": True}))
    clock = FakeClock()

    assert make_http(upstream, clock).request_json("GET", "/t", endpoint=ENDPOINT) == {"ok": True}
    assert clock.sleeps == [2.0]


def test_request_json_429_backoff_past_the_deadline_is_not_taken(top_of_jitter):
    upstream = FakeUpstream(*[json_response(429)] * 3)
    clock = FakeClock()

    with pytest.raises(UpstreamRateLimited):
        make_http(upstream, clock, retry=RetryPolicy(deadline=8.0)).request_json(
            "GET", "/t", endpoint=ENDPOINT
        )

    assert clock.sleeps == [4.0]
    assert upstream.calls == 2


def test_request_json_429_with_short_retry_after_sleeps_that_long_and_succeeds():
    upstream = FakeUpstream(
        json_response(429, headers={"Retry-After": "1"}),
        json_response(429, headers={"Retry-After": "2"}),
        json_response(200, {"ok": 1}),
    )
    clock = FakeClock()

    assert make_http(upstream, clock).request_json("GET", "/t", endpoint=ENDPOINT) == {"ok": 1}
    assert clock.sleeps == [1.0, 2.0]


def test_request_json_429_with_retry_after_beyond_limit_raises_at_once_with_hint():
    policy = RetryPolicy()
    wait = policy.max_retry_after * 10
    upstream = FakeUpstream(json_response(429, headers={"Retry-After": f"{wait:g}"}))
    clock = FakeClock()

    with pytest.raises(UpstreamRateLimited) as info:
        make_http(upstream, clock, retry=policy).request_json("GET", "/t", endpoint=ENDPOINT)

    assert info.value.retry_after == wait
    assert upstream.calls == 1
    assert clock.sleeps == []


def test_request_json_429_with_far_http_date_retry_after_raises_at_once():
    later = datetime.now(UTC) + timedelta(hours=1)
    upstream = FakeUpstream(
        json_response(429, headers={"Retry-After": format_datetime(later, usegmt=True)})
    )
    clock = FakeClock()

    with pytest.raises(UpstreamRateLimited) as info:
        make_http(upstream, clock).request_json("GET", "/t", endpoint=ENDPOINT)

    assert info.value.retry_after > RetryPolicy().max_retry_after
    assert upstream.calls == 1
    assert clock.sleeps == []


def test_request_json_503_with_short_retry_after_honours_it():
    upstream = FakeUpstream(
        json_response(503, headers={"Retry-After": "0.5"}), json_response(200, {"ok": 1})
    )
    clock = FakeClock()

    make_http(upstream, clock).request_json("GET", "/t", endpoint=ENDPOINT)

    assert clock.sleeps == [0.5]


def test_parse_retry_after_accepts_seconds_and_http_date_and_rejects_junk():
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    in_two = format_datetime(now + timedelta(seconds=2), usegmt=True)
    in_the_past = format_datetime(now - timedelta(seconds=30), usegmt=True)

    assert parse_retry_after("7", now=now) == 7.0
    assert parse_retry_after(" 1.5 ", now=now) == 1.5
    assert parse_retry_after("-3", now=now) == 0.0
    assert parse_retry_after(in_two, now=now) == 2.0
    assert parse_retry_after(in_the_past, now=now) == 0.0
    for junk in (None, "", "soon", "nan", "inf"):
        assert parse_retry_after(junk, now=now) is None


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("slow connect"),
        httpx.ReadTimeout("slow read"),
        httpx.ReadError("reset"),
        httpx.RemoteProtocolError("garbled"),
        httpx.PoolTimeout("pool"),
    ],
)
def test_request_json_transient_transport_error_retried_then_unavailable(exc):
    policy = RetryPolicy()
    upstream = FakeUpstream(*[exc] * policy.max_attempts)
    clock = FakeClock()

    with pytest.raises(UpstreamUnavailable) as info:
        make_http(upstream, clock, retry=policy).request_json("GET", "/t", endpoint=ENDPOINT)

    assert type(info.value) is UpstreamUnavailable
    assert (info.value.provider, info.value.endpoint, info.value.status) == ("Acme", ENDPOINT, None)
    assert upstream.calls == policy.max_attempts
    assert len(clock.sleeps) == policy.max_attempts - 1


def test_request_json_connect_error_then_200_returns_body():
    upstream = FakeUpstream(httpx.ConnectError("refused"), json_response(200, [1]))

    assert make_http(upstream).request_json("GET", "/t", endpoint=ENDPOINT) == [1]
    assert upstream.calls == 2


def test_request_json_unsupported_protocol_not_retried_and_mapped():
    upstream = FakeUpstream(httpx.UnsupportedProtocol("ftp"))

    with pytest.raises(UpstreamUnavailable):
        make_http(upstream).request_json("GET", "/t", endpoint=ENDPOINT)

    assert upstream.calls == 1


@pytest.mark.parametrize("first", [json_response(503), httpx.ConnectError("refused")])
def test_request_json_post_never_retried(first):
    upstream = FakeUpstream(first)

    with pytest.raises(UpstreamUnavailable):
        make_http(upstream).request_json("POST", "/t", endpoint="POST /t", json={})

    assert upstream.calls == 1


def test_request_json_post_marked_idempotent_is_retried():
    upstream = FakeUpstream(json_response(503), json_response(200, {"ok": 1}))

    body = make_http(upstream).request_json(
        "POST", "/list", endpoint="POST /list", json={}, idempotent=True
    )

    assert body == {"ok": 1}
    assert upstream.calls == 2
