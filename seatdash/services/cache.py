"""Cached upstream reads: fetched-at stamps, single flight on a real lock, refresh ahead, stale-if-error.

Every cached value is a `CacheEntry` (the value and when it was fetched) stored for
`MAX_STALE_SECONDS` and a little more. A read inside `fresh` is served as is. Past it, the copy is
still served at once (its date on the page) and a refresh starts in the background unless one is
under way: no request waits for a refetch of something it has a copy of. Only a key with no copy
waits, and only one request per key fetches it (single flight through `FetchLock`: redis-py's
token-checked Lock on Redis, exactly one across processes; a process lock on local memory). The
leader extends its lock whenever it makes progress (`report_progress`), so waiters keep waiting
while it works and take over only when it is gone. When the upstream is unavailable the copy is
served marked stale until it is `MAX_STALE_SECONDS` old; after that the failure is raised. A failure
is never cached, but it opens a short shared breaker, so other requests serve stale data at once
instead of queueing on a dead upstream, and it is remembered beside the key so the page can say
why its copy is old.

Over 300 lines because the cache entry, the lock, the breaker and refresh-ahead are one protocol;
test_services_cache.py tests each part.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import connections
from redis.exceptions import LockError

from seatdash.clients.errors import UpstreamError, UpstreamUnavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Bumped when the shape of cached values changes, so a deploy never unpickles an old shape.
SCHEMA_VERSION = (
    6  # 5: records moved to clients.sequence/metronome packages; 6: Envelope renamed CacheEntry
)
BREAKER_SECONDS = 10
WAIT_POLL_SECONDS = 0.05
# A leader's lock lives this long past its last sign of progress; a dead leader frees it by then.
LOCK_SECONDS = 30
# How long a request that started a background refresh waits for it to take its lock.
BACKGROUND_START_GRACE = 0.5


@dataclass(frozen=True, slots=True)
class CacheEntry(Generic[T]):
    """What the cache stores: a value and when it was fetched. Pages never see one; they get a
    `Served`, which adds what the page must say about it (the failure behind an old copy)."""

    value: T
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class Served(Generic[T]):
    """A value as served to a page: when it was fetched and, for an old copy, the failure behind it."""

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


class StillLoading(UpstreamUnavailable):
    """A key with no copy is being fetched and is not complete yet; `done` of `total` so far."""

    def __init__(self, message: str, *, provider: str, done: int, total: int | None) -> None:
        super().__init__(message, provider=provider)
        self.done = done
        self.total = total


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


# --- the lock ------------------------------------------------------------------------------------


class FetchLock:
    """Who fetches a key: redis-py's Lock on Redis (token-checked, atomic release, extendable),
    a process lock with the same promises on local memory (whose cache is per process anyway)."""

    _local: dict[str, tuple[str, float]] = {}  # name -> (token, expires at, monotonic)
    _local_guard = threading.Lock()

    def __init__(self, key: str) -> None:
        self.name = f"{key}:lock"
        self._token = secrets.token_hex(8)
        self._redis_lock = None
        client = redis_client()
        if client is not None:
            self._redis_lock = client.lock(
                cache.make_and_validate_key(self.name),
                timeout=LOCK_SECONDS,
                blocking=False,
                thread_local=False,
            )

    def acquire(self) -> bool:
        if self._redis_lock is not None:
            return bool(self._redis_lock.acquire(blocking=False))
        with self._local_guard:
            held = self._local.get(self.name)
            if held is not None and held[1] > time.monotonic():
                return False
            self._local[self.name] = (self._token, time.monotonic() + LOCK_SECONDS)
            return True

    def extend(self) -> None:
        """Another LOCK_SECONDS from now, if this lock is still ours."""
        if self._redis_lock is not None:
            try:
                self._redis_lock.extend(LOCK_SECONDS, replace_ttl=True)
            except LockError:
                logger.warning("lock %s lost while fetching", self.name)
            return
        with self._local_guard:
            if self._local.get(self.name, ("",))[0] == self._token:
                self._local[self.name] = (self._token, time.monotonic() + LOCK_SECONDS)

    def release(self) -> None:
        """Frees the lock only if it is still ours (another leader may hold it after expiry)."""
        if self._redis_lock is not None:
            try:
                self._redis_lock.release()
            except LockError:
                logger.warning("lock %s had expired before its release", self.name)
            return
        with self._local_guard:
            if self._local.get(self.name, ("",))[0] == self._token:
                del self._local[self.name]

    @classmethod
    def held(cls, key: str) -> bool:
        name = f"{key}:lock"
        client = redis_client()
        if client is not None:
            return bool(client.exists(cache.make_and_validate_key(name)))
        with cls._local_guard:
            held = cls._local.get(name)
            return held is not None and held[1] > time.monotonic()


def redis_client():
    """The redis-py client behind Django's Redis cache, or None on any other backend.

    Public for what Django's cache API cannot say: lock expiry (tests read and shorten it)."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    return backend._cache.get_client(write=True)  # Django's own client pool; no public accessor


