"""An httpx transport that answers from the sandbox's views in this process.

The dashboard's SequenceClient goes through its whole HTTP path (auth header, query encoding,
status codes, JSON) without a second process. The view is called directly, not through Django's
handler: a handler run would fire `request_finished` and close the database connection of the
dashboard request it is nested in.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
from django.core.handlers.wsgi import WSGIRequest
from django.urls import Resolver404, resolve

SANDBOX_BASE_URL = "http://sandbox.internal/sandbox/api"
_PREFIX = urlsplit(SANDBOX_BASE_URL).path


class _Body(httpx.SyncByteStream):
    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close:
            close()


class SandboxTransport(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if not path.startswith(_PREFIX):
            return httpx.Response(404, json={"error": {"type": "NotFound", "message": path}})
        body = request.read()
        environ = {
            "REQUEST_METHOD": request.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
            "QUERY_STRING": request.url.query.decode(),
            "SERVER_NAME": request.url.host or "sandbox.internal",
            "SERVER_PORT": str(request.url.port or 80),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "CONTENT_TYPE": request.headers.get("content-type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": request.url.scheme,
        }
        for name, value in request.headers.items():
            key = "HTTP_" + name.upper().replace("-", "_")
            if key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                environ[key] = value
        try:
            match = resolve(path[len(_PREFIX) :], urlconf="seatdash.sandbox.urls")
        except Resolver404:
            return httpx.Response(404, json={"error": {"type": "NotFound", "message": path}})
        response = match.func(WSGIRequest(environ), *match.args, **match.kwargs)
        headers = list(response.items())
        if response.streaming:
            return httpx.Response(
                response.status_code, headers=headers, stream=_Body(iter(response))
            )
        return httpx.Response(response.status_code, headers=headers, content=response.content)
