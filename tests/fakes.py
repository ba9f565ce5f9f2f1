"""A strict fake Sequence client for service and view tests: answers only what it was told to expect."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta

from seatdash.clients.errors import UpstreamNotFound, UpstreamRejected, UpstreamUnavailable
from seatdash.clients.sequence import (
    MAX_PAGE_SIZE,
    BalancePages,
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
    """Answers the calls it was told to expect, honouring their parameters, and refuses the rest.

    A call is expected when `expect(method, *params)` named the method and every parameter the
    call sets away from its default. Anything else (another method, an alias filter, a cursor the
    fake never issued, a limit over Sequence's maximum) raises `UnexpectedCall`, an AssertionError,
    so a service that starts asking something new fails its tests instead of being answered
    wrongly. The `fake_sequence` fixture expects what the services ask today.
    """

    customers: list[CustomerBalances] = field(default_factory=list)
    events: list[SeatEvent] = field(default_factory=list)  # in receipt order
    calls: Counter = field(default_factory=Counter)
    failing: bool = False
    delay: float = 0.0
    # Set to make fetch_seat_balances report more customers than it sends (totalResultSize).
    reported_total: int | None = None
    expected: dict[str, frozenset[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def expect(self, method: str, *params: str) -> FakeSequence:
        """Allow `method`, with the named parameters (and query fields) set; returns the fake."""
        if method not in _DEFAULTS:
            raise ValueError(f"FakeSequence has no {method!r}")
        unknown = set(params) - set(_DEFAULTS[method])
        if unknown:
            raise ValueError(f"{method} takes no {sorted(unknown)}")
        self.expected[method] = self.expected.get(method, frozenset()) | frozenset(params)
        return self

    def __getattr__(self, name: str):
        # Only reached for names the fake does not define (create_seat_event, a typo, ...).
        if name.startswith("__"):
            raise AttributeError(name)
        raise UnexpectedCall(f"FakeSequence was not told to expect {name}()")

    def _call(self, method: str, query: EventQuery | None = None, **params: object) -> None:
        allowed = self.expected.get(method)
        if allowed is None:
            raise UnexpectedCall(f"FakeSequence was not told to expect {method}()")
        if query is not None:  # an event query's fields count as the call's parameters
            params.update({f.name: getattr(query, f.name) for f in fields(query)})
        set_away = [p for p, value in params.items() if value != _DEFAULTS[method][p]]
        refused = [p for p in set_away if p not in allowed]
        if refused:
            raise UnexpectedCall(
                f"FakeSequence was not told to expect {method}() with {', '.join(refused)}"
            )
        with self._lock:
            self.calls[method] += 1
        if self.delay:
            time.sleep(self.delay)
        if self.failing:
            raise UpstreamUnavailable("Sequence is down (fake)", provider="Sequence")

    def _balances(self, customer_ids, customer_aliases, exclude_zero) -> list[CustomerBalances]:
        for values in (customer_ids, customer_aliases):
            if isinstance(values, str):
                raise ValueError("filters are sequences of strings, not one string")
        found = list(self.customers)
        if customer_ids or customer_aliases:  # either filter matches, as Sequence merges them
            ids, aliases = set(customer_ids), set(customer_aliases)
            found = [c for c in found if c.id in ids or aliases.intersection(c.aliases)]
        if exclude_zero:
            found = [
                replace(c, balances=tuple(b for b in c.balances if b.total != 0)) for c in found
            ]
        return found

    def list_seat_balances(self, *, customer_ids=(), customer_aliases=(), exclude_zero=False):
        self._call(
            "list_seat_balances",
            customer_ids=tuple(customer_ids),
            customer_aliases=tuple(customer_aliases),
            exclude_zero=exclude_zero,
        )
        return self._balances(customer_ids, customer_aliases, exclude_zero)

    def fetch_seat_balances(
        self, *, customer_ids=(), customer_aliases=(), exclude_zero=False, budget=None, on_page=None
    ):
        self._call(
            "fetch_seat_balances",
            customer_ids=tuple(customer_ids),
            customer_aliases=tuple(customer_aliases),
            exclude_zero=exclude_zero,
            budget=budget,
            on_page=on_page,
        )
        found = self._balances(customer_ids, customer_aliases, exclude_zero)
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
        if query.timestamp_after:  # inclusive, as the sandbox documents
            found = [e for e in found if e.event_timestamp >= query.timestamp_after]
        if query.timestamp_before:
            found = [e for e in found if e.event_timestamp <= query.timestamp_before]
        if query.sort_order == "DESC":
            found.reverse()
        return found

    def list_seat_events(self, query=EventQuery(), *, limit=50, after=None, before=None):
        self._call("list_seat_events", query, limit=limit, after=after, before=before)
        _check_limit(limit)
        if after and before:
            raise UnexpectedCall("FakeSequence: after and before together")
        found = self._matching(query)
        start = 0
        if after:
            start = _cursor_position(after, "after")
        elif before:
            start = max(0, _cursor_position(before, "before") - limit)
        end = min(start + limit, len(found))
        if before:
            end = min(end, _cursor_position(before, "before"))
        return EventPage(
            items=tuple(found[start:end]),
            pagination=Pagination(
                after=f"{_CURSOR}after:{end}" if end < len(found) else None,
                before=f"{_CURSOR}before:{start}" if start > 0 else None,
                total_result_size=len(found),
            ),
        )

    def iter_seat_events(self, query=EventQuery(), *, limit=100, budget=None):
        self._call("iter_seat_events", query, limit=limit, budget=budget)
        _check_limit(limit)
        yield from self._matching(query)

    def get_seat_event(self, event_id: str) -> SeatEvent:
        self._call("get_seat_event")
        for e in self.events:
            if e.id == event_id:
                return e
        raise UpstreamNotFound("no such event", provider="Sequence", status=404)


class UnexpectedCall(AssertionError):
    """The code under test asked the fake something its test did not tell it to expect."""


# Each method's parameters with SequenceClient's defaults; EventQuery's fields count as parameters
# of the event methods (their default is EventQuery's).
_QUERY_FIELDS = {f.name: f.default for f in fields(EventQuery)}
_DEFAULTS: dict[str, dict[str, object]] = {
    "list_seat_balances": {"customer_ids": (), "customer_aliases": (), "exclude_zero": False},
    "fetch_seat_balances": {
        "customer_ids": (),
        "customer_aliases": (),
        "exclude_zero": False,
        "budget": None,
        "on_page": None,
    },
    "list_seat_events": {
        "limit": 50,
        "after": None,
        "before": None,
        **_QUERY_FIELDS,
    },
    "iter_seat_events": {"limit": 100, "budget": None, **_QUERY_FIELDS},
    "get_seat_event": {},
}
_CURSOR = "fake-cursor:"
# What `services.events` may set on one page of events: EventFilters' query, its cursors, its page size.
EVENT_PAGE_PARAMETERS = (
    "customer_alias",
    "customer_ids",
    "seat_type",
    "customer_event_id",
    "timestamp_after",
    "timestamp_before",
    "sort_order",
    "limit",
    "after",
    "before",
)


def _check_limit(limit: object) -> None:
    if type(limit) is not int or not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be an int from 1 to {MAX_PAGE_SIZE}")


def _cursor_position(cursor: str, direction: str) -> int:
    """The position a cursor this fake issued points at; any other cursor is refused as Sequence does."""
    prefix = f"{_CURSOR}{direction}:"
    if not cursor.startswith(prefix) or not cursor[len(prefix) :].isdigit():
        raise UpstreamRejected(
            "Invalid pagination cursor.",
            provider="Sequence",
            endpoint="GET /seat-events",
            status=400,
        )
    return int(cursor[len(prefix) :])


def at(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)


__all__ = [
    "EVENT_PAGE_PARAMETERS",
    "FakeSequence",
    "UnexpectedCall",
    "at",
    "customer",
    "event",
    "replace",
]