# --- progress of the fetch under way ---------------------------------------------------------------

_leading = threading.local()


def report_progress(done: int, total: int | None = None) -> None:
    """A long fetch calls this after each page: extends its lock, tells waiters how far it is."""
    lead = getattr(_leading, "current", None)
    if lead is None:
        return
    key, lock = lead
    lock.extend()
    cache.set(_progress_key(key), (done, total), timeout=LOCK_SECONDS)


def fetch_progress(key: str) -> tuple[int, int | None] | None:
    """(done, total) of the fetch of `key` under way, if it has reported any."""
    return cache.get(_progress_key(key))


def _progress_key(key: str) -> str:
    return f"{key}:progress"


def _failure_key(key: str) -> str:
    return f"{key}:failure"


# --- background refreshes --------------------------------------------------------------------------

_background: set[threading.Thread] = set()
_background_guard = threading.Lock()


def run_in_thread(job: Callable[[], object], name: str) -> None:
    def run() -> None:
        try:
            job()
        except UpstreamError as failure:  # already told to the requests that wait on it
            logger.warning("background refresh %s failed: %s", name, failure)
        except Exception:
            logger.exception("background refresh %s failed", name)
        finally:
            connections.close_all()  # this thread's own database connections
            with _background_guard:
                _background.discard(thread)

    thread = threading.Thread(target=run, name=f"refresh {name}", daemon=True)
    with _background_guard:
        _background.add(thread)
    thread.start()


# Tests replace this (see tests/conftest.py) to run refreshes inline and deterministically.
run_in_background: Callable[[Callable[[], object], str], None] = run_in_thread


def wait_for_background_refreshes(timeout: float = 30.0) -> None:
    """Joins the refresh threads of this process (the worker and tests use it)."""
    give_up_at = time.monotonic() + timeout
    while True:
        with _background_guard:
            running = list(_background)
        if not running or time.monotonic() >= give_up_at:
            return
        for thread in running:
            thread.join(max(0.0, give_up_at - time.monotonic()))


# --- the read -------------------------------------------------------------------------------------


