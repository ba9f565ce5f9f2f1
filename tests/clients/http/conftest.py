"""Fixtures of the JsonHttp tests."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest

from seatdash.clients import retry as retry_module
from tests.clients.http.support import LoopbackServer


@pytest.fixture
def top_of_jitter(monkeypatch: pytest.MonkeyPatch) -> None:
    """Full jitter always picks its upper bound, so the backoff schedule can be asserted."""
    monkeypatch.setattr(retry_module.random, "uniform", lambda low, high: high)


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
