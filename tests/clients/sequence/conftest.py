"""Fixtures of the SequenceClient tests: the fake fails on any call it was not told to expect."""

from __future__ import annotations

import httpx
import pytest

from seatdash.clients.sequence import SequenceClient
from tests.clients.sequence.support import (
    BASE_URL,
    CLIENT_ID,
    SECRET,
    Clock,
    FakeSequence,
)


@pytest.fixture
def fake() -> FakeSequence:
    upstream = FakeSequence()
    yield upstream
    upstream.assert_done()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(fake: FakeSequence, clock: Clock) -> SequenceClient:
    with SequenceClient(
        base_url=BASE_URL,
        client_id=CLIENT_ID,
        client_secret=SECRET,
        transport=httpx.MockTransport(fake),
        sleep=clock.sleep,
        clock=clock,
    ) as sequence:
        yield sequence
