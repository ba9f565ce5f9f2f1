"""Fixtures of the MetronomeClient tests: the fake fails on any call it was not told to expect."""

from __future__ import annotations

import httpx
import pytest

from seatdash.clients.http import RetryPolicy
from seatdash.clients.metronome import MetronomeClient
from tests.clients.metronome.support import (
    BASE_URL,
    TOKEN,
    FakeMetronome,
)


@pytest.fixture
def upstream() -> FakeMetronome:
    return FakeMetronome()


@pytest.fixture
def client(upstream):
    sleeps: list[float] = []
    c = MetronomeClient(
        base_url=BASE_URL,
        bearer_token=TOKEN,
        retry=RetryPolicy(max_attempts=2, backoff_base=0, backoff_cap=0, max_retry_after=0),
        transport=httpx.MockTransport(upstream.handle),
        sleep=sleeps.append,
    )
    yield c
    c.close()
    assert not upstream.expected, "expected calls were not made"
