"""Typed client for Sequence's seat endpoints (API version 2024-07-30).

CONTRACT STUB: records, query and method signatures are fixed; bodies are being implemented.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import httpx

from seatdash.clients.http import RetryPolicy

PROVIDER = "Sequence"
MAX_IDS_PER_CALL = 25
MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class SeatBalance:
    seat_type: str
    total: int
    changed_at: datetime


@dataclass(frozen=True, slots=True)
class CustomerBalances:
    id: str
    sequence_account_id: str
    legal_name: str
    aliases: tuple[str, ...]
    total: int
    changed_at: datetime
    balances: tuple[SeatBalance, ...]


@dataclass(frozen=True, slots=True)
class SeatEvent:
    id: str
    customer_event_id: str
    customer_alias: str
    seat_type: str
    sequence_account_id: str
    event_timestamp: datetime
    total: int


@dataclass(frozen=True, slots=True)
class Pagination:
    after: str | None
    before: str | None
    total_result_size: int | None


@dataclass(frozen=True, slots=True)
class EventPage:
    items: tuple[SeatEvent, ...]
    pagination: Pagination


@dataclass(frozen=True, slots=True)
class EventQuery:
    """Filters of GET /seat-events. `customer_ids` holds at most 25 IDs (one upstream call)."""

    customer_alias: str | None = None
    customer_ids: tuple[str, ...] = ()
    seat_type: str | None = None
    customer_event_id: str | None = None
    timestamp_after: datetime | None = None
    timestamp_before: datetime | None = None
    sort_order: Literal["ASC", "DESC"] = "DESC"
    sort_by: str | None = None


class SequenceClient:
    def __init__(
        self,
        *,
        base_url: str,
        client_id: str,
        client_secret: str,
        api_version: str = "2024-07-30",
        timeout: httpx.Timeout | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        raise NotImplementedError

    def list_seat_balances(
        self,
        *,
        customer_ids: Sequence[str] = (),
        customer_aliases: Sequence[str] = (),
        exclude_zero: bool = False,
    ) -> list[CustomerBalances]:
        """All matching customers; IDs batched by 25 and merged without duplicates; follows cursors."""
        raise NotImplementedError

    def list_seat_events(
        self,
        query: EventQuery = EventQuery(),
        *,
        limit: int = 50,
        after: str | None = None,
        before: str | None = None,
    ) -> EventPage:
        """One page of events (one upstream call)."""
        raise NotImplementedError

    def iter_seat_events(
        self, query: EventQuery = EventQuery(), *, limit: int = 100
    ) -> Iterator[SeatEvent]:
        """Every event matching the query, following `pagination.after` to the end."""
        raise NotImplementedError

    def get_seat_event(self, event_id: str) -> SeatEvent:
        raise NotImplementedError

    def create_seat_event(
        self,
        *,
        customer_alias: str,
        seat_type: str,
        total: int,
        event_timestamp: datetime,
        customer_event_id: str | None = None,
    ) -> SeatEvent:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError
