"""`from`/`to` on the balances page from the seat history: "changed between" means any effective
change in the window, not only each customer's last one.

One indexed query per window and sync, kept in process (a new sync makes new answers). While the
history has never synced, the filters keep the last-change meaning and the page says so.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace
from datetime import datetime

from seatdash.history import queries
from seatdash.services.balance_index import BalanceFilters

HISTORY_LABEL = "Changed between"
LAST_CHANGE_LABEL = "Last change between"
NOT_SYNCED_NOTE = (
    "Seat history is not synced yet, so this looks at each customer's last change only "
    "(run `manage.py sync_seat_events`)."
)
_KEPT = 32

_windows: OrderedDict[tuple, frozenset[str]] = OrderedDict()
_lock = threading.Lock()


def history_synced() -> bool:
    return queries.synced_at() is not None


def with_history_window(filters: BalanceFilters) -> BalanceFilters:
    """The filters with the customers that changed in their window, when history can say;
    unchanged (last-change meaning) when there is no window or no synced history."""
    if filters.changed_from is None and filters.changed_to is None:
        return filters
    synced = queries.synced_at()
    if synced is None:
        return filters
    return replace(
        filters,
        changed_ids=changed_customers(
            synced, filters.changed_from, filters.changed_to, filters.seat_types
        ),
    )


def changed_customers(
    synced: datetime,
    start: datetime | None,
    end: datetime | None,
    seat_types: tuple[str, ...],
) -> frozenset[str]:
    key = (synced, start, end, tuple(sorted(seat_types)))
    with _lock:
        if key in _windows:
            _windows.move_to_end(key)
            return _windows[key]
    found = frozenset(queries.customers_changed_between(start, end, seat_types=seat_types))
    with _lock:
        _windows[key] = found
        while len(_windows) > _KEPT:
            _windows.popitem(last=False)
    return found


def clear() -> None:
    """Forget the kept answers (tests)."""
    with _lock:
        _windows.clear()
