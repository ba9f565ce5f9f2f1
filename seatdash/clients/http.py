"""The one HTTP path every provider client takes: timeouts, a call deadline, retries, error mapping.

Retry policy (one layer only, here; nothing above or below this module retries):

- At most `max_attempts` tries of one call (default 3), all inside `deadline` seconds (default 8)
  measured from the first try. The deadline covers connecting, reading and every sleep between
  tries; each try's httpx timeouts are cut to what is left of it, and the body is streamed and the
  clock checked after every chunk, so a server that drips bytes cannot hold a call (httpx's read
  timeout is per chunk). A call therefore ends at the latest one read timeout (itself no longer
  than the time left when the try began) after its deadline.
- Retried: connection errors, timeouts, 429, 502, 503, 504. Never retried: 500 (usually a bug
  upstream, not a blip), 400, 401, 403, 404 and every other 4xx, a bad 2xx body, and calls that are
  not idempotent (POST, PATCH, unless the caller says the call is a read; see `request_json`).
- Between tries: full-jitter exponential backoff,
  `uniform(0, min(backoff_cap, backoff_base * 2**n))` for the n-th retry (n from 0).
  A `Retry-After` (seconds or HTTP-date) no longer than `max_retry_after` replaces the backoff; a
  longer one ends the call at once (429 raises `UpstreamRateLimited` carrying the hint). A 429
  without `Retry-After` backs off for seconds, `uniform(1, 2) * rate_limit_backoff * 2**n`.
- A sleep that would cross the deadline is not taken: the last failure is raised instead.

Errors (see errors.py): connection errors, timeouts, the deadline and 5xx raise
`UpstreamUnavailable`; 429 `UpstreamRateLimited`; 401/403 `UpstreamUnauthorized`; 404
`UpstreamNotFound`; other 4xx `UpstreamRejected`; every 4xx carries the provider's own message
(credentials scrubbed); a 2xx that is not JSON `UpstreamBadPayload`. Every error carries
`provider`, `endpoint` and `status`.

Over 300 lines because the retry policy above is one loop; its parts (timeouts, backoff, Retry-
After, error mapping) are named functions below it.
"""

from __future__ import annotations

import base64
import json as jsonlib
import logging
import random
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from seatdash.clients.errors import (
    UpstreamBadPayload,
    UpstreamError,
    UpstreamNotFound,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamUnauthorized,
    UpstreamUnavailable,
)

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(5.0, connect=2.0)
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Upstream text copied into an exception message is cut to this, so a huge HTML error page does not
# end up in a log line.
MAX_MESSAGE_CHARS = 300


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 3
    backoff_base: float = 0.25
    backoff_cap: float = 2.0
    max_retry_after: float = 3.0
    deadline: float = 8.0
    # A 429 without Retry-After waits uniform(1, 2) x this x 2**n seconds: Sequence publishes its
    # limits per minute, so a retry within milliseconds would only be refused again.
    rate_limit_backoff: float = 2.0


class _DeadlineExceeded(Exception):
    """Raised inside one try when the call's deadline passes while the body is still arriving."""


