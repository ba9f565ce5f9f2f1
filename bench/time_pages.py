"""Time pages against the balances page, warm, on one synced store (SQLite file or PostgreSQL).

  bench/time_pages.py [--customers 10000] [--database-url sqlite:////tmp/x.sqlite3] [--reuse]

Seeds the in-process sandbox with --customers (about 4.6 events each) and syncs the seat history
(with --reuse, a store already seeded and synced with that many customers is kept: building
100,000 takes most of an hour; bench/copy_store.py copies a synced SQLite store into PostgreSQL).
Then, in one run: the cold load of the change series, and for each page its first ask and its
warm median: the balances page, as-of pages, /movers/ from 7 days to 10 years, a customer page;
the customer page without its chart and `/` without its trend columns; the CSV exports' rows per
second and peak Python memory. Prints numbers and each goal's verdict; asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep a store already seeded and synced with --customers (seeding 100,000 is slow)",
    )
    parser.add_argument("--build-only", action="store_true", help="seed and sync, time nothing")
    parser.add_argument("--repeat", type=int, default=15, help="timed asks per page (median)")
    args = parser.parse_args()
    db_url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/time-pages.sqlite3"
    os.environ["DATABASE_URL"] = db_url
    # One balances snapshot for the whole run: a refresh ahead (parsing 100,000 customers in a
    # thread of this process) would land inside the timings of whatever page runs beside it.
    os.environ.setdefault("BALANCES_FRESH_SECONDS", "86400")
    os.environ.setdefault("UPSTREAM_CALL_DEADLINE", "600")  # the in-process sandbox, under load
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seatdash.settings")
    import logging

    import django

    django.setup()
    logging.getLogger("axes").setLevel(logging.WARNING)
    logging.getLogger("seatdash.audit").setLevel(logging.WARNING)
    logging.getLogger("seatdash.history").setLevel(logging.WARNING)

    from django.core.management import call_command

    from bench.support import logged_in_client
    from seatdash.history.models import HeldCustomer, SeatChange
    from seatdash.history.queries import synced_at
    from seatdash.history.sync import sync_once

    started = time.perf_counter()
    client = logged_in_client()
    seeded = synced = 0.0
    from seatdash.sandbox.models import Customer

    kept = args.reuse and synced_at() and HeldCustomer.objects.count() == args.customers
    if not kept:
        if not (args.reuse and Customer.objects.count() == args.customers):
            call_command("sandbox_seed", "--customers", str(args.customers), "--reset", verbosity=0)
        seeded = time.perf_counter() - started
        started = time.perf_counter()
        result = sync_once()  # resumes a sync that stopped part way (see history.sync)
        assert result.status == "ok", result
        synced = time.perf_counter() - started
    points = SeatChange.objects.count()
    print(
        f"{args.customers:,} customers, {points:,} change points on {db_url.split(':')[0]}"
        + (" (store reused)" if kept else f" (seed {seeded:.0f} s, initial sync {synced:.0f} s)")
    )
    if args.build_only:
        return
    measure(client, repeat=args.repeat)


def timed(fn, *, repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time of `fn` in milliseconds. On a shared machine the wall
    time includes waiting for a core; the CPU time is what the page itself cost."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def row(label: str, wall_ms: float, cpu_ms: float) -> None:
    print(f"  {label:<62} p50 {wall_ms:8.1f} ms   CPU p50 {cpu_ms:8.1f} ms")


def measure(client, *, repeat: int) -> None:
    """Warm p50s of the time pages against `/` in the same run, cold costs, CSV speed and memory."""
    from seatdash.history.models import SeatChange
    from seatdash.services import change_series, seats_over_time
    from seatdash.services.seats_over_time import quick_range

    today = datetime.now(UTC).date()
    customer_id = (
        SeatChange.objects.values_list("customer_id", flat=True).order_by("customer_id").first()
    )
    events = SeatChange.objects.filter(customer_id=customer_id).count()
    last_q = quick_range("last-quarter", today)

    def window(days: int) -> dict[str, str]:
        return {"from": str(today - timedelta(days=days)), "to": str(today)}

    as_of_day = (today - timedelta(days=90)).isoformat()
    urls = {
        "balances /": ("/", {}),
        "balances / sort=-total": ("/", {"sort": "-total"}),
        "as_of 90 days ago": ("/", {"as_of": as_of_day}),
        "as_of 90 days ago, sort=-total page 3": (
            "/",
            {"as_of": as_of_day, "sort": "-total", "page": "3"},
        ),
        "as_of today (up to now)": ("/", {"as_of": today.isoformat()}),
        "balances sort=-change30 (30-day change)": ("/", {"sort": "-change30"}),
        "balances changed between, last quarter": (
            "/",
            {"from": str(last_q[0]), "to": str(last_q[1])},
        ),
        "movers 7 days": ("/movers/", window(7)),
        "movers last 30 days (default)": ("/movers/", {}),
        "movers last quarter": ("/movers/", {"from": str(last_q[0]), "to": str(last_q[1])}),
        "movers 365 days, direction=up": ("/movers/", {**window(365), "direction": "up"}),
        "movers 10 years": ("/movers/", window(10 * 365 - 1)),
        "movers 30 days, q='gmbh'": ("/movers/", {"q": "gmbh"}),
        "customer page (chart + events)": (f"/customers/{customer_id}/", {}),
        "customer page with as_of": (
            f"/customers/{customer_id}/",
            {"as_of": str(today - timedelta(days=200))},
        ),
    }
    # Cold: the first process-wide read of this sync's change series, then each page's first ask.
    seats_over_time.clear()
    started = time.perf_counter()
    series = change_series.change_series()
    print(
        f"  cold: change series of this sync loaded once per process: {len(series):,} points,"
        f" {len(series.pairs):,} pairs in {(time.perf_counter() - started) * 1000:,.0f} ms"
    )
    results, cpu_results = {}, {}
    for label, (url, params) in urls.items():
        started = time.perf_counter()
        response = client.get(url, params)
        cold = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (label, response.status_code)
        median, cpu = timed(lambda url=url, params=params: client.get(url, params), repeat=repeat)
        results[label] = median
        cpu_results[label] = cpu
        row(f"warm {label} (first ask {cold:,.0f} ms)", median, cpu)

    base, base_cpu = results["balances /"], cpu_results["balances /"]
    print(f"  goal: <= 2 x the warm balances page ({base:.1f} ms, CPU {base_cpu:.1f} ms), same run")
    for label in urls:
        if label.startswith(("as_of", "movers")):
            ratio, cpu_ratio = results[label] / base, cpu_results[label] / base_cpu
            verdict = "ok" if ratio <= 2 else "OVER"
            print(f"    {label:<56} {ratio:5.2f} x (CPU {cpu_ratio:5.2f} x)  {verdict}")

    without = _without_history_parts(client, customer_id, repeat=repeat)
    page = "customer page (chart + events)"
    chart_cost = results[page] - without["customer page, no chart"][0]
    chart_cpu = cpu_results[page] - without["customer page, no chart"][1]
    print(
        f"  customer chart ({events} change points) adds {chart_cost:.1f} ms, CPU"
        f" {chart_cpu:.1f} ms (goal <= 20 ms): {'ok' if chart_cost <= 20 else 'OVER'}"
    )
    spark = base / without["balances /, no sparklines"][0] - 1
    spark_cpu = base_cpu / without["balances /, no sparklines"][1] - 1
    print(
        f"  sparkline + 30-day change columns add {spark * 100:.0f} % to /, CPU"
        f" {spark_cpu * 100:.0f} % (goal <= 30 %): {'ok' if spark <= 0.30 else 'OVER'}"
    )
    _csv_speed(client, today)


def _without_history_parts(client, customer_id: str, *, repeat: int) -> dict[str, float]:
    """The customer page without its chart and `/` without its trend columns, same run."""
    import importlib

    views = None
    for name in ("seatdash.web.customers", "seatdash.web.balances", "seatdash.views"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "customer_history_context") or hasattr(module, "balance_trends_context"):
            views = module
            break
    results = {}
    patched = {
        "customer page, no chart": ("customer_history_context", f"/customers/{customer_id}/"),
        "balances /, no sparklines": ("balance_trends_context", "/"),
    }
    for label, (name, url) in patched.items():
        original = getattr(views, name)
        setattr(views, name, lambda *args, **kwargs: {})
        try:
            client.get(url)
            median, cpu = timed(lambda url=url: client.get(url), repeat=repeat)
        finally:
            setattr(views, name, original)
        results[label] = (median, cpu)
        row(f"warm {label}", median, cpu)
    return results


def _csv_speed(client, today) -> None:
    import tracemalloc

    for label, (url, params) in {
        "movers.csv 10 years": (
            "/movers.csv",
            {"from": str(today - timedelta(days=10 * 365 - 1)), "to": str(today)},
        ),
        "movers.csv last 365 days": (
            "/movers.csv",
            {"from": str(today - timedelta(days=365)), "to": str(today)},
        ),
        "balances.csv?as_of 90 days ago": (
            "/balances.csv",
            {"as_of": (today - timedelta(days=90)).isoformat()},
        ),
    }.items():
        client.get(url, params)  # warm
        best = 0.0
        for _ in range(3):
            started = time.perf_counter()
            response = client.get(url, params)
            lines = sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1
            seconds = time.perf_counter() - started
            best = max(best, lines / seconds)
        tracemalloc.start()
        response = client.get(url, params)
        for _chunk in response.streaming_content:
            pass
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        verdict = "ok" if best >= 100_000 else "UNDER"
        print(
            f"  {label:<34} {lines:,} rows, best of 3 {best:,.0f} rows/s ({verdict} vs 100,000),"
            f" peak Python memory while streaming {peak / 1e6:.1f} MB"
        )


if __name__ == "__main__":
    main()
