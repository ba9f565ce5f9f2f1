"""Every customer's 30-day seat change, from the seat history, so `/` can sort by it.

One grouped query over the last 30 days of the change series (the window index), kept in process
for the sync it read and at most `KEEP_SECONDS`: a new sync or the window moving on makes a new
one. The balances table's "30-day change" cells read the same numbers, so the column and its sort
always agree. No replay: each change point already holds its difference from the point before.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from django.db.models import Sum

from seatdash.history import queries
from seatdash.history.models import SeatChange
from seatdash.services.balance_index import BalanceFilters, BalanceIndex

CHANGE_DAYS = 30
KEEP_SECONDS = 600
RECENT_SORT = "change30"
_ORDERS_KEPT = 16


@dataclass(frozen=True, slots=True)
class RecentChanges:
    synced_at: datetime
    computed_at: datetime  # the window is (computed_at - 30 days, computed_at]
    by_customer: dict[str, int]  # non-zero net changes only; absent means 0

    def of(self, customer_id: str) -> int:
        return self.by_customer.get(customer_id, 0)


_kept: RecentChanges | None = None
_lock = threading.Lock()
_orders: weakref.WeakKeyDictionary[BalanceIndex, OrderedDict] = weakref.WeakKeyDictionary()


def recent_changes(now: datetime | None = None) -> RecentChanges:
    """The net seat change of every customer over the 30 days before now (every seat type).

    Raises HistoryNotSynced while the history has never synced."""
    global _kept
    synced = queries.require_synced()
    now = now or datetime.now(UTC)
    with _lock:
        kept = _kept
    if (
        kept is not None
        and kept.synced_at == synced
        and kept.computed_at <= now < kept.computed_at + timedelta(seconds=KEEP_SECONDS)
    ):
        return kept
    sums = (
        SeatChange.objects.filter(
            event_timestamp__gt=now - timedelta(days=CHANGE_DAYS), event_timestamp__lte=now
        )
        .order_by()
        .values("customer_id")
        .annotate(net=Sum("change"))
        .values_list("customer_id", "net")
    )
    fresh = RecentChanges(
        synced, now, {customer: net for customer, net in sums.iterator(5000) if net}
    )
    with _lock:
        _kept = fresh
        _orders.clear()
    return fresh


def order_by_recent_change(
    index: BalanceIndex, filters: BalanceFilters, recent: RecentChanges
) -> list[int]:
    """The positions `filters` select, by 30-day change (`-change30`: largest growth first),
    ties by name. Kept per index, numbers and filter set, so paging sorts once."""
    key = (recent.computed_at, replace(filters, page=1))
    with _lock:
        kept = _orders.setdefault(index, OrderedDict())
        if key in kept:
            kept.move_to_end(key)
            return kept[key]
    by_name = index.select(replace(filters, sort="name"))
    ids = [row[0] for row in index.packed]
    of = recent.by_customer.get
    sign = -1 if filters.sort.startswith("-") else 1
    ordered = sorted(by_name, key=lambda i: sign * of(ids[i], 0))  # stable: names stay in order
    with _lock:
        kept = _orders.setdefault(index, OrderedDict())
        kept[key] = ordered
        while len(kept) > _ORDERS_KEPT:
            kept.popitem(last=False)
    return ordered


def clear() -> None:
    """Forget the kept numbers and orders (tests)."""
    global _kept
    with _lock:
        _kept = None
        _orders.clear()