def default_error_message(body: Any) -> str | None:
    """The provider's explanation from a JSON error body, in any shape we know, else None.

    Sequence sends `{"error": {"type", "message"}}` or `{"errors": [...]}`; Metronome `{"message"}`.
    """
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, dict):
        kind, message = error.get("type"), error.get("message")
        parts = [str(p) for p in (kind, message) if isinstance(p, str | int) and str(p)]
        if parts:
            return ": ".join(parts)
    elif isinstance(error, str) and error:
        return error
    errors = body.get("errors")
    if isinstance(errors, list) and errors:
        texts = []
        for item in errors:
            if isinstance(item, dict):
                text = item.get("message") or item.get("detail") or item.get("type")
                if isinstance(text, str) and text:
                    texts.append(text)
            elif isinstance(item, str) and item:
                texts.append(item)
        if texts:
            return "; ".join(texts)
    message = body.get("message")
    if isinstance(message, str) and message:
        return message
    return None


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` value (delta-seconds or HTTP-date); None if unusable."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        # NaN and infinities parse as floats but are no instruction a client can follow.
        return max(0.0, seconds) if seconds == seconds and seconds != float("inf") else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


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
        error_message: Callable[[Any], str | None] | None = None,
    ) -> None:
        self.provider = provider
        self._timeout = timeout or DEFAULT_TIMEOUT
        self._retry = retry or RetryPolicy()
        if self._retry.max_attempts < 1:
            raise ValueError("RetryPolicy.max_attempts must be at least 1")
        self._sleep = sleep
        self._clock = clock
        self._error_message = error_message
        url = httpx.URL(base_url)
        # For repr only; userinfo is dropped so a URL with credentials in it stays safe.
        self._display_url = str(url.copy_with(username=None, password=None, query=None))
        # Scrubbed from any upstream text copied into a message, in case a provider echoes them.
        self._secrets = _secret_values(auth, headers)
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
                failure = self._status_error(endpoint, status, body, retry_after)
                if status not in RETRYABLE_STATUSES:
                    raise failure
                label = str(status)

            if not retryable or attempt >= policy.max_attempts:
                raise failure
            if retry_after is not None:
                if retry_after > policy.max_retry_after:
                    raise failure
                delay = retry_after
            elif label == "429":
                delay = policy.rate_limit_backoff * 2 ** (attempt - 1) * random.uniform(1, 2)
            else:
                # Full jitter: spreads the retries of many workers that failed together.
                ceiling = min(policy.backoff_cap, policy.backoff_base * 2 ** (attempt - 1))
                delay = random.uniform(0, ceiling)
            if self._clock() + delay >= deadline:
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

    def _status_error(
        self, endpoint: str, status: int, body: bytes, retry_after: float | None
    ) -> UpstreamError:
        if status == 429:
            hint = f" (Retry-After {retry_after:g}s)" if retry_after is not None else ""
            return UpstreamRateLimited(
                f"{self.provider} {endpoint}: HTTP 429 rate limited{hint}",
                retry_after=retry_after,
                provider=self.provider,
                endpoint=endpoint,
                status=status,
            )
        if status >= 500 or status < 400:
            return self._error(UpstreamUnavailable, endpoint, status, f"HTTP {status}")
        # The provider's own words ("Customer X not found", "token lacks scope") reach the user for
        # every 4xx; they pass through the same credential scrubbing as any other upstream text.
        detail = self._upstream_message(body)
        if status in (401, 403):
            cls: type[UpstreamError] = UpstreamUnauthorized
            text = f"HTTP {status}"
        elif status == 404:
            cls, text = UpstreamNotFound, "HTTP 404 not found"
        else:
            cls, text = UpstreamRejected, f"HTTP {status}"
        return self._error(cls, endpoint, status, f"{text}: {detail}" if detail else text)

    def _upstream_message(self, body: bytes) -> str | None:
        try:
            decoded = jsonlib.loads(body) if body else None
        except ValueError:
            decoded = None
        message = None
        if self._error_message is not None:
            try:
                message = self._error_message(decoded)
            except Exception:  # a client's hook must not turn a 400 into a crash
                logger.debug("%s: error_message hook failed", self.provider, exc_info=True)
        if not message:
            message = default_error_message(decoded)
        if not message:
            return None
        message = " ".join(str(message).split())[:MAX_MESSAGE_CHARS]
        for secret in self._secrets:
            message = message.replace(secret, "[redacted]")
        return message

    def _error(
        self, cls: type[UpstreamError], endpoint: str, status: int | None, text: str
    ) -> UpstreamError:
        return cls(
            f"{self.provider} {endpoint}: {text}",
            provider=self.provider,
            endpoint=endpoint,
            status=status,
        )


_SECRET_HEADERS = frozenset({"authorization", "x-api-key", "api-key", "proxy-authorization"})


def _secret_values(
    auth: httpx.Auth | tuple[str, str] | None, headers: Mapping[str, str] | None
) -> tuple[str, ...]:
    """Every string that would give the credentials away: raw, base64-encoded, header tokens."""
    found: list[str] = []
    if isinstance(auth, tuple):
        user, password = auth
        found += [password, base64.b64encode(f"{user}:{password}".encode()).decode()]
    for name, value in (headers or {}).items():
        if name.lower() in _SECRET_HEADERS:
            found += [value, *value.split()[1:]]
    # Longest first, so a whole value goes before a part of it; tiny strings would scrub noise.
    return tuple(sorted({s for s in found if len(s) >= 4}, key=len, reverse=True))


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
