"""What the SequenceClient tests share: a strict fake Sequence, a clock, JSON builders."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

BASE_URL = "https://eu.sequencehq.com/api"
CLIENT_ID = "seq-client-id"
SECRET = "seq-Secret-0123456789abcdef"
VERSION = "2024-07-30"

Route = tuple[str, str, Callable[[httpx.Request], httpx.Response]]


class FakeSequence:
    """Answers only the calls it was told to expect, in order; anything else fails the test."""

    def __init__(self) -> None:
        self.expected: list[Route] = []
        self.requests: list[httpx.Request] = []

    def expect(
        self, method: str, path: str, respond: Callable[[httpx.Request], httpx.Response]
    ) -> None:
        self.expected.append((method, path, respond))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.expected:
            pytest.fail(f"unexpected call: {request.method} {request.url}")
        method, path, respond = self.expected.pop(0)
        if (request.method, request.url.raw_path.split(b"?")[0].decode()) != (method, path):
            pytest.fail(f"expected {method} {path}, got {request.method} {request.url}")
        return respond(request)

    def assert_done(self) -> None:
        assert self.expected == [], "expected calls never made"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def customer(n: int, **overrides) -> dict:
    body = {
        "id": f"cust-{n}",
        "sequenceAccountId": "acct-1",
        "legalName": f"Customer {n}",
        "customerAliases": [f"alias-{n}", f"alt-{n}"],
        "total": n + 1,
        "changeTimestamp": "2022-06-28T16:47:00Z",
        "balances": [
            {"seatType": "admin", "total": n + 1, "changeTimestamp": "2022-06-28T16:47:00Z"}
        ],
    }
    body.update(overrides)
    return body


def event(n: int, **overrides) -> dict:
    body = {
        "id": f"evt-{n}",
        "customerEventId": f"ce-{n}",
        "customerAlias": f"alias-{n}",
        "seatType": "admin",
        "sequenceAccountId": "acct-1",
        "eventTimestamp": "2022-10-01T00:00:00Z",
        "total": n,
    }
    body.update(overrides)
    return body


def page(
    items: list[dict], after: object = None, **extra
) -> Callable[[httpx.Request], httpx.Response]:
    pagination = {"after": after, "before": None, "totalResultSize": None} | extra
    return lambda request: httpx.Response(200, json={"items": items, "pagination": pagination})


def respond(
    status: int, body: object = None, **kwargs
) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, json=body, **kwargs)