def cached_fetch(
    key: str,
    fetch: Callable[[], T],
    *,
    fresh_seconds: int,
    provider: str,
    refresh: bool = False,
    on_replaced: Callable[[T], None] | None = None,
    cold_wait: float | None = None,
) -> Served[T]:
    """The value under `key`, fetched with `fetch` when missing or older than `fresh_seconds`.

    A copy past `fresh_seconds` is returned at once while a background refresh runs. `refresh=True`
    (the page's Refresh control) refetches now unless the copy is younger than
    REFRESH_MIN_INTERVAL_SECONDS, so repeated clicks cannot hammer the upstream. A request with no
    copy waits for the leader as long as it is alive (the fetch bounds itself by its budget).
    `on_replaced(old_value)` runs
    after a new value replaced an old one. With `cold_wait` a key with no copy is fetched in the
    background; the request waits that long, then raises StillLoading with the progress so far.
    Raises UpstreamUnavailable only when there is no copy young enough to show.
    """
    if refresh:
        fresh_seconds = min(fresh_seconds, settings.REFRESH_MIN_INTERVAL_SECONDS)
    entry: CacheEntry[T] | None = cache.get(key)
    if entry is not None and _age_seconds(entry) < fresh_seconds:
        return Served(entry.value, entry.fetched_at)
    usable = (
        entry if entry is not None and _age_seconds(entry) < settings.MAX_STALE_SECONDS else None
    )

    if cache.get(_breaker_key(provider)) is not None and not refresh:
        failure = UpstreamUnavailable(
            f"{provider} failed moments ago; not calling it again yet.", provider=provider
        )
        return _stale_or_raise(usable, failure)

    leader = _Leader(
        key, fetch, provider=provider, fresh_seconds=fresh_seconds, on_replaced=on_replaced
    )
    if usable is not None:
        if refresh and cold_wait is None:
            return leader.lead() or _with_known_failure(key, usable, provider)
        if not FetchLock.held(key):
            run_in_background(leader.lead, key)
        if refresh:
            return _wait_for_leader(
                key, leader, provider=provider, wait=cold_wait, newer_than=usable
            )
        return _with_known_failure(key, usable, provider)

    if cold_wait is not None:
        if not FetchLock.held(key):
            run_in_background(leader.lead, key)
        return _wait_for_leader(key, leader, provider=provider, wait=cold_wait, loading=True)
    led = leader.lead()
    if led is not None:
        return led
    return _wait_for_leader(key, leader, provider=provider, wait=0.0)


def refresh_now(
    key: str,
    fetch: Callable[[], T],
    *,
    provider: str,
    older_than: float,
    on_replaced: Callable[[T], None] | None = None,
) -> Served[T] | None:
    """Fetch `key` now, in this thread, unless its copy is younger than `older_than` seconds.
    Returns None when another process or thread holds its lock (it is being refreshed already).
    For the worker; raises UpstreamUnavailable when the fetch fails."""
    leader = _Leader(
        key, fetch, provider=provider, fresh_seconds=older_than, on_replaced=on_replaced
    )
    fetched = leader.lead()
    if fetched is not None and fetched.failure is not None:
        raise fetched.failure
    return fetched


class _Leader:
    """One fetch of one key under its lock; `lead()` returns None when someone else holds it."""

    def __init__(self, key, fetch, *, provider, fresh_seconds, on_replaced) -> None:
        self.key, self.fetch, self.provider = key, fetch, provider
        self.fresh_seconds, self.on_replaced = fresh_seconds, on_replaced

    def lead(self) -> Served | None:
        lock = FetchLock(self.key)
        if not lock.acquire():
            return None
        _leading.current = (self.key, lock)
        try:
            # Another leader may have stored a copy between our read and our lock.
            entry = cache.get(self.key)
            if entry is not None and _age_seconds(entry) < self.fresh_seconds:
                return Served(entry.value, entry.fetched_at)
            return _fetch_and_store(
                self.key,
                self.fetch,
                provider=self.provider,
                previous=entry,
                on_replaced=self.on_replaced,
            )
        finally:
            _leading.current = None
            cache.delete(_progress_key(self.key))
            lock.release()


def _fetch_and_store(
    key: str,
    fetch: Callable[[], T],
    *,
    provider: str,
    previous: CacheEntry[T] | None,
    on_replaced: Callable[[T], None] | None = None,
) -> Served[T]:
    try:
        value = fetch()
    except UpstreamUnavailable as failure:
        logger.warning("upstream unavailable provider=%s key=%s: %s", provider, key, failure)
        cache.set(_breaker_key(provider), True, timeout=BREAKER_SECONDS)
        cache.set(_failure_key(key), str(failure), timeout=_store_seconds())
        _report_outcome(provider, ok=False)
        if previous is not None and _age_seconds(previous) >= settings.MAX_STALE_SECONDS:
            previous = None
        return _stale_or_raise(previous, failure)
    except UpstreamError as refusal:
        # Refused credentials, an unreadable answer: retrying will not help, so the requests
        # waiting on this fetch (in this process) get the same error instead of starting another.
        with _refusals_guard:
            _refusals[key] = (refusal, time.monotonic())
        _report_outcome(provider, ok=False)
        raise
    entry = CacheEntry(value, now())
    cache.set(key, entry, timeout=_store_seconds())
    cache.delete(_failure_key(key))
    _report_outcome(provider, ok=True)
    if previous is not None and on_replaced is not None and previous.value != value:
        on_replaced(previous.value)
    return Served(entry.value, entry.fetched_at)


