"""Cached upstream reads: fetched-at stamps, single flight, stale-if-error, bounded staleness.

Every cached value is an `Envelope` (the value and when it was fetched) stored for
`fresh + MAX_STALE_SECONDS`. A read inside `fresh` is served as is. Past it, one request per key
refetches (single flight through the cache's atomic `add`: exactly one across processes on Redis,
one per process on local memory); the others get the previous copy, or wait briefly for the leader
when there is none. When the upstream is unavailable, the previous copy is served, marked stale,
until it is `MAX_STALE_SECONDS` old; after that the failure is raised and the page says so.
A failure is never cached, but it opens a short shared breaker so that other requests serve
stale data at once instead of queueing on a dead upstream.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import cache

from seatdash.clients.errors import UpstreamUnavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Bumped when the shape of cached values changes, so a deploy never unpickles an old shape.
SCHEMA_VERSION = 2
BREAKER_SECONDS = 10
WAIT_POLL_SECONDS = 0.05


@dataclass(frozen=True, slots=True)
class Envelope(Generic[T]):
    value: T
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class Fetched(Generic[T]):
    """A value with its freshness, as a page shows it."""

    value: T
    fetched_at: datetime
    # Set when the upstream failed and this older copy is shown instead.
    failure: UpstreamUnavailable | None = None

    @property
    def stale(self) -> bool:
        return self.failure is not None

    @property
    def age(self) -> timedelta:
        return now() - self.fetched_at


def now() -> datetime:
    return datetime.now(UTC)


def cache_key(*parts: object) -> str:
    """A cache key from its parts; long or unusual parts (filters, IDs) are hashed."""
    safe = []
    for part in map(str, parts):
        if len(part) > 64 or not part.replace("-", "").replace("_", "").replace(".", "").isalnum():
            part = hashlib.sha256(part.encode()).hexdigest()[:32]
        safe.append(part)
    return ":".join([f"v{SCHEMA_VERSION}", *safe])


def _breaker_key(provider: str) -> str:
    return cache_key("breaker", provider)


def breaker_open(provider: str) -> bool:
    """Whether a recent failure makes requests serve stale copies without calling `provider`."""
    return cache.get(_breaker_key(provider)) is not None


# Called as hook(provider=..., ok=...) after each upstream fetch; registered at start-up
# (seatdash.wiring registers the /healthz recorder), so this module imports nothing above it.
_outcome_hooks: list[Callable[..., None]] = []


def on_upstream_outcome(hook: Callable[..., None]) -> None:
    if hook not in _outcome_hooks:
        _outcome_hooks.append(hook)


def _report_outcome(provider: str, ok: bool) -> None:
    for hook in _outcome_hooks:
        hook(provider=provider, ok=ok)


def cached_fetch(
    key: str,
    fetch: Callable[[], T],
    *,
    fresh_seconds: int,
    provider: str,
    refresh: bool = False,
) -> Fetched[T]:
    """The value under `key`, fetched with `fetch` when missing or older than `fresh_seconds`.

    `refresh=True` (the page's Refresh control) refetches unless the copy is younger than
    REFRESH_MIN_INTERVAL_SECONDS, so repeated clicks cannot hammer the upstream.
    Raises UpstreamUnavailable only when there is no copy young enough to show.
    """
    if refresh:
        fresh_seconds = min(fresh_seconds, settings.REFRESH_MIN_INTERVAL_SECONDS)
    envelope: Envelope[T] | None = cache.get(key)
    if envelope is not None and _age_seconds(envelope) < fresh_seconds:
        return Fetched(envelope.value, envelope.fetched_at)

    breaker_open = cache.get(_breaker_key(provider)) is not None
    if breaker_open and not refresh:
        failure = UpstreamUnavailable(
            f"{provider} failed moments ago; not calling it again yet.", provider=provider
        )
        return _stale_or_raise(envelope, failure)

    lock_key = f"{key}:lock"
    deadline = settings.UPSTREAM_CALL_DEADLINE
    token = secrets.token_hex(8)
    if cache.add(lock_key, token, timeout=int(deadline * 3) + 1):
        try:
            return _fetch_and_store(key, fetch, provider=provider, previous=envelope)
        finally:
            if cache.get(lock_key) == token:
                cache.delete(lock_key)

    # Another request is fetching this key. A previous copy is good enough meanwhile.
    if envelope is not None and _age_seconds(envelope) < settings.MAX_STALE_SECONDS:
        return Fetched(envelope.value, envelope.fetched_at)
    return _wait_for_leader(key, lock_key, fetch, provider=provider, wait_seconds=deadline + 1)


def _fetch_and_store(
    key: str, fetch: Callable[[], T], *, provider: str, previous: Envelope[T] | None
) -> Fetched[T]:
    try:
        value = fetch()
    except UpstreamUnavailable as failure:
        logger.warning("upstream unavailable provider=%s key=%s: %s", provider, key, failure)
        cache.set(_breaker_key(provider), True, timeout=BREAKER_SECONDS)
        _report_outcome(provider, ok=False)
        return _stale_or_raise(previous, failure)
    envelope = Envelope(value, now())
    cache.set(key, envelope, timeout=_store_seconds())
    _report_outcome(provider, ok=True)
    return Fetched(envelope.value, envelope.fetched_at)


def _wait_for_leader(
    key: str, lock_key: str, fetch: Callable[[], T], *, provider: str, wait_seconds: float
) -> Fetched[T]:
    give_up_at = time.monotonic() + wait_seconds
    while time.monotonic() < give_up_at:
        time.sleep(WAIT_POLL_SECONDS)
        envelope: Envelope[T] | None = cache.get(key)
        if envelope is not None and _age_seconds(envelope) < settings.MAX_STALE_SECONDS:
            return Fetched(envelope.value, envelope.fetched_at)
        if cache.get(lock_key) is None:
            # The leader finished without storing anything: it failed. Report that, unless the
            # breaker has already closed again and we may try ourselves.
            if cache.get(_breaker_key(provider)) is not None:
                raise UpstreamUnavailable(f"{provider} is not answering.", provider=provider)
            if cache.add(lock_key, "waiter", timeout=int(wait_seconds * 3) + 1):
                try:
                    return _fetch_and_store(key, fetch, provider=provider, previous=None)
                finally:
                    cache.delete(lock_key)
    raise UpstreamUnavailable(f"{provider} is taking too long to answer.", provider=provider)


def _stale_or_raise(envelope: Envelope[T] | None, failure: UpstreamUnavailable) -> Fetched[T]:
    if envelope is not None and _age_seconds(envelope) < settings.MAX_STALE_SECONDS:
        return Fetched(envelope.value, envelope.fetched_at, failure=failure)
    raise failure


def _age_seconds(envelope: Envelope) -> float:
    return (now() - envelope.fetched_at).total_seconds()


def _store_seconds() -> int:
    # Long enough to serve as the stale copy; a little beyond, so expiry is decided by age.
    return settings.MAX_STALE_SECONDS + 60
