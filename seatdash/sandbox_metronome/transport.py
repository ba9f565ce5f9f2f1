"""An httpx transport that answers Metronome calls from the sandbox views, in-process."""

from __future__ import annotations

import io
import logging
import sys

import httpx
from django.core.handlers.wsgi import WSGIRequest
from django.urls import Resolver404, resolve

from seatdash.sandbox_metronome.jsonio import error_response

logger = logging.getLogger(__name__)

METRONOME_SANDBOX_BASE_URL = "http://sandbox.internal/sandbox/metronome"
_URLCONF = "seatdash.sandbox_metronome.urls"


class MetronomeSandboxTransport(httpx.BaseTransport):
    """Turns an httpx request into a Django request and calls the matching sandbox view directly.

    Not through Django's handler: it would fire `request_finished`, which closes the database
    connection in the middle of the dashboard request that made this call.
    """

    def __init__(self, base_url: str = METRONOME_SANDBOX_BASE_URL) -> None:
        self._prefix = httpx.URL(base_url).path.rstrip("/")

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if not path.startswith(self._prefix + "/"):
            return self._to_httpx(error_response(404, f"No sandbox route for {path}."), request)
        route = path[len(self._prefix) :]
        try:
            match = resolve(route, urlconf=_URLCONF)
        except Resolver404:
            return self._to_httpx(error_response(404, f"No sandbox route for {path}."), request)
        django_request = self._to_django(request, path)
        try:
            response = match.func(django_request, *match.args, **match.kwargs)
        except Exception:
            # A real server would answer 500; the client maps that to "unavailable".
            logger.exception("Metronome sandbox view failed for %s %s", request.method, route)
            response = error_response(500, "Internal server error.")
        return self._to_httpx(response, request)

    @staticmethod
    def _to_django(request: httpx.Request, path: str) -> WSGIRequest:
        body = request.read()
        url = request.url
        environ = {
            "REQUEST_METHOD": request.method,
            "SCRIPT_NAME": "",
            # WSGI carries the decoded path as latin-1 code points of its UTF-8 bytes.
            "PATH_INFO": path.encode().decode("latin-1"),
            "QUERY_STRING": url.query.decode("ascii", errors="replace"),
            "SERVER_NAME": url.host or "sandbox.internal",
            "SERVER_PORT": str(url.port or (443 if url.scheme == "https" else 80)),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": url.scheme,
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
        }
        for name, value in request.headers.items():
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = value
            elif key != "CONTENT_LENGTH":
                environ[f"HTTP_{key}"] = value
        return WSGIRequest(environ)

    @staticmethod
    def _to_httpx(response, request: httpx.Request) -> httpx.Response:
        headers = [(k, v) for k, v in response.items()]
        return httpx.Response(
            response.status_code, headers=headers, content=response.content, request=request
        )
