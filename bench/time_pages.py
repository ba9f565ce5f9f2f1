"""Time pages against the balances page, warm, on one synced store (SQLite file or PostgreSQL).

  bench/time_pages.py [--customers 10000] [--database-url sqlite:////tmp/x.sqlite3]

Seeds the in-process sandbox with --customers (about 4.6 events each), syncs the seat history,
then times, in one run and warm (each URL asked once before timing): the balances page, the
as-of balances page, /movers/ for several windows, a customer page (its chart and as-of box
included), and the CSV exports (rows per second). Prints numbers; asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import os
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
    args = parser.parse_args()
    db_url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/time-pages.sqlite3"
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seatdash.settings")
    import logging

    import django

    django.setup()
    logging.getLogger("axes").setLevel(logging.WARNING)
    logging.getLogger("seatdash.audit").setLevel(logging.WARNING)
    logging.getLogger("seatdash.history").setLevel(logging.WARNING)

    from django.core.management import call_command

    from bench.support import logged_in_client, row, timed
    from seatdash.history.models import SeatChange
    from seatdash.history.sync import sync_once
    from seatdash.services.seats_over_time import quick_range

    from seatdash.history.models import HeldCustomer
    from seatdash.history.queries import synced_at

    started = time.perf_counter()
    client = logged_in_client()
    seeded = synced = 0.0
    kept = args.reuse and synced_at() and HeldCustomer.objects.count() == args.customers
    if not kept:
        call_command("sandbox_seed", "--customers", str(args.customers), "--reset", verbosity=0)
        seeded = time.perf_counter() - started
        started = time.perf_counter()
        assert sync_once().status == "ok"
        synced = time.perf_counter() - started
    points = SeatChange.objects.count()
    print(
        f"{args.customers:,} customers, {points:,} change points on {db_url.split(':')[0]}"
        + (" (store reused)" if kept else f" (seed {seeded:.0f} s, initial sync {synced:.0f} s)")
    )
    if args.build_only:
        return
    today = datetime.now(UTC).date()
    customer_id = (
        SeatChange.objects.values_list("customer_id", flat=True).order_by("customer_id").first()
    )
    last_q = quick_range("last-quarter", today)
    urls = {
        "balances /": ("/", {}),
        "balances / sort=-total": ("/", {"sort": "-total"}),
        "as_of 90 days ago": ("/", {"as_of": (today - timedelta(days=90)).isoformat()}),
        "as_of 90 days ago, sort=-total page 3": (
            "/",
            {"as_of": (today - timedelta(days=90)).isoformat(), "sort": "-total", "page": "3"},
        ),
        "balances sort=-change30 (30-day change)": ("/", {"sort": "-change30"}),
        "balances changed between, last quarter": (
            "/",
            {"from": str(last_q[0]), "to": str(last_q[1])},
        ),
        "movers last 30 days (default)": ("/movers/", {}),
        "movers last quarter": ("/movers/", {"from": str(last_q[0]), "to": str(last_q[1])}),
        "movers last 365 days, direction=up": (
            "/movers/",
            {"from": str(today - timedelta(days=365)), "to": str(today), "direction": "up"},
        ),
        "movers 30 days, q='gmbh'": ("/movers/", {"q": "gmbh"}),
        "customer page (chart + events)": (f"/customers/{customer_id}/", {}),
        "customer page with as_of": (
            f"/customers/{customer_id}/",
            {"as_of": str(today - timedelta(days=200))},
        ),
    }
    results = {}
    for label, (url, params) in urls.items():
        response = client.get(url, params)
        assert response.status_code == 200, (label, response.status_code)
        median, low = timed(lambda url=url, params=params: client.get(url, params), repeat=15)
        results[label] = median
        row(f"warm {label}", median, low)
    from seatdash.services import change_window, recent_change

    recent_change.clear()
    started = time.perf_counter()
    recent_change.recent_changes()
    print(
        f"  cold 30-day change of every customer (once per sync): {(time.perf_counter() - started) * 1000:.0f} ms"
    )
    change_window.clear()
    started = time.perf_counter()
    client.get("/", {"from": str(last_q[0]), "to": str(last_q[1])})
    print(
        f"  cold 'changed between' last quarter page (one query per window and sync): {(time.perf_counter() - started) * 1000:.0f} ms"
    )
    base = results["balances /"]
    for label in (
        "balances sort=-change30 (30-day change)",
        "balances changed between, last quarter",
        "as_of 90 days ago",
        "movers last 30 days (default)",
        "movers last quarter",
    ):
        print(f"  {label}: {results[label] / base:.2f} x the balances page")

    for label, (url, params) in {
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
        started = time.perf_counter()
        response = client.get(url, params)
        lines = sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1
        seconds = time.perf_counter() - started
        print(
            f"  {label:<58} {lines:,} rows in {seconds * 1000:.0f} ms = {lines / seconds:,.0f} rows/s"
        )


if __name__ == "__main__":
    main()
