"""Typed client for Sequence's seat endpoints (API version 2024-07-30): records in, records out.

Every call goes through `JsonHttp` (timeouts, deadline, retries, error tree; see http.py). Reads are
retried there; `create_seat_event` (POST) is never retried, because Sequence offers no idempotency
key for it and a retry after a lost response could post the event twice.

One method per Sequence endpoint; its filters and argument checks live in query.py, its records and
their parsing in records.py.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from seatdash.clients.errors import UpstreamUnavailable
from seatdash.clients.http import JsonHttp, RetryPolicy
from seatdash.clients.sequence.query import (
    MAX_IDS_PER_CALL,
    EventQuery,
    chunks,
    event_params,
    iso_utc,
    unique_values,
)
from seatdash.clients.sequence.records import (
    PROVIDER,
    BalancePages,
    CustomerBalances,
    EventPage,
    PageProgress,
    Pagination,
    SeatEvent,
    parse_customer_balances,
    parse_one,
    parse_page,
    parse_seat_event,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A cursor chain longer than this is a loop upstream, not data: paging stops there, keeping the rest.
MAX_PAGES = 10_000


class SequenceClient:
    """Sequence's seat endpoints. Thread-safe: keep one per process.

    Raises UpstreamError subclasses (errors.py) for upstream trouble, and ValueError for bad
    arguments before any call is made.
    """

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
        self._clock = clock
        self._http = JsonHttp(
            provider=PROVIDER,
            base_url=base_url,
            headers={"Sequence-Version": api_version, "Accept": "application/json"},
            auth=(client_id, client_secret),
            timeout=timeout,
            retry=retry,
            transport=transport,
            sleep=sleep,
            clock=clock,
        )

    def __repr__(self) -> str:
        return f"SequenceClient({self._http!r})"

    def __enter__(self) -> SequenceClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def list_seat_balances(
        self,
        *,
        customer_ids: Sequence[str] = (),
        customer_aliases: Sequence[str] = (),
        exclude_zero: bool = False,
    ) -> list[CustomerBalances]:
        """All matching customers (see `fetch_seat_balances`)."""
        return self.fetch_seat_balances(
            customer_ids=customer_ids, customer_aliases=customer_aliases, exclude_zero=exclude_zero
        ).customers

    def fetch_seat_balances(
        self,
        *,
        customer_ids: Sequence[str] = (),
        customer_aliases: Sequence[str] = (),
        exclude_zero: bool = False,
        budget: float | None = None,
        on_page: PageProgress | None = None,
    ) -> BalancePages:
        """All matching customers; IDs batched by 25, merged without duplicates; follows cursors.

        No IDs and no aliases means every customer. IDs and aliases together are two filters whose
        results are merged (a customer matching either is returned), in first-seen order.
        Paging stops, keeping what arrived, when a cursor repeats or a page brings nobody new
        (see `_walk_pages`). `budget` bounds the whole fetch in seconds (each call keeps its own
        deadline); running out raises UpstreamUnavailable.
        """
        ids = unique_values(customer_ids, "customer_ids")
        aliases = unique_values(customer_aliases, "customer_aliases")
        base: dict[str, str] = {"excludeZeroQuantity": "true"} if exclude_zero else {}
        batches = [
            {**base, "customerIds": ",".join(chunk)} for chunk in chunks(ids, MAX_IDS_PER_CALL)
        ]
        # The spec states no limit for aliases; 25 keeps the URL short and mirrors the ID rule.
        # Batches go one after another: at most one call in flight per fetch (Sequence publishes
        # per-minute limits, see README).
        batches += [
            {**base, "customerAliases": ",".join(chunk)}
            for chunk in chunks(aliases, MAX_IDS_PER_CALL)
        ]
        if not ids and not aliases:
            batches = [base]
        give_up_at = None if budget is None else self._clock() + budget
        merged: dict[str, CustomerBalances] = {}
        reported: int | None = 0
        pages = 0
        for params in batches:
            batch_total: int | None = None
            for items, pagination in self._balance_pages(params, give_up_at):
                pages += 1
                for customer in items:
                    merged.setdefault(customer.id, customer)
                if pagination.total_result_size is not None:
                    batch_total = pagination.total_result_size
                if on_page is not None:
                    so_far = None if reported is None or batch_total is None else reported
                    on_page(len(merged), None if so_far is None else so_far + batch_total)
            reported = None if reported is None or batch_total is None else reported + batch_total
        return BalancePages(list(merged.values()), reported_total=reported, pages=pages)

    def _balance_pages(
        self, params: dict[str, str], give_up_at: float | None
    ) -> Iterator[tuple[list[CustomerBalances], Pagination]]:
        endpoint = "GET /seat-balances"

        def page(after: str | None) -> tuple[list[CustomerBalances], Pagination]:
            page_params = {**params, "after": after} if after else params
            body = self._http.request_json(
                "GET", "/seat-balances", endpoint=endpoint, params=page_params
            )
            return parse_page(body, endpoint, parse_customer_balances)

        return self._walk_pages(page, endpoint=endpoint, give_up_at=give_up_at)

    def _walk_pages(
        self,
        fetch_page: Callable[[str | None], tuple[list[T], Pagination]],
        *,
        endpoint: str,
        give_up_at: float | None,
    ) -> Iterator[tuple[list[T], Pagination]]:
        """Every cursor loop of this client: each page's new items, until Sequence says stop.

        An upstream that repeats a cursor, or sends a page with no item not already received,
        is taken at its word that nothing more is coming: paging stops and what arrived is kept
        (a server that ignores `after` sends the same page for ever). Items are told apart by `id`.
        """
        seen_ids: set[str] = set()
        seen_cursors: set[str] = set()
        after: str | None = None
        pages = 0
        while True:
            items, pagination = fetch_page(after)
            pages += 1
            new = [item for item in items if item.id not in seen_ids]  # type: ignore[attr-defined]
            seen_ids.update(item.id for item in new)  # type: ignore[attr-defined]
            yield new, pagination
            after = pagination.after
            if not after:
                return
            if after in seen_cursors or not new or pages >= MAX_PAGES:
                reason = "repeats a cursor" if after in seen_cursors else "brought nobody new"
                if pages >= MAX_PAGES:
                    reason = f"reached {MAX_PAGES} pages"
                logger.warning(
                    "%s %s: pagination.after %s after %d pages; keeping the %d items received",
                    PROVIDER,
                    endpoint,
                    reason,
                    pages,
                    len(seen_ids),
                )
                return
            if give_up_at is not None and self._clock() >= give_up_at:
                raise UpstreamUnavailable(
                    f"{PROVIDER} {endpoint}: the fetch budget ran out after {pages} pages",
                    provider=PROVIDER,
                    endpoint=endpoint,
                )
            seen_cursors.add(after)

    def list_seat_events(
        self,
        query: EventQuery = EventQuery(),
        *,
        limit: int = 50,
        after: str | None = None,
        before: str | None = None,
    ) -> EventPage:
        """One page of events (one upstream call)."""
        params = event_params(query, limit=limit, after=after, before=before)
        endpoint = "GET /seat-events"
        body = self._http.request_json("GET", "/seat-events", endpoint=endpoint, params=params)
        items, pagination = parse_page(body, endpoint, parse_seat_event)
        return EventPage(items=tuple(items), pagination=pagination)

    def iter_seat_events(
        self, query: EventQuery = EventQuery(), *, limit: int = 100, budget: float | None = None
    ) -> Iterator[SeatEvent]:
        """Every event matching the query, following `pagination.after` (see `_walk_pages`).

        `budget` bounds the whole walk in seconds; running out raises UpstreamUnavailable.
        """
        event_params(query, limit=limit, after=None, before=None)  # fail before the first page
        give_up_at = None if budget is None else self._clock() + budget

        def page(after: str | None) -> tuple[list[SeatEvent], Pagination]:
            found = self.list_seat_events(query, limit=limit, after=after)
            return list(found.items), found.pagination

        for items, _ in self._walk_pages(page, endpoint="GET /seat-events", give_up_at=give_up_at):
            yield from items

    def get_seat_event(self, event_id: str) -> SeatEvent:
        """One event by Sequence's id; UpstreamNotFound if there is none."""
        if not isinstance(event_id, str) or not event_id:
            raise ValueError("event_id must be a non-empty string")
        endpoint = "GET /seat-events/{id}"
        body = self._http.request_json(
            "GET", f"/seat-events/{quote(event_id, safe='')}", endpoint=endpoint
        )
        return parse_one(body, endpoint, parse_seat_event)

    def create_seat_event(
        self,
        *,
        customer_alias: str,
        seat_type: str,
        total: int,
        event_timestamp: datetime,
        customer_event_id: str | None = None,
    ) -> SeatEvent:
        """Post one event (an absolute seat total, not a delta); expects 201. Never retried."""
        if not customer_alias or not seat_type:
            raise ValueError("customer_alias and seat_type are required")
        if type(total) is not int or total < 0:
            raise ValueError("total must be a non-negative int")
        payload: dict[str, Any] = {
            "customerAlias": customer_alias,
            "seatType": seat_type,
            "total": total,
            "eventTimestamp": iso_utc(event_timestamp),
        }
        if customer_event_id is not None:
            payload["customerEventId"] = customer_event_id
        endpoint = "POST /seat-events"
        body = self._http.request_json(
            "POST", "/seat-events", endpoint=endpoint, json=payload, expect_status={201}
        )
        return parse_one(body, endpoint, parse_seat_event)

    def close(self) -> None:
        self._http.close()
