"""JsonHttp: error mapping, the retry policy and its budget, the call deadline, redaction."""

from __future__ import annotations

import base64
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from seatdash.clients import http as http_module
from seatdash.clients import retry as retry_module
from seatdash.clients.errors import (
    UpstreamBadPayload,
    UpstreamError,
    UpstreamNotFound,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamUnauthorized,
    UpstreamUnavailable,
)
from seatdash.clients.http import JsonHttp, RetryPolicy
from seatdash.clients.retry import parse_retry_after

ENDPOINT = "GET /things"
SECRET = "s3cr3t-Client-Secret-value"

Handler = Callable[[httpx.Request], httpx.Response]


class FakeClock:
    """A monotonic clock that only moves when told to, and a sleep that moves it and is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class FakeUpstream:
    """Answers calls from a script, in order; any call beyond the script fails the test."""

    def __init__(self, *responses: Handler | httpx.Response | Exception) -> None:
        self.script = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.script:
            pytest.fail(f"unexpected upstream call: {request.method} {request.url}")
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        if isinstance(step, httpx.Response):
            return step
        return step(request)

    @property
    def calls(self) -> int:
        return len(self.requests)


def make_http(
    upstream: FakeUpstream,
    clock: FakeClock | None = None,
    *,
    retry: RetryPolicy | None = None,
    timeout: httpx.Timeout | None = None,
    **kwargs,
) -> JsonHttp:
    clock = clock or FakeClock()
    return JsonHttp(
        provider="Acme",
        base_url="https://acme.test/api",
        auth=("client-id", SECRET),
        transport=httpx.MockTransport(upstream),
        retry=retry,
        timeout=timeout,
        sleep=clock.sleep,
        clock=clock,
        **kwargs,
    )


def json_response(status: int, body: object = None, **kwargs) -> httpx.Response:
    return httpx.Response(status, json=body, **kwargs)


@pytest.fixture
def top_of_jitter(monkeypatch: pytest.MonkeyPatch) -> None:
    """Full jitter always picks its upper bound, so the backoff schedule can be asserted."""
    monkeypatch.setattr(retry_module.random, "uniform", lambda low, high: high)


# --- success ------------------------------------------------------------------------------------


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


# --- error mapping ------------------------------------------------------------------------------


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


# --- the call deadline (fake clock) -------------------------------------------------------------


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


# --- the call deadline over a real loopback socket ----------------------------------------------


class LoopbackServer:
    """A one-thread HTTP/1.1 server on 127.0.0.1 answering each connection with `respond(conn)`."""

    def __init__(self, respond: Callable[[socket.socket, bytes], None]) -> None:
        self.respond = respond
        self.stop = threading.Event()
        self.requests: list[bytes] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(2.0)
                try:
                    head = b""
                    while b"\r\n\r\n" not in head:
                        data = conn.recv(4096)
                        if not data:
                            break
                        head += data
                    self.requests.append(head)
                    self.respond(conn, head)
                except OSError:
                    pass  # the client hung up: exactly what a deadline does

    def close(self) -> None:
        self.stop.set()
        self.sock.close()
        self.thread.join(timeout=5)


@pytest.fixture
def loopback() -> Iterator[Callable[[Callable[[socket.socket, bytes], None]], LoopbackServer]]:
    servers: list[LoopbackServer] = []

    def start(respond: Callable[[socket.socket, bytes], None]) -> LoopbackServer:
        server = LoopbackServer(respond)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def respond_with(
    status: str, body: bytes, extra: str = ""
) -> Callable[[socket.socket, bytes], None]:
    def respond(conn: socket.socket, head: bytes) -> None:
        conn.sendall(
            f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{extra}"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )

    return respond


def drip(
    interval: float, size: int, stop: threading.Event
) -> Callable[[socket.socket, bytes], None]:
    def respond(conn: socket.socket, head: bytes) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {size}\r\n\r\n".encode()
        )
        for _ in range(size):
            if stop.wait(interval):
                return
            conn.sendall(b" ")

    return respond


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


# --- logging and secrets ------------------------------------------------------------------------


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
