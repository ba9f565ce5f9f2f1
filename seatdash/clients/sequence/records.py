"""Sequence's typed records, parsed from its JSON; anything unexpected is UpstreamBadPayload."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TypeVar

from seatdash.clients.errors import UpstreamBadPayload

PROVIDER = "Sequence"

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
class BalancePages:
    """Every customer GET /seat-balances gave, and what Sequence said about how many there are."""

    customers: list[CustomerBalances]
    # `pagination.totalResultSize` as Sequence reported it (summed over ID batches); None if absent.
    reported_total: int | None = None
    pages: int = 0

    @property
    def incomplete(self) -> bool:
        return self.reported_total is not None and self.reported_total > len(self.customers)


# Called after each page with (items received so far, totalResultSize reported or None).
PageProgress = Callable[[int, int | None], None]


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


def parse_customer_balances(value: Any) -> CustomerBalances:
    """One item of GET /seat-balances."""
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


def parse_seat_event(value: Any) -> SeatEvent:
    """One seat event, as listed or as returned by GET/POST /seat-events."""
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


def parse_page(body: Any, endpoint: str, parse: Callable[[Any], T]) -> tuple[list[T], Pagination]:
    """A list body (`items` + `pagination`), each item read by `parse`; UpstreamBadPayload if broken."""
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
        bad = _bad(endpoint, exc.within(f"items[{len(items)}]"))
        bad.message = bad.args[0] + _named(raw_items[len(items)])
        bad.args = (bad.message,)
        raise bad from None
    return items, pagination


def _named(item: Any) -> str:
    """` (id …)` when the broken item still carries a readable ID, so the report can name it."""
    if type(item) is dict and type(item.get("id")) is str and item["id"]:
        return f" (id {item['id'][:100]!r})"
    return ""


def parse_one(body: Any, endpoint: str, parse: Callable[[Any], T]) -> T:
    """A single-record body read by `parse`; UpstreamBadPayload naming the bad field if broken."""
    try:
        return parse(body)
    except _Invalid as exc:
        raise _bad(endpoint, exc) from None
