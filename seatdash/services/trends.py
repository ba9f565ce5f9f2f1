"""The balances table's 90-day trend (a sparkline per row) and 30-day change, for one page of rows.

Read from the held balances and the change points of the last 90 days only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from seatdash.history import queries
from seatdash.history.models import HeldBalance, SeatChange
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


def trends(customer_ids: list[str]) -> dict[str, Trend]:
    """The 90-day trend and 30-day change of the given customers (one page of them), all seat types.

    Read from the held balances and the change points of the last 90 days only.
    """
    queries.require_synced()
    now = datetime.now(UTC)
    today = now.date()
    first_day = today - timedelta(days=TREND_DAYS - 1)
    totals: dict[str, int] = defaultdict(int)
    for customer, total in HeldBalance.objects.filter(customer_id__in=customer_ids).values_list(
        "customer_id", "total"
    ):
        totals[customer] += total
    changes: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    since = datetime.combine(first_day, datetime.min.time(), tzinfo=UTC)
    rows = SeatChange.objects.filter(customer_id__in=customer_ids, event_timestamp__gt=since)
    for customer, moment, change in rows.values_list("customer_id", "event_timestamp", "change"):
        changes[customer].append((moment, change))
    recent = recent_changes(now)  # the same numbers `/` sorts by (sort=change30)
    result = {}
    for customer in customer_ids:
        points = changes.get(customer, [])
        daily = []
        for offset in range(TREND_DAYS):
            day_end = since + timedelta(days=offset + 1)
            later = sum(change for moment, change in points if moment >= day_end)
            daily.append(totals.get(customer, 0) - later)
        result[customer] = Trend(daily, recent.of(customer))
    return result
