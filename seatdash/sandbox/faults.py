"""Fault injection for drills and tests: delay, errors, 429s, malformed and dripping bodies."""

from __future__ import annotations

import contextlib
import functools
import json
import random
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from seatdash.sandbox.models import FaultConfig, RequestLog

DRIP_CHUNK_BYTES = 64


def current() -> FaultConfig:
    return FaultConfig.objects.filter(pk=1).first() or FaultConfig(pk=1)


def inject(**knobs) -> FaultConfig:
    """Set fault knobs (the others return to their defaults): delay_ms, error_rate, error_status,
    rate_limit_rate, retry_after, malformed_rate, drip_ms."""
    config = FaultConfig(pk=1, **knobs)
    config.save()
    return config


def clear() -> None:
    FaultConfig.objects.filter(pk=1).delete()


@contextlib.contextmanager
def injected(**knobs) -> Iterator[FaultConfig]:
    try:
        yield inject(**knobs)
    finally:
        clear()


def with_faults(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log the request, then answer with an injected fault or with the real view."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        config = current()
        if config.delay_ms:
            time.sleep(config.delay_ms / 1000)
        response = _fault_response(config) or view(request, *args, **kwargs)
        if (
            config.malformed_rate
            and random.random() < config.malformed_rate
            and response.status_code < 300
        ):
            content = response.content
            response = HttpResponse(content[: len(content) // 2], content_type="application/json")
        if config.drip_ms:
            response = _dripping(response, config.drip_ms)
        log_request(request, response.status_code)
        return response

    return wrapped


def log_request(request: HttpRequest, status: int) -> None:
    """One RequestLog row, keeping only the newest SANDBOX_REQUEST_LOG_ROWS (pruned by id)."""
    row = RequestLog.objects.create(method=request.method, path=request.path[:200], status=status)
    keep = max(settings.SANDBOX_REQUEST_LOG_ROWS, 1)
    if row.pk > keep:
        RequestLog.objects.filter(pk__lte=row.pk - keep).delete()


def _fault_response(config: FaultConfig) -> HttpResponse | None:
    if config.error_rate and random.random() < config.error_rate:
        body = {"error": {"type": "InjectedFault", "message": "Injected by the sandbox."}}
        return HttpResponse(
            json.dumps(body), status=config.error_status, content_type="application/json"
        )
    if config.rate_limit_rate and random.random() < config.rate_limit_rate:
        body = {"error": {"type": "TooManyRequests", "message": "Rate limit exceeded."}}
        response = HttpResponse(json.dumps(body), status=429, content_type="application/json")
        response["Retry-After"] = str(config.retry_after)
        return response
    return None


def _dripping(response: HttpResponse, drip_ms: int) -> StreamingHttpResponse:
    content = b"".join(response) if response.streaming else response.content

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(content), DRIP_CHUNK_BYTES):
            if start:
                time.sleep(drip_ms / 1000)
            yield content[start : start + DRIP_CHUNK_BYTES]

    dripping = StreamingHttpResponse(chunks(), status=response.status_code)
    for header, value in response.items():
        dripping[header] = value
    return dripping
