"""Sequence's seat endpoints: the client, the queries it accepts and the records it returns."""

from seatdash.clients.sequence.client import MAX_PAGES, SequenceClient
from seatdash.clients.sequence.query import MAX_IDS_PER_CALL, MAX_PAGE_SIZE, EventQuery
from seatdash.clients.sequence.records import (
    PROVIDER,
    BalancePages,
    CustomerBalances,
    EventPage,
    PageProgress,
    Pagination,
    SeatBalance,
    SeatEvent,
)

__all__ = [
    "MAX_IDS_PER_CALL",
    "MAX_PAGES",
    "MAX_PAGE_SIZE",
    "PROVIDER",
    "BalancePages",
    "CustomerBalances",
    "EventPage",
    "EventQuery",
    "PageProgress",
    "Pagination",
    "SeatBalance",
    "SeatEvent",
    "SequenceClient",
]
