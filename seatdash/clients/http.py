"""The one HTTP path every provider client takes: timeouts, a call deadline, retries, error mapping.

Which failures are retried, how often and how long apart is retry.py's policy; which error each
outcome raises is error_mapping.py's. This module runs the loop and keeps the clock:

- Every try of a call fits inside its `deadline` (default 8 s) from the first try. The deadline covers
  connecting, reading and every sleep between tries; each try's httpx timeouts are cut to what is
  left of it, and the body is streamed and the clock checked after every chunk, so a server that
  drips bytes cannot hold a call (httpx's read timeout is per chunk). A call therefore ends at the
  latest one read timeout (itself no longer than the time left when the try began) after its deadline.
- Connection errors, timeouts and the deadline raise `UpstreamUnavailable`; a 2xx that is not JSON
  (or not the status expected) `UpstreamBadPayload`. httpx exceptions never escape.
"""

from __future__ import annotations

import json as jsonlib
import logging
import time
from collections.abc import Callable, Collection, Mapping
from typing import Any

import httpx

from seatdash.clients.error_mapping import ErrorMapper, ErrorMessageHook, secret_values
from seatdash.clients.errors import UpstreamBadPayload, UpstreamError, UpstreamUnavailable
from seatdash.clients.retry import (
    IDEMPOTENT_METHODS,
    RETRYABLE_STATUSES,
    RetryPolicy,
    parse_retry_after,
    retry_delay,
)

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(5.0, connect=2.0)


class _DeadlineExceeded(Exception):
    """Raised inside one try when the call's deadline passes while the body is still arriving."""


class JsonHttp:
    """A JSON-over-HTTP session for one provider. Thread-safe: keep one per process."""

    def __init__(
        self,
        *,
        provider: str,
        base_url: str,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | tuple[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        error_message: ErrorMessageHook | None = None,
    ) -> None:
        self.provider = provider
        self._timeout = timeout or DEFAULT_TIMEOUT
        self._retry = retry or RetryPolicy()
        if self._retry.max_attempts < 1:
            raise ValueError("RetryPolicy.max_attempts must be at least 1")
        self._sleep = sleep
        self._clock = clock
        url = httpx.URL(base_url)
        # For repr only; userinfo is dropped so a URL with credentials in it stays safe.
        self._display_url = str(url.copy_with(username=None, password=None, query=None))
        # Scrubbed from any upstream text copied into a message, in case a provider echoes them.
        self._errors = ErrorMapper(
            provider, secrets=secret_values(auth, headers), hook=error_message
        )
        self._client = httpx.Client(
            base_url=url,
            headers=headers,
            auth=auth,
            timeout=self._timeout,
            transport=transport,
            follow_redirects=False,
            trust_env=False,
        )

    def __repr__(self) -> str:
        return f"JsonHttp(provider={self.provider!r}, base_url={self._display_url!r})"

    def __enter__(self) -> JsonHttp:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def request_json(
        self,
        method: str,
        path: str,
        *,
        endpoint: str,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        expect_status: Collection[int] | None = None,
    ) -> Any:
        """Send one call (with its retries); return the decoded JSON body or raise an UpstreamError.

        `endpoint` names the call in errors and logs (e.g. "GET /seat-events/{id}"; keep ids out of
        it). `idempotent` overrides the method's default, e.g. True for a read sent as POST.
        `expect_status` narrows which 2xx statuses count as success (e.g. {201} for a create).
        A 204 returns None.
        """
        if self._client.is_closed:
            # A programming error, not an upstream one: say so rather than hide it as "unavailable".
            raise RuntimeError(f"{self!r} is closed")
        method = method.upper()
        retryable = idempotent if idempotent is not None else method in IDEMPOTENT_METHODS
        policy = self._retry
        deadline = self._clock() + policy.deadline
        attempt = 0
        while True:
            attempt += 1
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise self._error(UpstreamUnavailable, endpoint, None, "deadline exceeded")
            retry_after: float | None = None
            try:
                status, headers, body = self._attempt(
                    method, path, params, json, deadline, remaining
                )
            except _DeadlineExceeded:
                raise self._error(
                    UpstreamUnavailable, endpoint, None, "deadline exceeded while reading"
                ) from None
            except httpx.TimeoutException as exc:
                failure: UpstreamError = self._error(
                    UpstreamUnavailable, endpoint, None, f"timed out ({type(exc).__name__})"
                )
                label = type(exc).__name__
            except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                failure = self._error(
                    UpstreamUnavailable, endpoint, None, f"connection failed ({type(exc).__name__})"
                )
                label = type(exc).__name__
            except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
                # Misconfiguration (bad URL, unsupported scheme, proxy): retrying cannot help.
                raise self._error(
                    UpstreamUnavailable, endpoint, None, f"request failed ({type(exc).__name__})"
                ) from None
            else:
                if 200 <= status < 300:
                    return self._decode_success(endpoint, status, body, expect_status)
                retry_after = parse_retry_after(headers.get("retry-after"))
                failure = self._errors.status_error(endpoint, status, body, retry_after)
                if status not in RETRYABLE_STATUSES:
                    raise failure
                label = str(status)

            if not retryable or attempt >= policy.max_attempts:
                raise failure
            delay = retry_delay(
                policy, attempt, retry_after=retry_after, rate_limited=label == "429"
            )
            if delay is None or self._clock() + delay >= deadline:
                raise failure
            logger.warning(
                "%s %s: attempt %d/%d failed (%s); retrying in %.2fs",
                self.provider,
                endpoint,
                attempt,
                policy.max_attempts,
                label,
                delay,
            )
            self._sleep(delay)

    def _attempt(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json: Any,
        deadline: float,
        remaining: float,
    ) -> tuple[int, httpx.Headers, bytes]:
        request = self._client.build_request(
            method, path, params=params, json=json, timeout=_cut(self._timeout, remaining)
        )
        response = self._client.send(request, stream=True)
        try:
            chunks = []
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                if self._clock() >= deadline:
                    raise _DeadlineExceeded
            return response.status_code, response.headers, b"".join(chunks)
        finally:
            response.close()

    def _decode_success(
        self, endpoint: str, status: int, body: bytes, expect_status: Collection[int] | None
    ) -> Any:
        if expect_status is not None and status not in expect_status:
            expected = "/".join(str(s) for s in sorted(expect_status))
            raise self._error(
                UpstreamBadPayload, endpoint, status, f"expected HTTP {expected}, got {status}"
            )
        if status == 204:
            return None
        try:
            return jsonlib.loads(body)
        except ValueError:
            raise self._error(
                UpstreamBadPayload, endpoint, status, "response body is not valid JSON"
            ) from None

    def _error(
        self, cls: type[UpstreamError], endpoint: str, status: int | None, text: str
    ) -> UpstreamError:
        return self._errors.error(cls, endpoint, status, text)


def _cut(timeout: httpx.Timeout, remaining: float) -> httpx.Timeout:
    """The configured timeouts, none longer than what is left of the call's deadline."""

    def cap(value: float | None) -> float:
        return remaining if value is None else min(value, remaining)

    return httpx.Timeout(
        connect=cap(timeout.connect),
        read=cap(timeout.read),
        write=cap(timeout.write),
        pool=cap(timeout.pool),
    )
