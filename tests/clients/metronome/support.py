"""What the MetronomeClient tests share: a strict fake Metronome and JSON builders."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import pytest

from seatdash.clients.metronome import SeatBalanceQuery

BASE_URL = "https://metronome.test"
TOKEN = "test-token"
CUSTOMER = "8f0b3a4e-2a8e-4b7a-9d55-0c1e2f3a4b5c"
CONTRACT = "1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
CREDIT_TYPE = "2714e483-4ff1-48e4-9e25-ac732e8f24f2"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class FakeMetronome:
    """Answers only the calls it was told to expect, in order; any other call fails the test."""

    expected: list[tuple[str, str, Callable[[httpx.Request], httpx.Response]]] = field(
        default_factory=list
    )
    requests: list[httpx.Request] = field(default_factory=list)

    def expect(self, method: str, path: str, respond) -> None:
        handler = respond if callable(respond) else (lambda _request, r=respond: r)
        self.expected.append((method, path, handler))

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.expected:
            pytest.fail(f"unexpected call {request.method} {request.url}")
        method, path, handler = self.expected.pop(0)
        raw_path = request.url.raw_path.split(b"?")[0].decode()
        assert (request.method, raw_path) == (method, path)
        return handler(request)

    def bodies(self) -> list[dict]:
        return [json.loads(r.content) for r in self.requests]


def query(**overrides) -> SeatBalanceQuery:
    return SeatBalanceQuery(**{"customer_id": CUSTOMER, "contract_id": CONTRACT, **overrides})


def seat(seat_id: str, *, commits: int = 0, credits: int = 0, balance: float = 100.0) -> dict:
    def grant(prefix: str, i: int) -> dict:
        return {
            "id": f"{prefix}-{seat_id}-{i}",
            "balance": 10,
            "start_date": "2026-01-01T00:00:00Z",
            "end_date": None,
            "ledger_entries": [],
        }

    return {
        "seat_id": seat_id,
        "balances": [{"credit_type_id": CREDIT_TYPE, "balance": balance, "starting_balance": 500}],
        "commits": [grant("commit", i) for i in range(commits)],
        "credits": [grant("credit", i) for i in range(credits)],
    }


def page(seats: list[dict], next_page: str | None = None, remaining: int = 0) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "data": seats,
            "pagination": {
                "seats_included": len(seats),
                "seats_available_for_next_page": remaining,
                "next_page": next_page,
            },
        },
    )


SEAT_BALANCES = "/v1/contracts/seatBalances/list"
