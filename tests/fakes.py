"""A fake Sequence client for service and view tests: counts calls, fails on command."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from seatdash.clients.errors import UpstreamNotFound, UpstreamUnavailable
from seatdash.clients.sequence import (
    CustomerBalances,
    EventPage,
    EventQuery,
    Pagination,
    SeatBalance,
    SeatEvent,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def customer(
    customer_id: str,
    name: str,
    seats: dict[str, int],
    *,
    aliases: tuple[str, ...] = (),
    changed: datetime = T0,
) -> CustomerBalances:
    balances = tuple(SeatBalance(t, n, changed) for t, n in seats.items())
    return CustomerBalances(
        id=customer_id,
        sequence_account_id="acct",
        legal_name=name,
        aliases=aliases,
        total=sum(seats.values()),
        changed_at=changed,
        balances=balances,
    )


def event(
    event_id: str,
    *,
    total: int,
    at: datetime,
    seat_type: str = "admin",
    alias: str = "acme",
    customer_event_id: str | None = None,
) -> SeatEvent:
    return SeatEvent(
        id=event_id,
        customer_event_id=customer_event_id or f"ce-{event_id}",
        customer_alias=alias,
        seat_type=seat_type,
        sequence_account_id="acct",
        event_timestamp=at,
        total=total,
    )


@dataclass
class FakeSequence:
    customers: list[CustomerBalances] = field(default_factory=list)
    events: list[SeatEvent] = field(default_factory=list)  # in receipt order
    calls: Counter = field(default_factory=Counter)
    failing: bool = False
    delay: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _call(self, name: str) -> None:
        with self._lock:
            self.calls[name] += 1
        if self.delay:
            import time

            time.sleep(self.delay)
        if self.failing:
            raise UpstreamUnavailable("Sequence is down (fake)", provider="Sequence")

    # Set to make fetch_seat_balances report more customers than it sends (totalResultSize).
    reported_total: int | None = None

    def list_seat_balances(self, *, customer_ids=(), customer_aliases=(), exclude_zero=False):
        self._call("list_seat_balances")
        found = self.customers
        if customer_ids:
            found = [c for c in found if c.id in customer_ids]
        return list(found)

    def fetch_seat_balances(self, *, budget=None, on_page=None, **filters):
        from seatdash.clients.sequence import BalancePages

        found = self.list_seat_balances(**filters)
        if on_page is not None:
            on_page(len(found), self.reported_total)
        return BalancePages(found, reported_total=self.reported_total, pages=1)

    def _matching(self, query: EventQuery) -> list[SeatEvent]:
        found = list(self.events)
        if query.customer_ids:
            names = set(query.customer_ids)
            for c in self.customers:
                if c.id in names:
                    names.update(c.aliases)
            found = [e for e in found if e.customer_alias in names]
        if query.customer_alias:
            found = [e for e in found if e.customer_alias == query.customer_alias]
        if query.seat_type:
            found = [e for e in found if e.seat_type == query.seat_type]
        if query.customer_event_id:
            found = [e for e in found if e.customer_event_id == query.customer_event_id]
        if query.sort_order == "DESC":
            found.reverse()
        return found

    def list_seat_events(self, query=EventQuery(), *, limit=50, after=None, before=None):
        self._call("list_seat_events")
        found = self._matching(query)
        start = int(after) if after else 0
        if before:
            start = max(0, int(before) - limit)
        items = found[start : start + limit]
        next_start = start + limit
        return EventPage(
            items=tuple(items),
            pagination=Pagination(
                after=str(next_start) if next_start < len(found) else None,
                before=str(start) if start > 0 else None,
                total_result_size=len(found),
            ),
        )

    def iter_seat_events(self, query=EventQuery(), *, limit=100, budget=None):
        self._call("iter_seat_events")
        yield from self._matching(query)

    def get_seat_event(self, event_id: str) -> SeatEvent:
        self._call("get_seat_event")
        for e in self.events:
            if e.id == event_id:
                return e
        raise UpstreamNotFound("no such event", provider="Sequence", status=404)


def at(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)


__all__ = ["FakeSequence", "at", "customer", "event", "replace"]
