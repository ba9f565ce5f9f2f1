"""Retry-After limits pinned as literals: the policy's numbers are the contract, not its defaults.

Kept apart from test_retries.py, which builds its expectations from RetryPolicy() and so
cannot notice a changed default.
"""

from __future__ import annotations

import httpx
import pytest

from seatdash.clients.errors import UpstreamRateLimited
from seatdash.clients.http import JsonHttp, RetryPolicy


def http_answering(*statuses_and_headers, sleeps: list[float]) -> tuple[JsonHttp, list]:
    answers = list(statuses_and_headers)
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        status, headers = answers.pop(0)
        return httpx.Response(status, json={"ok": status == 200}, headers=headers)

    http = JsonHttp(
        provider="Sequence",
        base_url="https://upstream.example/api",
        transport=httpx.MockTransport(handler),
        # The default policy: its limits are what this module pins.
        retry=RetryPolicy(),
        sleep=sleeps.append,
    )
    return http, calls


def test_retry_policy_default_honours_retry_after_up_to_three_seconds():
    assert RetryPolicy().max_retry_after == 3.0


@pytest.mark.parametrize("retry_after", ["4", "10", "29"])
def test_429_with_retry_after_over_three_seconds_ends_the_call_at_once(retry_after):
    sleeps: list[float] = []
    http, calls = http_answering((429, {"Retry-After": retry_after}), (200, {}), sleeps=sleeps)

    with pytest.raises(UpstreamRateLimited) as info:
        http.request_json("GET", "/seat-balances", endpoint="GET /seat-balances")

    assert len(calls) == 1
    assert sleeps == []
    assert info.value.retry_after == float(retry_after)


def test_429_with_retry_after_of_three_seconds_is_waited_then_retried():
    sleeps: list[float] = []
    http, calls = http_answering((429, {"Retry-After": "3"}), (200, {}), sleeps=sleeps)

    assert http.request_json("GET", "/seat-balances", endpoint="GET /seat-balances") == {"ok": True}
    assert len(calls) == 2
    assert sleeps == [3.0]