# key -> (the error a fetch of it ended with, when); read by the waiters of that fetch.
_refusals: dict[str, tuple[UpstreamError, float]] = {}
_refusals_guard = threading.Lock()


def _refusal_since(key: str, since: float) -> UpstreamError | None:
    with _refusals_guard:
        refusal = _refusals.get(key)
    return refusal[0] if refusal is not None and refusal[1] >= since else None


def _with_known_failure(key: str, entry: CacheEntry[T], provider: str) -> Served[T]:
    """The copy, marked stale when the last refresh of it failed."""
    message = cache.get(_failure_key(key))
    failure = UpstreamUnavailable(message, provider=provider) if message else None
    return Served(entry.value, entry.fetched_at, failure)


def _wait_for_leader(
    key: str,
    leader: _Leader,
    *,
    provider: str,
    wait: float,
    loading: bool = False,
    newer_than: CacheEntry | None = None,
) -> Served:
    """Waits for the leader's copy while the leader is alive (its lock held).

    A leader that is gone without storing anything failed: with the breaker open that is the
    answer; otherwise the waiter leads itself. Waiting on a background leader (`loading`, or
    `newer_than` for a Refresh) lasts at most `wait` seconds: then StillLoading with the progress
    so far, or the `newer_than` copy.
    """
    started = waiting_since = time.monotonic()
    give_up_at = started + wait
    background = loading or newer_than is not None
    while True:
        entry: CacheEntry | None = cache.get(key)
        usable = entry is not None and _age_seconds(entry) < settings.MAX_STALE_SECONDS
        if usable and (newer_than is None or entry.fetched_at > newer_than.fetched_at):
            return Served(entry.value, entry.fetched_at)
        held = FetchLock.held(key)
        if not held and background and time.monotonic() - started < BACKGROUND_START_GRACE:
            pass  # the background leader may not have taken its lock yet
        elif not held:
            refusal = _refusal_since(key, waiting_since)
            if refusal is not None and newer_than is None:
                raise refusal
            if newer_than is not None:
                return _with_known_failure(key, newer_than, provider)
            if cache.get(_breaker_key(provider)) is not None:
                raise UpstreamUnavailable(f"{provider} is not answering.", provider=provider)
            if loading:
                run_in_background(leader.lead, key)
                started = time.monotonic()
            else:
                led = leader.lead()
                if led is not None:
                    return led
                continue
        elif background and time.monotonic() >= give_up_at:
            if newer_than is not None:
                return Served(newer_than.value, newer_than.fetched_at)
            done, total = fetch_progress(key) or (0, None)
            raise StillLoading(
                f"{provider} data is still loading.", provider=provider, done=done, total=total
            )
        # Otherwise the leader is alive (its lock is extended while it progresses, and lapses
        # LOCK_SECONDS after it stops): keep waiting, however long its budget lets it work.
        time.sleep(WAIT_POLL_SECONDS)


def _stale_or_raise(entry: CacheEntry[T] | None, failure: UpstreamUnavailable) -> Served[T]:
    if entry is not None and _age_seconds(entry) < settings.MAX_STALE_SECONDS:
        return Served(entry.value, entry.fetched_at, failure=failure)
    raise failure


def _age_seconds(entry: CacheEntry) -> float:
    return (now() - entry.fetched_at).total_seconds()


def _store_seconds() -> int:
    # Long enough to serve as the stale copy; a little beyond, so expiry is decided by age.
    return settings.MAX_STALE_SECONDS + 60
