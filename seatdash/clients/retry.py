"""The one retry policy every provider call follows: which failures, how many tries, how long between.

- At most `max_attempts` tries of one call (default 3), all inside `deadline` seconds (default 8)
  measured from the first try (http.py enforces it: see its docstring).
- Retried: connection errors, timeouts, 429, 502, 503, 504. Never retried: 500 (usually a bug
  upstream, not a blip), 400, 401, 403, 404 and every other 4xx, a bad 2xx body, and calls that are
  not idempotent (POST, PATCH, unless the caller says the call is a read; see `request_json`).
- Between tries: full-jitter exponential backoff,
  `uniform(0, min(backoff_cap, backoff_base * 2**n))` for the n-th retry (n from 0).
  A `Retry-After` (seconds or HTTP-date) no longer than `max_retry_after` replaces the backoff; a
  longer one ends the call at once (429 raises `UpstreamRateLimited` carrying the hint). A 429
  without `Retry-After` backs off for seconds, `uniform(1, 2) * rate_limit_backoff * 2**n`.
- A sleep that would cross the deadline is not taken: the last failure is raised instead.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


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


def retry_delay(
    policy: RetryPolicy, attempt: int, *, retry_after: float | None, rate_limited: bool
) -> float | None:
    """Seconds to wait after failed try number `attempt` (from 1); None: the call ends now."""
    if retry_after is not None:
        return retry_after if retry_after <= policy.max_retry_after else None
    if rate_limited:
        return policy.rate_limit_backoff * 2 ** (attempt - 1) * random.uniform(1, 2)
    # Full jitter: spreads the retries of many workers that failed together.
    ceiling = min(policy.backoff_cap, policy.backoff_base * 2 ** (attempt - 1))
    return random.uniform(0, ceiling)


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
