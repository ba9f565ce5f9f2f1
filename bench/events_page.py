"""`/events/` and `/events.csv` from the synced seat history, warm, on an existing synced store.

  bench/events_page.py --database-url sqlite:////tmp/events-bench/db.sqlite3

Times the filters that need no balances snapshot (no filter, event-time order, a 30-day window in
both orders, one alias's events, the next page) and the CSV of every event (rows per second).
Seed and sync the store first (bench/time_pages.py does both). Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seatdash.settings")
    import logging

    import django

    django.setup()
    for name in ("axes", "seatdash.audit", "seatdash.history"):
        logging.getLogger(name).setLevel(logging.WARNING)

    from bench.support import logged_in_client, row, timed
    from seatdash.history.event_listing import HeldEventQuery, held_event_page
    from seatdash.history.models import SeatEvent

    client = logged_in_client()
    print(f"{SeatEvent.objects.count():,} held events on {args.database_url.split(':')[0]}")
    newest = SeatEvent.objects.order_by("-event_timestamp").values_list("event_timestamp")[0][0]
    sent_as = SeatEvent.objects.order_by("position").values_list("customer_alias")[0][0]
    window = {"from": f"{newest.date().replace(day=1)}", "to": f"{newest.date()}"}
    after = held_event_page(HeldEventQuery(order="event_time"), size=25).after
    urls = {
        "no filter (newest received first)": {},
        "order=event_time": {"order": "event_time"},
        "order=event_time, next page": {"order": "event_time", "after": after},
        "this month's window, received order": window,
        "this month's window, event time": {**window, "order": "event_time"},
        "sent_as one alias": {"sent_as": sent_as},
    }
    for label, params in urls.items():
        response = client.get("/events/", params)
        assert response.status_code == 200 and b'<table class="data events">' in response.content, (
            label
        )
        median, low = timed(
            lambda params=params: client.get("/events/", params), repeat=args.repeat
        )
        row(f"warm /events/ {label}", median, low)
    started = time.perf_counter()
    response = client.get("/events.csv")
    lines = sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1
    seconds = time.perf_counter() - started
    print(
        f"  /events.csv every event: {lines:,} rows in {seconds:.1f} s = {lines / seconds:,.0f} rows/s"
    )


if __name__ == "__main__":
    main()
