"""Seat events: cached pages (one upstream call each), one event, and what each event did.

A page of events is passed straight through to Sequence's cursors. What an event did (its change
from the previous total of its seat type, and whether it was superseded, backdated or changed
nothing) needs the customer's whole history, so that history is read once, oldest first, and
cached per customer as a `Timeline`.

Over 300 lines because event pages, the customer timeline and the event search share EventQuery and
the timeline; the timeline is the next candidate for its own module.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from django.conf import settings

from seatdash.clients.errors import UpstreamError, UpstreamRejected
from seatdash.clients.sequence import (
    MAX_IDS_PER_CALL as MAX_CUSTOMER_IDS,
)
from seatdash.clients.sequence import (
    PROVIDER,
    CustomerBalances,
    EventPage,
    EventQuery,
    SeatEvent,
)
from seatdash.services.balances import balance_snapshot
from seatdash.services.cache import Served, cache_key, cached_fetch, report_progress
from seatdash.services.paste_match import MatchReport, match_pasted
from seatdash.services.providers import sequence_client

PAGE_SIZE = 25
# A customer's history is read at most this far for annotations; beyond, events show no change.
TIMELINE_MAX_EVENTS = 5_000


@dataclass(frozen=True, slots=True)
class EventFilters:
    seat_type: str | None = None
    timestamp_from: datetime | None = None
    timestamp_to: datetime | None = None
    customer_event_id: str | None = None
    order: Literal["asc", "desc"] = "desc"
    # Which order `order` runs in: Sequence's receipt order, or event time (seat history only).
    by: Literal["received", "event_time"] = "received"
    after: str | None = None
    before: str | None = None
    customer_alias: str | None = None
    customer_ids: tuple[str, ...] = ()

    @property
    def narrowed(self) -> bool:
        """True when a seat type, time or customer event ID filter hides some events."""
        return bool(
            self.seat_type or self.timestamp_from or self.timestamp_to or self.customer_event_id
        )

    @property
    def paged(self) -> bool:
        """True when showing a page past the first (a cursor in either direction)."""
        return bool(self.after or self.before)

    def query(self) -> EventQuery:
        return EventQuery(
            customer_alias=self.customer_alias,
            customer_ids=self.customer_ids,
            seat_type=self.seat_type,
            customer_event_id=self.customer_event_id,
            timestamp_after=self.timestamp_from,
            timestamp_before=self.timestamp_to,
            sort_order="ASC" if self.order == "asc" else "DESC",
        )


@dataclass(frozen=True, slots=True)
class EventRow:
    """An event and, when the customer's history is known, what it did."""

    event: SeatEvent
    previous_total: int | None = None
    superseded_by: str | None = None
    backdated: bool = False
    # False when the event lies beyond the history read for this customer: `change` means nothing then.
    change_known: bool = False

    @property
    def change(self) -> int:
        return self.event.total - (self.previous_total or 0)

    @property
    def no_change(self) -> bool:
        return self.change_known and self.change == 0


@dataclass(frozen=True, slots=True)
class EventListing:
    rows: list[EventRow]
    after: str | None
    before: str | None
    total: int | None
    history_complete: bool = True


@dataclass(frozen=True, slots=True)
class Timeline:
    """A customer's events in the order Sequence received them, with each one's effect."""

    rows: dict[str, EventRow]
    complete: bool


def build_timeline(events_in_receipt_order: list[SeatEvent], *, complete: bool = True) -> Timeline:
    events = events_in_receipt_order
    last_received = {event.customer_event_id: i for i, event in enumerate(events)}
    superseded_by = {
        event.id: events[last_received[event.customer_event_id]].id
        for i, event in enumerate(events)
        if last_received[event.customer_event_id] != i
    }
    latest_seen: dict[str, datetime] = {}
    backdated: set[str] = set()
    # Per seat type, the effective events as (event time, receipt position, total), sorted.
    effective: dict[str, list[tuple[datetime, int, int]]] = defaultdict(list)
    for i, event in enumerate(events):
        seen = latest_seen.get(event.seat_type)
        if seen is not None and event.event_timestamp < seen:
            backdated.add(event.id)
        if seen is None or event.event_timestamp > seen:
            latest_seen[event.seat_type] = event.event_timestamp
        if event.id not in superseded_by:
            effective[event.seat_type].append((event.event_timestamp, i, event.total))
    for chain in effective.values():
        chain.sort()

    rows = {}
    for i, event in enumerate(events):
        chain = effective[event.seat_type]
        position = bisect.bisect_left(chain, (event.event_timestamp, i, -1))
        previous = chain[position - 1][2] if position > 0 else None
        rows[event.id] = EventRow(
            event=event,
            previous_total=previous,
            superseded_by=superseded_by.get(event.id),
            backdated=event.id in backdated,
            change_known=True,
        )
    return Timeline(rows=rows, complete=complete)


