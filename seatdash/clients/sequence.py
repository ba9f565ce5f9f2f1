"""Typed client for Sequence's seat endpoints (API version 2024-07-30): records in, records out.

Every call goes through `JsonHttp` (timeouts, deadline, retries, error tree; see http.py). Reads are
retried there; `create_seat_event` (POST) is never retried, because Sequence offers no idempotency
key for it and a retry after a lost response could post the event twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal, TypeVar
from urllib.parse import quote

import httpx

from seatdash.clients.errors import UpstreamBadPayload
from seatdash.clients.http import JsonHttp, RetryPolicy

PROVIDER = "Sequence"
MAX_IDS_PER_CALL = 25
MAX_PAGE_SIZE = 100
# A cursor chain longer than this is a loop upstream, not data.
MAX_PAGES = 10_000

T = TypeVar("T")


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
        """All matching customers; IDs batched by 25, merged without duplicates; follows cursors.

        No IDs and no aliases means every customer. IDs and aliases together are two filters whose
        results are merged (a customer matching either is returned), in first-seen order.
        """
        ids = _unique_values(customer_ids, "customer_ids")
        aliases = _unique_values(customer_aliases, "customer_aliases")
        base: dict[str, str] = {"excludeZeroQuantity": "true"} if exclude_zero else {}
        batches = [
            {**base, "customerIds": ",".join(chunk)} for chunk in _chunks(ids, MAX_IDS_PER_CALL)
        ]
        # The spec states no limit for aliases; 25 keeps the URL short and mirrors the ID rule.
        batches += [
            {**base, "customerAliases": ",".join(chunk)}
            for chunk in _chunks(aliases, MAX_IDS_PER_CALL)
        ]
        if not ids and not aliases:
            batches = [base]
        merged: dict[str, CustomerBalances] = {}
        for params in batches:
            for customer in self._balance_pages(params):
                merged.setdefault(customer.id, customer)
        return list(merged.values())

    def _balance_pages(self, params: dict[str, str]) -> Iterator[CustomerBalances]:
        endpoint = "GET /seat-balances"
        after: str | None = None
        seen: set[str] = set()
        while True:
            page_params = {**params, "after": after} if after else params
            body = self._http.request_json(
                "GET", "/seat-balances", endpoint=endpoint, params=page_params
            )
            items, pagination = _parse_page(body, endpoint, _customer)
            yield from items
            after = _next_cursor(pagination, seen, endpoint)
            if after is None:
                return

    def list_seat_events(
        self,
        query: EventQuery = EventQuery(),
        *,
        limit: int = 50,
        after: str | None = None,
        before: str | None = None,
    ) -> EventPage:
        """One page of events (one upstream call)."""
        params = _event_params(query, limit=limit, after=after, before=before)
        endpoint = "GET /seat-events"
        body = self._http.request_json("GET", "/seat-events", endpoint=endpoint, params=params)
        items, pagination = _parse_page(body, endpoint, _event)
        return EventPage(items=tuple(items), pagination=pagination)

    def iter_seat_events(
        self, query: EventQuery = EventQuery(), *, limit: int = 100
    ) -> Iterator[SeatEvent]:
        """Every event matching the query, following `pagination.after` to the end."""
        _event_params(query, limit=limit, after=None, before=None)  # fail before the first page
        after: str | None = None
        seen: set[str] = set()
        while True:
            page = self.list_seat_events(query, limit=limit, after=after)
            yield from page.items
            after = _next_cursor(page.pagination, seen, "GET /seat-events")
            if after is None:
                return

    def get_seat_event(self, event_id: str) -> SeatEvent:
        """One event by Sequence's id; UpstreamNotFound if there is none."""
        if not isinstance(event_id, str) or not event_id:
            raise ValueError("event_id must be a non-empty string")
        endpoint = "GET /seat-events/{id}"
        body = self._http.request_json(
            "GET", f"/seat-events/{quote(event_id, safe='')}", endpoint=endpoint
        )
        return _parse_one(body, endpoint, _event)

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
            "eventTimestamp": _iso_utc(event_timestamp),
        }
        if customer_event_id is not None:
            payload["customerEventId"] = customer_event_id
        endpoint = "POST /seat-events"
        body = self._http.request_json(
            "POST", "/seat-events", endpoint=endpoint, json=payload, expect_status={201}
        )
        return _parse_one(body, endpoint, _event)

    def close(self) -> None:
        self._http.close()


