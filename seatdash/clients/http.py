"""The one HTTP path every provider client takes: timeouts, a call deadline, retries, error mapping.

CONTRACT STUB: the signatures are fixed; the body is being implemented.

Retry policy (one layer only, here): at most `max_attempts` tries of one call, for connection errors,
timeouts, 429 (honouring a short `Retry-After`) and 502/503/504, with full-jitter exponential backoff,
all inside `deadline` seconds measured from the first try. 400/401/403/404 are never retried.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 3
    backoff_base: float = 0.25
    backoff_cap: float = 2.0
    max_retry_after: float = 3.0
    deadline: float = 8.0


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
        raise NotImplementedError

    def request_json(
        self,
        method: str,
        path: str,
        *,
        endpoint: str,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """Send one call (with its retries) and return the decoded JSON body, or raise an UpstreamError."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError
