"""What the JsonHttp tests share: a scripted upstream, a fake clock, a loopback server."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

import httpx
import pytest

from seatdash.clients.http import JsonHttp, RetryPolicy

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
