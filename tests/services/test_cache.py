from __future__ import annotations

import socket
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import override_settings

from seatdash.clients.errors import UpstreamUnavailable
from seatdash.services.cache import CacheEntry, cache_key, cached_fetch, now


class CountingFetch:
    def __init__(self, value="v", *, fail=False, delay=0.0):
        self.value, self.fail, self.delay, self.calls = value, fail, delay, 0
        self._lock = threading.Lock()

    def __call__(self):
        with self._lock:
            self.calls += 1
        if self.delay:
            threading.Event().wait(self.delay)
        if self.fail:
            raise UpstreamUnavailable("down", provider="Sequence")
        return self.value


def fetch_once(fetch, **kwargs):
    return cached_fetch("k", fetch, fresh_seconds=60, provider="Sequence", **kwargs)


def test_cached_fetch_fresh_copy_served_without_calling_upstream():
    fetch = CountingFetch()
    first = fetch_once(fetch)
    second = fetch_once(fetch)
    assert fetch.calls == 1
    assert second.value == "v"
    assert second.fetched_at == first.fetched_at
    assert not second.stale


def test_cached_fetch_past_fresh_refetches():
    fetch = CountingFetch()
    with time_machine.travel(now(), tick=False) as traveller:
        fetch_once(fetch)
        traveller.shift(timedelta(seconds=61))
        again = fetch_once(fetch)
    assert fetch.calls == 2
    assert not again.stale


@override_settings(MAX_STALE_SECONDS=3600)
def test_cached_fetch_upstream_down_serves_stale_copy_marked_stale():
    with time_machine.travel(now(), tick=False) as traveller:
        first = fetch_once(CountingFetch("old"))
        traveller.shift(timedelta(seconds=120))
        served = fetch_once(CountingFetch(fail=True))
    assert served.value == "old"
    assert served.stale
    assert served.fetched_at == first.fetched_at
    assert isinstance(served.failure, UpstreamUnavailable)


@override_settings(MAX_STALE_SECONDS=600)
def test_cached_fetch_copy_older_than_max_stale_is_not_shown():
    with time_machine.travel(now(), tick=False) as traveller:
        fetch_once(CountingFetch("old"))
        traveller.shift(timedelta(seconds=601))
        with pytest.raises(UpstreamUnavailable):
            fetch_once(CountingFetch(fail=True))


def test_cached_fetch_no_copy_and_upstream_down_raises():
    with pytest.raises(UpstreamUnavailable):
        fetch_once(CountingFetch(fail=True))


def test_cached_fetch_failure_is_not_cached():
    with pytest.raises(UpstreamUnavailable):
        fetch_once(CountingFetch(fail=True))
    cache.delete(cache_key("breaker", "Sequence"))
    recovered = fetch_once(CountingFetch("back"))
    assert recovered.value == "back"


def test_cached_fetch_breaker_open_serves_stale_without_calling():
    with time_machine.travel(now(), tick=False) as traveller:
        fetch_once(CountingFetch("old"))
        traveller.shift(timedelta(seconds=120))
        fetch_once(CountingFetch(fail=True))
        untouched = CountingFetch("new")
        served = fetch_once(untouched)
    assert untouched.calls == 0
    assert served.value == "old" and served.stale


@override_settings(REFRESH_MIN_INTERVAL_SECONDS=10)
def test_cached_fetch_refresh_refetches_but_not_twice_within_interval():
    fetch = CountingFetch()
    with time_machine.travel(now(), tick=False) as traveller:
        fetch_once(fetch)
        fetch_once(fetch, refresh=True)
        assert fetch.calls == 1  # the copy is younger than the refresh interval
        traveller.shift(timedelta(seconds=11))
        fetch_once(fetch, refresh=True)
        fetch_once(fetch, refresh=True)
    assert fetch.calls == 2


def test_cached_fetch_refresh_bypasses_open_breaker():
    fetch_once(CountingFetch("x"))
    cache.set(cache_key("breaker", "Sequence"), True, 10)
    with time_machine.travel(now() + timedelta(seconds=30), tick=False):
        fetch = CountingFetch("y")
        served = fetch_once(fetch, refresh=True)
    assert fetch.calls == 1
    assert served.value == "y"


def _stampede(requests: int) -> CountingFetch:
    fetch = CountingFetch("v", delay=0.3)
    barrier = threading.Barrier(requests)
    results, errors = [], []

    def request():
        barrier.wait()
        try:
            results.append(fetch_once(fetch).value)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=request) for _ in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert results == ["v"] * requests
    return fetch


def test_cached_fetch_cold_key_stampede_fetches_once():
    assert _stampede(16).calls == 1


def _redis_available() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.3).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_available(), reason="no Redis on 127.0.0.1:6379")
def test_cached_fetch_on_redis_stampede_fetches_once_and_serves_stale():
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/14",
            "KEY_PREFIX": f"test-{now().timestamp()}",
        }
    }
    with override_settings(CACHES=redis_cache, MAX_STALE_SECONDS=3600):
        cache.clear()
        try:
            assert _stampede(16).calls == 1
            stored = cache.get("k")
            assert isinstance(stored, CacheEntry)
            with time_machine.travel(now() + timedelta(seconds=120), tick=False):
                served = fetch_once(CountingFetch(fail=True))
            assert served.stale and served.value == "v"
        finally:
            cache.clear()


