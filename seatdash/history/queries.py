"""What the pages ask of the seat history: balances as of a moment, changes in a window, series.

Every function reads the tables the sync keeps (no page replays events) and raises
`HistoryNotSynced` while no sync has ever completed, so a page never shows an empty store as if
it were true. Times are aware datetimes (UTC); windows are inclusive at both ends.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, QuerySet, Sum, Window
from django.db.models.functions import RowNumber

from seatdash.history.models import HeldBalance, HeldCustomer, SeatChange, SeatEvent, SyncState

NOT_SYNCED_MESSAGE = "Seat history is not synced yet: run `manage.py sync_seat_events`"


class HistoryNotSynced(Exception):
    """No sync has completed yet: the store cannot answer questions about time."""

    def __init__(self) -> None:
        super().__init__(NOT_SYNCED_MESSAGE)


@dataclass(frozen=True, slots=True)
class SeatTotal:
    total: int
    changed_at: datetime  # when this total was reached (the rule's changeTimestamp)


def sync_state() -> SyncState:
    """The one sync-state row (created empty on first use)."""
    state, _ = SyncState.objects.get_or_create(pk=1)
    return state


def synced_at() -> datetime | None:
    """When the last successful sync finished; None when the store has never synced."""
    return SyncState.objects.filter(pk=1).values_list("synced_at", flat=True).first()


def require_synced() -> datetime:
    """`synced_at()`, or HistoryNotSynced."""
    moment = synced_at()
    if moment is None:
        raise HistoryNotSynced
    return moment


def held_counts() -> tuple[int, int]:
    """(events held, customers held): every customer the last balances read named, with or
    without events. Two cheap counts, fit for a page that polls."""
    return SeatEvent.objects.count(), HeldCustomer.objects.count()


def balances_as_of(
    at: datetime, *, customer_ids: Iterable[str] | None = None
) -> dict[str, dict[str, SeatTotal]]:
    """customer ID -> seat type -> what it held at `at` (inclusive), by the balance rule.

    A (customer, seat type) with no effective event at or before `at` is absent: it held 0.
    """
    require_synced()
    points = SeatChange.objects.filter(event_timestamp__lte=at)
    if customer_ids is not None:
        points = points.filter(customer_id__in=list(customer_ids))
    latest = (
        points.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("customer_id"), F("seat_type")],
                order_by=[F("event_timestamp").desc(), F("position").desc()],
            )
        )
        .filter(rank=1)
        .values_list("customer_id", "seat_type", "total", "reached_at")
    )
    result: dict[str, dict[str, SeatTotal]] = defaultdict(dict)
    for customer_id, seat_type, total, reached_at in latest.iterator(chunk_size=5000):
        result[customer_id][seat_type] = SeatTotal(total=total, changed_at=reached_at)
    return dict(result)


def balances_now(*, customer_ids: Iterable[str] | None = None) -> dict[str, dict[str, SeatTotal]]:
    """The same as `balances_as_of` the end of time, from the kept current balances (fast)."""
    require_synced()
    rows = HeldBalance.objects.all()
    if customer_ids is not None:
        rows = rows.filter(customer_id__in=list(customer_ids))
    result: dict[str, dict[str, SeatTotal]] = defaultdict(dict)
    for customer_id, seat_type, total, changed_at in rows.values_list(
        "customer_id", "seat_type", "total", "changed_at"
    ).iterator(chunk_size=5000):
        result[customer_id][seat_type] = SeatTotal(total=total, changed_at=changed_at)
    return dict(result)


def changes_between(
    start: datetime,
    end: datetime,
    *,
    customer_ids: Iterable[str] | None = None,
    seat_types: Iterable[str] | None = None,
    include_unchanged: bool = False,
) -> QuerySet[SeatChange]:
    """Series points with start <= event time <= end, oldest first (ties: receipt order).

    Points whose change is 0 (an event that kept the total) are left out unless asked for.
    """
    require_synced()
    points = SeatChange.objects.filter(event_timestamp__gte=start, event_timestamp__lte=end)
    if customer_ids is not None:
        points = points.filter(customer_id__in=list(customer_ids))
    if seat_types is not None:
        points = points.filter(seat_type__in=list(seat_types))
    if not include_unchanged:
        points = points.exclude(change=0)
    return points.order_by("event_timestamp", "position")


def net_changes_between(
    start: datetime, end: datetime, *, customer_ids: Iterable[str] | None = None
) -> dict[str, dict[str, int]]:
    """customer ID -> seat type -> net change over [start, end] (non-zero ones only).

    Equals the total at `end` minus the total just before `start`, because each point's change is
    its difference from the point before it.
    """
    points = changes_between(start, end, customer_ids=customer_ids)
    sums = points.order_by().values("customer_id", "seat_type").annotate(net=Sum("change"))
    result: dict[str, dict[str, int]] = defaultdict(dict)
    for row in sums.iterator(chunk_size=5000):
        if row["net"]:
            result[row["customer_id"]][row["seat_type"]] = row["net"]
    return dict(result)


def change_series(customer_id: str, *, seat_type: str | None = None) -> list[SeatChange]:
    """One customer's effective change series, oldest first, every seat type unless one is given."""
    require_synced()
    points = SeatChange.objects.filter(customer_id=customer_id)
    if seat_type is not None:
        points = points.filter(seat_type=seat_type)
    return list(points.order_by("seat_type", "event_timestamp", "position"))


def customer_names(customer_ids: Iterable[str]) -> dict[str, str]:
    """customer ID -> legal name, for the customers the last sync saw."""
    return dict(
        HeldCustomer.objects.filter(id__in=list(customer_ids)).values_list("id", "legal_name")
    )


def customers_changed_between(
    start: datetime | None, end: datetime | None, *, seat_types: Iterable[str] | None = None
) -> set[str]:
    """IDs of the customers with an effective change (superseded events and unchanged totals left
    out) at start <= event time <= end; an open end is unbounded. Reads the window index."""
    require_synced()
    points = SeatChange.objects.exclude(change=0)
    if start is not None:
        points = points.filter(event_timestamp__gte=start)
    if end is not None:
        points = points.filter(event_timestamp__lte=end)
    if seat_types:
        points = points.filter(seat_type__in=list(seat_types))
    return set(points.order_by().values_list("customer_id", flat=True).distinct().iterator(5000))
