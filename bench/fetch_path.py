"""The fetch path at scale: the sandbox over HTTP, paged by 100, with 20 ms of injected latency.

For each size: the cold time to a complete snapshot and its calls (against the floor of
calls x latency), where our own time per call goes (cProfile), warm pages across 10 expiry
boundaries (p50/p99: nobody waits for a refetch), and the cache after 20 refreshes.
The sandbox runs as its own gunicorn process on a seeded SQLite file under /tmp/seatdash-bench/.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from django.core.cache import cache, caches
from django.test import override_settings

from bench.data import customers as synthetic_customers
from bench.support import logged_in_client
from seatdash.clients.http import RetryPolicy
from seatdash.clients.sequence import BalancePages, SequenceClient
from seatdash.sandbox.auth import sandbox_credentials
from seatdash.services import balances as balance_service
from seatdash.services import cache as cache_service

ROOT = Path(__file__).resolve().parent.parent
WORK = Path("/tmp/seatdash-bench")
PAGE_SIZE = 100
LATENCY_MS = 20


def _manage(db: Path, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def _seeded(customers: int) -> Path:
    WORK.mkdir(exist_ok=True)
    db = WORK / f"sandbox-{customers}.sqlite3"
    if not db.exists():
        print(f"  (seeding {customers:,} sandbox customers into {db}, once)")
        _manage(db, "migrate", "--no-input")
        _manage(db, "sandbox_seed", "--customers", str(customers), "--anchor", "2026-06-01")
    _manage(db, "sandbox_faults", "--delay-ms", str(LATENCY_MS))
    return db


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(db: Path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "SANDBOX_BALANCES_PAGE_SIZE": str(PAGE_SIZE),
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "seatdash.wsgi", "--bind", f"127.0.0.1:{port}",
            "--workers", "2", "--threads", "2", "--log-level", "warning", "--config", "/dev/null",
        ],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return server, port
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise RuntimeError("the sandbox server did not start")


def _client(port: int) -> SequenceClient:
    client_id, secret = sandbox_credentials()
    return SequenceClient(
        base_url=f"http://127.0.0.1:{port}/sandbox/api",
        client_id=client_id,
        client_secret=secret,
        timeout=httpx.Timeout(30.0, connect=5.0),  # a loaded bench machine, not a slow upstream
        retry=RetryPolicy(deadline=60.0),
    )


def _cache_bytes() -> tuple[int, int]:
    """(snapshot data entries, bytes of every cached value): local memory stores pickles."""
    store = caches["default"]._cache
    data = sum(1 for key in store if ":balances:all:data:" in key)
    return data, sum(len(value) for value in store.values())


class _SyntheticSequence:
    """The snapshot's upstream in process: synthetic customers, for the cache measure alone."""

    def __init__(self, customers):
        self.customers = customers

    def fetch_seat_balances(self, **_):
        return BalancePages(self.customers, reported_total=len(self.customers), pages=1)


def cache_after_refreshes(customers: int, refreshes: int = 20) -> None:
    cache.clear()
    balance_service.forget_decoded_snapshots()
    balance_service.sequence_client = lambda: _SyntheticSequence(synthetic_customers(customers))
    balance_service.balance_snapshot_refresh(older_than=0)
    _, one = _cache_bytes()
    for _ in range(refreshes):
        balance_service.balance_snapshot_refresh(older_than=0)
    data, total = _cache_bytes()
    print(
        f"  {customers:,} customers, after {refreshes} refreshes: {data} snapshot data "
        f"entr{'y' if data == 1 else 'ies'} in the cache, {total / 1e6:.1f} MB cached "
        f"(one snapshot: {one / 1e6:.1f} MB)"
    )


def run(sizes: list[int]) -> None:
    for customers in sizes:
        cache_after_refreshes(customers)
    for customers in sizes:
        print(f"\n  -- {customers:,} customers, pages of {PAGE_SIZE}, {LATENCY_MS} ms latency")
        db = _seeded(customers)
        server, port = _serve(db)
        try:
            _run_one(_client(port))
        finally:
            server.terminate()
            server.wait(10)


def _warm_up(client: SequenceClient) -> None:
    """Each gunicorn worker imports the app on its first request: not part of the measure."""
    for _ in range(6):
        client.fetch_seat_balances(customer_ids=["warm-up"])


def _run_one(client: SequenceClient) -> None:
    _warm_up(client)
    # Cold: one complete snapshot, straight from the client.
    started = time.perf_counter()
    found = client.fetch_seat_balances()
    cold = time.perf_counter() - started
    floor = found.pages * LATENCY_MS / 1000
    print(
        f"  cold snapshot: {len(found.customers):,} customers in {found.pages} calls, "
        f"{cold:.2f} s = {cold / floor:.2f} x the floor of calls x latency ({floor:.1f} s); "
        f"{(cold - floor) / found.pages * 1000:.1f} ms per call beyond the latency"
    )

    profiler = cProfile.Profile()
    profiler.enable()
    client.fetch_seat_balances()
    profiler.disable()
    stats = pstats.Stats(profiler)
    wanted = {
        "request_json": "JsonHttp.request_json (whole call)",
        "_attempt": "  send + read the body (incl. latency)",
        "_decode_success": "  JSON decoding",
        "parse_page": "parsing records",
        "warning": "logging",
        "build_request": "  building the request",
    }
    print("  where the time goes (cProfile, cumulative, per call):")
    for (_, _, name), (_, _, _, cumulative, _) in sorted(stats.stats.items()):
        if name in wanted:
            print(f"    {wanted[name]:<42} {cumulative / found.pages * 1000:7.2f} ms")

    # Warm pages across expiry boundaries, the refresh running behind them.
    web = logged_in_client()
    cache.clear()
    balance_service.forget_decoded_snapshots()
    balance_service.sequence_client = lambda: client
    cache_service.run_in_background = cache_service.run_in_thread
    samples: list[float] = []
    with override_settings(BALANCES_FRESH_SECONDS=1):
        web.get("/")  # cold: waits up to COLD_WAIT_SECONDS, then loading
        cache_service.wait_for_background_refreshes(timeout=600)
        versions = {cache.get(balance_service.SNAPSHOT_KEY).value.version}
        give_up = time.monotonic() + 900
        while len(versions) < 11 and time.monotonic() < give_up:
            t0 = time.perf_counter()
            response = web.get("/")
            samples.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200 and b"Loading balances" not in response.content
            versions.add(cache.get(balance_service.SNAPSHOT_KEY).value.version)
        cache_service.wait_for_background_refreshes(timeout=600)
    samples.sort()
    p50 = statistics.median(samples)
    p99 = samples[int(len(samples) * 0.99) - 1]
    print(
        f"  warm pages across {len(versions) - 1} expiry boundaries: {len(samples)} requests, "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms ({p99 / p50:.2f} x p50), max {samples[-1]:.1f} ms"
    )