def test_cache_key_hashes_unusual_parts():
    key = cache_key("events", "EventFilters(seat_type='a b', ...)")
    assert " " not in key and len(key) < 80
    assert cache_key("customer", "abc-123") == cache_key("customer", "abc-123")
    assert cache_key("customer", "a") != cache_key("customer", "b")


# --- refresh ahead and the lock -------------------------------------------------------------------


class BlockingFetch:
    """A fetch that starts, then holds until the test releases it."""

    def __init__(self, value):
        self.value, self.started, self.release, self.calls = (
            value,
            threading.Event(),
            threading.Event(),
            0,
        )

    def __call__(self):
        self.calls += 1
        self.started.set()
        assert self.release.wait(10), "the test never released the fetch"
        return self.value


def test_cached_fetch_aged_copy_served_at_once_while_refresh_runs_behind(background_threads):
    with time_machine.travel(now(), tick=False) as traveller:
        fetch_once(CountingFetch("old"))
        traveller.shift(timedelta(seconds=61))
        slow = BlockingFetch("new")
        served = fetch_once(slow)  # returns although the refresh has not finished
        assert slow.started.wait(5)
        assert served.value == "old" and not served.stale
        assert fetch_once(slow).value == "old"  # a refresh is under way: no second one
        slow.release.set()
        background_threads.wait_for_background_refreshes()
        assert fetch_once(CountingFetch("unused")).value == "new"
    assert slow.calls == 1


def test_cached_fetch_failed_background_refresh_marks_the_copy_stale(monkeypatch):
    from seatdash.services import cache as cache_service

    with time_machine.travel(now(), tick=False) as traveller:
        fetch_once(CountingFetch("old"))
        traveller.shift(timedelta(seconds=61))
        fetch_once(CountingFetch(fail=True))  # the refresh (inline here) fails
        cache.delete(cache_key("breaker", "Sequence"))  # the breaker has closed again
        monkeypatch.setattr(cache_service, "run_in_background", lambda job, name: None)
        served = fetch_once(CountingFetch("unused"))
    assert served.value == "old"
    assert served.stale  # the banner says why the copy is old, until a refresh succeeds


def test_cached_fetch_waiter_takes_over_when_the_leader_is_gone():
    from seatdash.services.cache import FetchLock

    dead_leader = FetchLock("k")
    assert dead_leader.acquire()
    results = []
    waiter = threading.Thread(target=lambda: results.append(fetch_once(CountingFetch("mine"))))
    waiter.start()
    threading.Event().wait(0.3)
    assert waiter.is_alive()  # waiting while the lock is held, not giving up
    dead_leader.release()  # as when a crashed leader's lock lapses
    waiter.join(5)
    assert [r.value for r in results] == ["mine"]


def test_cached_fetch_waiter_gets_the_leaders_copy_however_long_it_works(monkeypatch):
    from seatdash.services import cache as cache_service

    monkeypatch.setattr(cache_service, "LOCK_SECONDS", 1)

    def long_fetch():
        for done in range(8):  # 1.6 s, longer than the lock lives without progress
            threading.Event().wait(0.2)
            cache_service.report_progress(done)
        return "slow"

    results, errors = [], []

    def request():
        try:
            results.append(fetch_once(long_fetch).value)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=request) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert results == ["slow"] * 3


def test_fetch_lock_release_frees_only_its_own_lock_local():
    from seatdash.services.cache import FetchLock

    first = FetchLock("k")
    assert first.acquire()
    assert not FetchLock("k").acquire()
    FetchLock._local[first.name] = (FetchLock._local[first.name][0], 0.0)  # lapsed
    second = FetchLock("k")
    assert second.acquire()
    first.release()
    assert FetchLock.held("k")
    second.release()
    assert not FetchLock.held("k")


@pytest.mark.skipif(not _redis_available(), reason="no Redis on 127.0.0.1:6379")
def test_fetch_lock_on_redis_is_token_checked_and_extendable():
    from seatdash.services.cache import FetchLock, redis_client

    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/14",
            "KEY_PREFIX": f"test-lock-{now().timestamp()}",
        }
    }
    with override_settings(CACHES=redis_cache):
        first = FetchLock("k")
        assert first.acquire()
        assert not FetchLock("k").acquire()
        client = redis_client()
        redis_key = cache.make_and_validate_key(first.name)
        client.pexpire(redis_key, 50)
        first.extend()
        assert client.pttl(redis_key) > 1000  # extended to LOCK_SECONDS again
        client.delete(redis_key)  # as if it lapsed
        second = FetchLock("k")
        assert second.acquire()
        first.release()  # not its lock any more
        assert FetchLock.held("k")
        second.release()
        assert not FetchLock.held("k")