def customer_timeline(*, customer_id: str, refresh: bool = False) -> Served[Timeline]:
    def fetch() -> Timeline:
        query = EventQuery(customer_ids=(customer_id,), sort_order="ASC")
        events = []
        pages = sequence_client().iter_seat_events(
            query, limit=100, budget=settings.HISTORY_FETCH_BUDGET
        )
        for event in pages:
            if len(events) == TIMELINE_MAX_EVENTS:
                return build_timeline(events, complete=False)
            events.append(event)
            if len(events) % 100 == 0:
                report_progress(len(events))  # keeps the lock while a long history arrives
        return build_timeline(events)

    return cached_fetch(
        cache_key("timeline", customer_id),
        fetch,
        fresh_seconds=settings.EVENTS_FRESH_SECONDS,
        provider=PROVIDER,
        refresh=refresh,
    )


class PageLinkExpired(Exception):
    """Sequence no longer accepts the page cursor in the link (it expired or was edited)."""


def _event_page(filters: EventFilters, *, refresh: bool) -> Served[EventPage]:
    try:
        return _cached_event_page(filters, refresh=refresh)
    except UpstreamRejected as error:
        if (filters.after or filters.before) and "cursor" in str(error.message).casefold():
            raise PageLinkExpired(str(error.message)) from error
        raise


def _cached_event_page(filters: EventFilters, *, refresh: bool) -> Served[EventPage]:
    return cached_fetch(
        cache_key("events", repr(filters)),
        lambda: sequence_client().list_seat_events(
            filters.query(), limit=PAGE_SIZE, after=filters.after, before=filters.before
        ),
        fresh_seconds=settings.EVENTS_FRESH_SECONDS,
        provider=PROVIDER,
        refresh=refresh,
    )


def customer_event_list(
    *, customer_id: str, filters: EventFilters, refresh: bool = False
) -> Served[EventListing]:
    """One page of a customer's events, each with its change and flags."""
    filters = _with_customer(filters, customer_id)
    page = _event_page(filters, refresh=refresh)
    timeline = customer_timeline(customer_id=customer_id, refresh=refresh).value
    rows = [timeline.rows.get(event.id) or EventRow(event=event) for event in page.value.items]
    listing = EventListing(
        rows=rows,
        after=page.value.pagination.after,
        before=page.value.pagination.before,
        total=page.value.pagination.total_result_size,
        history_complete=timeline.complete,
    )
    return Served(listing, page.fetched_at, page.failure)


def event_list(*, filters: EventFilters, refresh: bool = False) -> Served[EventListing]:
    """One page of events across customers (no per-event effect: that needs each history)."""
    page = _event_page(filters, refresh=refresh)
    listing = EventListing(
        rows=[EventRow(event=event) for event in page.value.items],
        after=page.value.pagination.after,
        before=page.value.pagination.before,
        total=page.value.pagination.total_result_size,
    )
    return Served(listing, page.fetched_at, page.failure)


def event_get(*, event_id: str, refresh: bool = False) -> Served[SeatEvent]:
    """One event; raises UpstreamNotFound for an unknown ID."""
    return cached_fetch(
        cache_key("event", event_id),
        lambda: sequence_client().get_seat_event(event_id),
        fresh_seconds=settings.EVENTS_FRESH_SECONDS,
        provider=PROVIDER,
        refresh=refresh,
    )


def events_sharing_customer_event_id(*, customer_event_id: str) -> Served[EventPage]:
    """Events sent with this `customerEventId` (one page), newest first."""
    return _event_page(EventFilters(customer_event_id=customer_event_id), refresh=False)


def _with_customer(filters: EventFilters, customer_id: str) -> EventFilters:
    return replace(filters, customer_ids=(customer_id,), customer_alias=None)


