"""The balances table's 90-day trend (a sparkline per row) and 30-day change, for one page of rows.

Read from the held balances and the change points of the last 90 days only (the change series
held in process, services.change_series).
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from seatdash.history.models import HeldBalance
from seatdash.services import change_series
from seatdash.services.recent_change import recent_changes

TREND_DAYS = 90


@dataclass(frozen=True, slots=True)
class Trend:
    daily_totals: list[
        int
    ]  # total seats at the end of each of the last TREND_DAYS days, oldest first
    change_30_days: int  # seats now minus seats held 30 days ago

    @property
    def label(self) -> str:
        low, high = min(self.daily_totals), max(self.daily_totals)
        return f"{TREND_DAYS}-day trend: from {self.daily_totals[0]:,} to {self.daily_totals[-1]:,} (between {low:,} and {high:,})"


def trends(customer_ids: list[str]) -> dict[str, Trend] | None:
    """The 90-day trend and 30-day change of the given customers (one page of them), all seat types.

    Read from the held balances and the change points of the last 90 days only.
    """
    current = change_series.version()
    series = change_series.series_if_loaded(current)
    if series is None:  # loading after a sync: the columns come back when it is in
        return None
    now = datetime.now(UTC)
    today = now.date()
    first_day = today - timedelta(days=TREND_DAYS - 1)
    totals: dict[str, int] = defaultdict(int)
    for customer, total in HeldBalance.objects.filter(customer_id__in=customer_ids).values_list(
        "customer_id", "total"
    ):
        totals[customer] += total
    since = datetime.combine(first_day, datetime.min.time(), tzinfo=UTC)
    changes = _points_since(current, series, since)
    recent = recent_changes(now)  # the same numbers `/` sorts by (sort=change30)
    day_ends = [
        change_series.micros(since + timedelta(days=offset + 1)) for offset in range(TREND_DAYS)
    ]
    result = {}
    for customer in customer_ids:
        points = changes.get(customer, [])
        daily = []
        for day_end in day_ends:
            later = sum(change for moment, change in points if moment >= day_end)
            daily.append(totals.get(customer, 0) - later)
        result[customer] = Trend(daily, recent.of(customer))
    return result


_kept: tuple[tuple, dict[str, list[tuple[int, int]]]] | None = None
_lock = threading.Lock()


def _points_since(current, series, since: datetime) -> dict[str, list[tuple[int, int]]]:
    """customer -> (event time in epoch microseconds, change) of its points after `since`, from
    the change series held in process; built once per store version and day. (A query per page
    for 50 customers' points made SQLite walk the whole 90-day window of the time index.)"""
    global _kept
    key = (current, since)
    with _lock:
        if _kept is not None and _kept[0] == key:
            return _kept[1]
    pairs, times, change = series.pairs, series.times, series.change
    found: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for index in range(bisect_right(times, change_series.micros(since)), len(times)):
        found[pairs[series.pair[index]][0]].append((times[index], change[index]))
    with _lock:
        _kept = (key, found)
    return found
