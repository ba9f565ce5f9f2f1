"""`/events/` and `/events.csv` from the synced seat history: any number of customers, each event's
change and flags, receipt or event-time order, keyset pages.

Customers are chosen as on `/` (aliases, IDs and `q` matched against the balances snapshot); the
events, their changes and flags come from the store (seatdash.history.event_listing). While the
history has never synced, `history_synced()` is False and the page keeps Sequence's path.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from seatdash.history import queries
from seatdash.history.event_listing import (
    BadCursor,
    HeldEventQuery,
    held_event_count,
    held_event_page,
    iter_held_event_values,
)
from seatdash.history.models import SeatEvent
from seatdash.services.balance_index import BalanceFilters
from seatdash.services.balances import balance_snapshot
from seatdash.services.events import PAGE_SIZE, EventFilters, PageLinkExpired, seat_type_choice
from seatdash.services.paste_match import MatchReport, match_pasted

# The page counts matching events up to here, then says "more than".
COUNT_MOST = 10_000
ORDER_LABELS = {
    ("received", False): "newest received first",
    ("received", True): "oldest received first",
    ("event_time", False): "newest event time first",
    ("event_time", True): "oldest event time first",
}

MAX_SELECTED_CUSTOMERS = 5_000  # as many as a pasted list may hold on `/`


def history_synced_at() -> datetime | None:
    return queries.synced_at()


@dataclass(frozen=True, slots=True)
class CustomerRef:
    """What the event table's customer link needs."""

    id: str
    legal_name: str


@dataclass(frozen=True, slots=True)
class HeldEventRow:
    """A held event and what it did, shaped like services.events.EventRow for the event table."""

    event: SeatEvent
    change_value: int | None  # None: superseded, or not in the change series
    backdated: bool

    @property
    def superseded_by(self) -> str | None:
        return self.event.superseded_by_id

    @property
    def counts(self) -> bool:
        return not self.event.superseded

    @property
    def change_known(self) -> bool:
        return self.change_value is not None

    @property
    def change(self) -> int:
        return self.change_value or 0

    @property
    def no_change(self) -> bool:
        return self.change_value == 0 and not self.event.superseded


def _row(event: SeatEvent) -> HeldEventRow:
    return HeldEventRow(event=event, change_value=event.change_value, backdated=event.backdated)


@dataclass(frozen=True, slots=True)
class HeldEventListing:
    rows: list[HeldEventRow]
    after: str | None
    before: str | None
    total: int
    total_capped: bool  # more than COUNT_MOST events match; `total` is COUNT_MOST + 1
    order_label: str
    history_complete: bool = True


@dataclass(frozen=True, slots=True)
class HeldListed:
    """The listing with the time of the sync it was read from (the page shows it)."""

    value: HeldEventListing
    fetched_at: datetime
    stale: bool = False


@dataclass(frozen=True, slots=True)
class HeldEventSearch:
    listing: HeldListed | None
    synced_at: datetime
    match_report: MatchReport | None = None
    errors: dict[str, str] | None = None
    customers: dict[str, CustomerRef] | None = None

    @property
    def unmatched_aliases(self) -> tuple[str, ...]:
        return self.match_report.unmatched_in("alias") if self.match_report else ()


@dataclass(frozen=True, slots=True)
class HeldSelection:
    """The store query the filters mean, or why there is none (errors, or no customer matched)."""

    query: HeldEventQuery | None
    match_report: MatchReport | None = None
    errors: dict[str, str] | None = None