# --- request building ---------------------------------------------------------------------------


def _unique_values(values: Sequence[str], name: str) -> list[str]:
    if isinstance(values, str):
        raise ValueError(f"{name} must be a sequence of strings, not one string")
    unique: dict[str, None] = {}
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{name} must hold non-empty strings")
        if "," in value:
            raise ValueError(f"{name} values cannot contain commas (the list separator)")
        unique[value.strip()] = None
    return list(unique)


def _chunks(values: list[str], size: int) -> list[list[str]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def _event_params(
    query: EventQuery, *, limit: int, after: str | None, before: str | None
) -> dict[str, str | int]:
    if type(limit) is not int or not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be an int from 1 to {MAX_PAGE_SIZE}")
    if query.sort_order not in ("ASC", "DESC"):
        raise ValueError("sort_order must be 'ASC' or 'DESC'")
    ids = _unique_values(query.customer_ids, "customer_ids")
    if len(ids) > MAX_IDS_PER_CALL:
        raise ValueError(f"at most {MAX_IDS_PER_CALL} customer_ids per call")
    params: dict[str, str | int] = {"limit": limit, "sortOrder": query.sort_order}
    optional = {
        "after": after,
        "before": before,
        "sortBy": query.sort_by,
        "customerAlias": query.customer_alias,
        "customerIds": ",".join(ids) or None,
        "seatType": query.seat_type,
        "customerEventId": query.customer_event_id,
        "eventTimestampAfter": _iso_utc(query.timestamp_after) if query.timestamp_after else None,
        "eventTimestampBefore": _iso_utc(query.timestamp_before)
        if query.timestamp_before
        else None,
    }
    params.update({key: value for key, value in optional.items() if value})
    return params


def _iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, as every Sequence example writes it. Naive means UTC."""
    if not isinstance(moment, datetime):
        raise ValueError("timestamps must be datetime objects")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    text = moment.astimezone(UTC).replace(tzinfo=None).isoformat()
    return f"{text}Z"


# --- response parsing ---------------------------------------------------------------------------
# Hot path for 100,000 customers: plain dict lookups and type checks; the only exception raised is
# the one reporting a bad field, and it carries a path the caller prefixes on the way out.


class _Invalid(Exception):
    def __init__(self, path: str, problem: str) -> None:
        super().__init__(path, problem)
        self.path = path
        self.problem = problem

    def within(self, prefix: str) -> _Invalid:
        return _Invalid(f"{prefix}.{self.path}" if self.path else prefix, self.problem)


_TYPE_NAMES = {str: "string", int: "integer", list: "array", dict: "object"}
_MISSING = object()


def _wrong(obj: dict, key: str, expected: type) -> _Invalid:
    value = obj.get(key, _MISSING)
    if value is _MISSING:
        return _Invalid(key, "missing")
    found = "null" if value is None else _TYPE_NAMES.get(type(value), type(value).__name__)
    return _Invalid(key, f"is {found}, expected {_TYPE_NAMES[expected]}")


def _str(obj: dict, key: str) -> str:
    value = obj.get(key)
    if type(value) is str:
        return value
    raise _wrong(obj, key, str)


def _int(obj: dict, key: str) -> int:
    value = obj.get(key)
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    raise _wrong(obj, key, int)


def _list(obj: dict, key: str) -> list:
    value = obj.get(key)
    if type(value) is list:
        return value
    raise _wrong(obj, key, list)


def _timestamp(obj: dict, key: str) -> datetime:
    moment = _parse_timestamp(_str(obj, key))
    if moment is None:
        raise _Invalid(key, "is not an ISO 8601 timestamp")
    return moment


@lru_cache(maxsize=4096)  # many customers share a change time; datetimes are immutable
def _parse_timestamp(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _object(value: Any) -> dict:
    if type(value) is dict:
        return value
    raise _Invalid("", "is not an object")


def _balance(value: Any) -> SeatBalance:
    obj = _object(value)
    return SeatBalance(
        seat_type=_str(obj, "seatType"),
        total=_int(obj, "total"),
        changed_at=_timestamp(obj, "changeTimestamp"),
    )


def _customer(value: Any) -> CustomerBalances:
    obj = _object(value)
    aliases = _list(obj, "customerAliases")
    for index, alias in enumerate(aliases):
        if type(alias) is not str:
            raise _Invalid(f"customerAliases[{index}]", "is not a string")
    balances = []
    for index, item in enumerate(_list(obj, "balances")):
        try:
            balances.append(_balance(item))
        except _Invalid as exc:
            raise exc.within(f"balances[{index}]") from None
    return CustomerBalances(
        id=_str(obj, "id"),
        sequence_account_id=_str(obj, "sequenceAccountId"),
        legal_name=_str(obj, "legalName"),
        aliases=tuple(aliases),
        total=_int(obj, "total"),
        changed_at=_timestamp(obj, "changeTimestamp"),
        balances=tuple(balances),
    )


def _event(value: Any) -> SeatEvent:
    obj = _object(value)
    return SeatEvent(
        id=_str(obj, "id"),
        customer_event_id=_str(obj, "customerEventId"),
        customer_alias=_str(obj, "customerAlias"),
        seat_type=_str(obj, "seatType"),
        sequence_account_id=_str(obj, "sequenceAccountId"),
        event_timestamp=_timestamp(obj, "eventTimestamp"),
        total=_int(obj, "total"),
    )


def _pagination(body: dict) -> Pagination:
    value = body.get("pagination")
    if value is None:  # the spec requires it; a missing one only means "no more pages"
        return Pagination(after=None, before=None, total_result_size=None)
    try:
        obj = _object(value)
        cursors = {}
        for key in ("after", "before"):
            cursor = obj.get(key)
            if cursor is not None and type(cursor) is not str:
                raise _wrong(obj, key, str)
            cursors[key] = cursor or None
        size = obj.get("totalResultSize")
        if size is not None:
            size = _int(obj, "totalResultSize")
    except _Invalid as exc:
        raise exc.within("pagination") from None
    return Pagination(after=cursors["after"], before=cursors["before"], total_result_size=size)


def _bad(endpoint: str, exc: _Invalid) -> UpstreamBadPayload:
    return UpstreamBadPayload(
        f"{endpoint}: {exc.path} {exc.problem}" if exc.path else f"{endpoint}: body {exc.problem}",
        provider=PROVIDER,
        endpoint=endpoint,
        status=None,
    )


def _parse_page(body: Any, endpoint: str, parse: Callable[[Any], T]) -> tuple[list[T], Pagination]:
    try:
        obj = _object(body)
        raw_items = _list(obj, "items")
        pagination = _pagination(obj)
    except _Invalid as exc:
        raise _bad(endpoint, exc) from None
    items = []
    try:
        for item in raw_items:
            items.append(parse(item))
    except _Invalid as exc:
        raise _bad(endpoint, exc.within(f"items[{len(items)}]")) from None
    return items, pagination


def _parse_one(body: Any, endpoint: str, parse: Callable[[Any], T]) -> T:
    try:
        return parse(body)
    except _Invalid as exc:
        raise _bad(endpoint, exc) from None


def _next_cursor(pagination: Pagination, seen: set[str], endpoint: str) -> str | None:
    after = pagination.after
    if not after:
        return None
    if after in seen or len(seen) >= MAX_PAGES:
        raise UpstreamBadPayload(
            f"{endpoint}: pagination.after repeats a cursor already followed",
            provider=PROVIDER,
            endpoint=endpoint,
        )
    seen.add(after)
    return after
