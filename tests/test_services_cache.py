from __future__ import annotations

import socket
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import override_settings

from seatdash.clients.errors import UpstreamUnavailable
from seatdash.services.cache import Envelope, cache_key, cached_fetch, now


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
            assert isinstance(stored, Envelope)
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