def held_selection(
    *, filters: EventFilters, aliases: tuple[str, ...] = (), ids: tuple[str, ...] = (), q: str = ""
) -> HeldSelection:
    """Judge the seat type and match the customers, as on `/`; no limit on how many."""
    seat_type = None
    customer_ids: tuple[str, ...] | None = None
    report = None
    if filters.seat_type or aliases or ids or q:
        index = balance_snapshot().value
        seat_type, error = seat_type_choice(filters.seat_type, index.seat_types)
        if error:
            return HeldSelection(query=None, errors={"seat_type": error})
        report = match_pasted(index, aliases=aliases, ids=ids)
        if report is not None:
            customer_ids = report.customer_ids
        if q:
            found = [index.customer(i).id for i in index.select(BalanceFilters(q=q))]
            found_set = set(found)
            customer_ids = (
                tuple(found)
                if customer_ids is None
                else tuple(c for c in customer_ids if c in found_set)
            )
        if not customer_ids and customer_ids is not None:
            return HeldSelection(query=None, match_report=report)
        if customer_ids is not None and len(customer_ids) > MAX_SELECTED_CUSTOMERS:
            # Fail closed: a list that long is not a selection, and its IN list would not run.
            message = (
                f"The search matches {len(customer_ids):,} customers; at most "
                f"{MAX_SELECTED_CUSTOMERS:,} at once. Narrow it, or clear it to see every event."
            )
            return HeldSelection(query=None, match_report=report, errors={"q": message})
    query = HeldEventQuery(
        customer_ids=customer_ids,
        seat_type=seat_type,
        start=filters.timestamp_from,
        end=filters.timestamp_to,
        customer_event_id=filters.customer_event_id,
        sent_as=filters.customer_alias,
        order=filters.by,
        ascending=filters.order == "asc",
    )
    return HeldSelection(query=query, match_report=report)


def held_event_search(
    *, filters: EventFilters, aliases: tuple[str, ...] = (), ids: tuple[str, ...] = (), q: str = ""
) -> HeldEventSearch:
    """One page of held events for the filters; raises PageLinkExpired for an unreadable cursor
    and HistoryNotSynced when the store has never synced."""
    synced = queries.require_synced()
    selection = held_selection(filters=filters, aliases=aliases, ids=ids, q=q)
    if selection.query is None:
        return HeldEventSearch(
            listing=None,
            synced_at=synced,
            match_report=selection.match_report,
            errors=selection.errors,
        )
    query = selection.query
    try:
        page = held_event_page(query, size=PAGE_SIZE, after=filters.after, before=filters.before)
    except BadCursor as error:
        raise PageLinkExpired(str(error)) from error
    total = held_event_count(query, most=COUNT_MOST)
    rows = [_row(event) for event in page.events]
    listing = HeldEventListing(
        rows=rows,
        after=page.after,
        before=page.before,
        total=min(total, COUNT_MOST),
        total_capped=total > COUNT_MOST,
        order_label=ORDER_LABELS[(query.order, query.ascending)],
    )
    customers = {
        row.event.customer_alias: CustomerRef(row.event.customer_id, row.event.legal_name)
        for row in rows
        if row.event.customer_id and row.event.legal_name
    }
    return HeldEventSearch(
        listing=HeldListed(listing, fetched_at=synced),
        synced_at=synced,
        match_report=selection.match_report,
        customers=customers,
    )


EVENT_COLUMNS = (
    "event_id",
    "customer_id",
    "legal_name",
    "sent_as",
    "seat_type",
    "event_timestamp",
    "seats",
    "received_position",
    "change",
    "counts",
    "superseded_by",
    "backdated",
    "customer_event_id",
)


def held_event_csv_rows(query: HeldEventQuery) -> Iterator[tuple]:
    """Every event the query matches, one CSV row each, in the page's order (cursors aside).

    `change` is empty where the event does not count (superseded) or is not in the series.
    """
    for (
        event_id,
        customer_id,
        sent_as,
        seat_type,
        event_timestamp,
        total,
        position,
        change,
        superseded,
        superseded_by,
        backdated,
        customer_event_id,
        legal_name,
    ) in iter_held_event_values(query):
        yield (
            event_id,
            customer_id or "",
            legal_name,
            sent_as,
            seat_type,
            event_timestamp,
            int(total),
            int(position),
            "" if change is None else int(change),
            "no" if superseded else "yes",
            superseded_by or "",
            "yes" if backdated else "no",
            customer_event_id,
        )