@dataclass(frozen=True, slots=True)
class EventSearch:
    """Events across customers, and how each pasted alias and ID matched a customer."""

    listing: Served[EventListing] | None
    match_report: MatchReport | None = None
    errors: dict[str, str] | None = None
    # The customer behind each `customerAlias` on the page, where the balances snapshot knows it.
    customers: dict[str, CustomerBalances] | None = None

    @property
    def unmatched_aliases(self) -> tuple[str, ...]:
        return self.match_report.unmatched_in("alias") if self.match_report else ()


def seat_type_choice(
    seat_type: str | None, known: tuple[str, ...]
) -> tuple[str | None, str | None]:
    """The known seat type `seat_type` names (any case), or an error listing the ones that exist."""
    if not seat_type:
        return None, None
    by_fold = {known_type.casefold(): known_type for known_type in known}
    if seat_type.casefold() in by_fold:
        return by_fold[seat_type.casefold()], None
    choices = ", ".join(known) or "none yet"
    return None, f"“{seat_type}” is not a seat type. Choose from: {choices}."


def event_search(
    *,
    filters: EventFilters,
    aliases: tuple[str, ...] = (),
    ids: tuple[str, ...] = (),
    refresh: bool = False,
) -> EventSearch:
    """Events of the customers the aliases and IDs name, under any of their aliases.

    An alias means its customer, as on the balances page; `filters.customer_alias` (`sent_as`)
    keeps Sequence's own filter on the alias an event was sent with.
    """
    if not (filters.seat_type or aliases or ids):
        listing = event_list(filters=filters, refresh=refresh)
        return EventSearch(listing=listing, customers=_customers_named_in(listing.value.rows))
    index = balance_snapshot().value
    seat_type, seat_type_error = seat_type_choice(filters.seat_type, index.seat_types)
    if seat_type_error:
        return EventSearch(listing=None, errors={"seat_type": seat_type_error})
    filters = replace(filters, seat_type=seat_type)
    report = match_pasted(index, aliases=aliases, ids=ids)
    if report is not None:
        customer_ids = report.customer_ids
        if not customer_ids:
            return EventSearch(listing=None, match_report=report)
        if len(customer_ids) > MAX_CUSTOMER_IDS:
            return EventSearch(
                listing=None,
                match_report=report,
                errors={
                    "ids": f"Those aliases and IDs name {len(customer_ids)} customers; "
                    f"at most {MAX_CUSTOMER_IDS} at once. Remove some and try again."
                },
            )
        filters = replace(filters, customer_ids=customer_ids)
    listing = event_list(filters=filters, refresh=refresh)
    return EventSearch(
        listing=listing,
        match_report=report,
        customers=_customers_named_in(listing.value.rows),
    )


def _customers_named_in(rows: list[EventRow]) -> dict[str, CustomerBalances]:
    try:
        index = balance_snapshot().value
    except UpstreamError:
        return {}
    named = {row.event.customer_alias for row in rows}
    return {alias: customer for alias in named if (customer := index.find(alias)) is not None}


@dataclass(frozen=True, slots=True)
class EventDetail:
    event: Served[SeatEvent]
    customer: CustomerBalances | None
    same_customer_event_id: tuple[SeatEvent, ...] | None
    # The later-received event with the same customerEventId that replaced this one, if any.
    superseded_by: SeatEvent | None = None


def event_detail(*, event_id: str, refresh: bool = False) -> EventDetail:
    """One event, the customer it belongs to, and the other events sent with its customerEventId.

    Raises UpstreamNotFound for an unknown event; the extras are left out when unavailable.
    """
    event = event_get(event_id=event_id, refresh=refresh)
    try:
        customer = balance_snapshot().value.find(event.value.customer_alias)
    except UpstreamError:
        customer = None
    try:
        page = events_sharing_customer_event_id(customer_event_id=event.value.customer_event_id)
        others = tuple(e for e in page.value.items if e.id != event_id)
        # Newest received first: the first one is the one that counts.
        latest = page.value.items[0] if page.value.items else None
    except UpstreamError:
        others, latest = None, None
    superseded_by = latest if latest is not None and latest.id != event_id else None
    return EventDetail(
        event=event,
        customer=customer,
        same_customer_event_id=others,
        superseded_by=superseded_by,
    )
