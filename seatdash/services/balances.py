"""Seat balances of all customers: one cached snapshot, filtered, sorted and paged in process.

The snapshot is fetched whole (`GET /seat-balances`) and cached under a version token; the cache
entry the pages read on every request holds only that token. Each process decodes a version once
into a `BalanceIndex` (kept in memory, keyed by version) and answers filters, sorts and pages from
it, so a request never unpickles 100,000 customers.
"""

from __future__ import annotations

import math
import secrets
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from operator import itemgetter

from django.conf import settings
from django.core.cache import cache

from seatdash.clients.sequence import PROVIDER, CustomerBalances, SeatBalance
from seatdash.services.cache import Fetched, cache_key, cached_fetch
from seatdash.services.providers import sequence_client

PAGE_SIZE = 50
SNAPSHOT_KEY = cache_key("balances", "all")
BASE_SORTS = ("name", "id", "total", "changed")
SEAT_SORT_PREFIX = "seats."
_INDEXES_KEPT = 2


@dataclass(frozen=True, slots=True)
class BalanceFilters:
    """What the balances page and its CSV select. Empty fields select everything."""

    q: str = ""
    aliases: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    seat_types: tuple[str, ...] = ()
    changed_from: datetime | None = None
    changed_to: datetime | None = None
    nonzero: bool = False
    sort: str = "name"
    page: int = 1

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.q
            or self.aliases
            or self.ids
            or self.seat_types
            or self.changed_from
            or self.changed_to
            or self.nonzero
        )


@dataclass(frozen=True, slots=True)
class BalanceListing:
    """One page of the filtered balances, with what the page says about the whole selection."""

    rows: list[CustomerBalances]
    matched: int
    customer_count: int
    page: int
    pages: int
    columns: tuple[str, ...]
    seat_types: tuple[str, ...]
    column_totals: dict[str, int]
    seats_total: int
    sort: str
    unmatched_ids: tuple[str, ...] = ()
    unmatched_aliases: tuple[str, ...] = ()
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def first_row_number(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last_row_number(self) -> int:
        return (self.page - 1) * PAGE_SIZE + len(self.rows)


class BalanceIndex:
    """A decoded snapshot with lookup tables and lazily built sort orders."""

    def __init__(self, customers: list[CustomerBalances]) -> None:
        self.customers = customers
        self.by_id = {customer.id: i for i, customer in enumerate(customers)}
        self.by_alias: dict[str, int] = {}
        self.search_text: list[str] = []
        self.seats: list[dict[str, SeatBalance]] = []
        seat_types: set[str] = set()
        for i, customer in enumerate(customers):
            for alias in customer.aliases:
                self.by_alias.setdefault(alias.casefold(), i)
            self.search_text.append(
                "\n".join((customer.legal_name, *customer.aliases, customer.id)).casefold()
            )
            seats = {balance.seat_type: balance for balance in customer.balances}
            self.seats.append(seats)
            seat_types.update(seats)
        self.seat_types = tuple(sorted(seat_types))
        self._orders: dict[str, list[int]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.customers)

    def sorts(self) -> tuple[str, ...]:
        return BASE_SORTS + tuple(SEAT_SORT_PREFIX + seat_type for seat_type in self.seat_types)

    def order(self, sort: str) -> list[int]:
        """Row positions in `sort` order (a column name, `-` prefix for descending)."""
        with self._lock:
            if sort not in self._orders:
                column = sort.removeprefix("-")
                ascending = self._orders.get(column) or self._ascending(column)
                self._orders[column] = ascending
                if sort.startswith("-"):
                    self._orders[sort] = ascending[::-1]
            return self._orders[sort]

    def _ascending(self, column: str) -> list[int]:
        customers = self.customers
        if column == "name":
            keys = [(c.legal_name.casefold(), c.id) for c in customers]
        elif column == "id":
            keys = [(c.id,) for c in customers]
        elif column == "total":
            keys = [(c.total, c.legal_name.casefold()) for c in customers]
        elif column == "changed":
            keys = [(c.changed_at, c.legal_name.casefold()) for c in customers]
        else:
            seat_type = column.removeprefix(SEAT_SORT_PREFIX)
            keys = [
                (seats[seat_type].total if seat_type in seats else -1, c.legal_name.casefold())
                for c, seats in zip(customers, self.seats, strict=True)
            ]
        return [i for i, _ in sorted(enumerate(keys), key=itemgetter(1))]

    def select(self, filters: BalanceFilters) -> list[int]:
        """Positions of the customers the filters keep, in the filters' sort order."""
        keep = self._matches(filters)
        return [i for i in self.order(filters.sort) if keep[i]]

    def _matches(self, filters: BalanceFilters) -> bytearray:
        size = len(self.customers)
        if filters.ids or filters.aliases:
            keep = bytearray(size)
            for customer_id in filters.ids:
                if (i := self.by_id.get(customer_id)) is not None:
                    keep[i] = 1
            for alias in filters.aliases:
                if (i := self.by_alias.get(alias.casefold())) is not None:
                    keep[i] = 1
        else:
            keep = bytearray(b"\x01" * size)
        if filters.q:
            needle = filters.q.casefold()
            for i, text in enumerate(self.search_text):
                if keep[i] and needle not in text:
                    keep[i] = 0
        if filters.nonzero:
            for i, customer in enumerate(self.customers):
                if keep[i] and customer.total <= 0:
                    keep[i] = 0
        if filters.seat_types:
            wanted = filters.seat_types
            for i, seats in enumerate(self.seats):
                if keep[i] and not any(
                    seat_type in seats and seats[seat_type].total > 0 for seat_type in wanted
                ):
                    keep[i] = 0
        if filters.changed_from or filters.changed_to:
            low, high = filters.changed_from, filters.changed_to
            for i, seats in enumerate(self.seats):
                if keep[i] and not any(
                    (low is None or balance.changed_at >= low)
                    and (high is None or balance.changed_at <= high)
                    for seat_type, balance in seats.items()
                    if not filters.seat_types or seat_type in filters.seat_types
                ):
                    keep[i] = 0
        return keep

    def unmatched(self, filters: BalanceFilters) -> tuple[tuple[str, ...], tuple[str, ...]]:
        ids = tuple(customer_id for customer_id in filters.ids if customer_id not in self.by_id)
        aliases = tuple(alias for alias in filters.aliases if alias.casefold() not in self.by_alias)
        return ids, aliases

    def find(self, customer_alias_or_id: str) -> CustomerBalances | None:
        """The customer an event's `customerAlias` (an alias or a customer ID) refers to."""
        i = self.by_id.get(customer_alias_or_id)
        if i is None:
            i = self.by_alias.get(customer_alias_or_id.casefold())
        return None if i is None else self.customers[i]


_indexes: OrderedDict[str, BalanceIndex] = OrderedDict()
_indexes_lock = threading.Lock()


def _data_key(version: str) -> str:
    return cache_key("balances", "all", "data", version)


def _fetch_snapshot_version() -> str:
    customers = sequence_client().list_seat_balances()
    version = secrets.token_hex(8)
    cache.set(_data_key(version), customers, timeout=settings.MAX_STALE_SECONDS + 120)
    return version


def _index_for(version: str) -> BalanceIndex | None:
    with _indexes_lock:
        if version in _indexes:
            _indexes.move_to_end(version)
            return _indexes[version]
    customers = cache.get(_data_key(version))
    if customers is None:
        return None
    index = BalanceIndex(customers)
    with _indexes_lock:
        _indexes[version] = index
        while len(_indexes) > _INDEXES_KEPT:
            _indexes.popitem(last=False)
    return index


def balance_snapshot(*, refresh: bool = False) -> Fetched[BalanceIndex]:
    """All customers' balances, from cache when fresh; raises UpstreamUnavailable with no copy."""
    for _ in range(2):
        fetched = cached_fetch(
            SNAPSHOT_KEY,
            _fetch_snapshot_version,
            fresh_seconds=settings.BALANCES_FRESH_SECONDS,
            provider=PROVIDER,
            refresh=refresh,
        )
        index = _index_for(fetched.value)
        if index is not None:
            return Fetched(index, fetched.fetched_at, fetched.failure)
        # The payload was evicted while its version was still cached: forget the version, refetch.
        cache.delete(SNAPSHOT_KEY)
    raise RuntimeError("balance snapshot vanished from the cache twice in a row")


def balance_list(*, filters: BalanceFilters, refresh: bool = False) -> Fetched[BalanceListing]:
    """The page of balances the filters select; errors in `listing.errors` name the bad field."""
    snapshot = balance_snapshot(refresh=refresh)
    return Fetched(listing_from(snapshot.value, filters), snapshot.fetched_at, snapshot.failure)


def listing_from(index: BalanceIndex, filters: BalanceFilters) -> BalanceListing:
    errors: dict[str, str] = {}
    unknown = [seat_type for seat_type in filters.seat_types if seat_type not in index.seat_types]
    if unknown:
        errors["seat_type"] = f"No customer has seat type {', '.join(unknown)}."
    sort = filters.sort
    if sort.removeprefix("-") not in index.sorts():
        errors["sort"] = f"Cannot sort by “{sort}”; sorted by name instead."
        sort = "name"
    filters = replace(filters, sort=sort)

    selected = index.select(filters)
    pages = max(1, math.ceil(len(selected) / PAGE_SIZE))
    page = filters.page
    if page > pages:
        errors["page"] = f"There is no page {page}; the last page is {pages}."
        page = pages
    start = (page - 1) * PAGE_SIZE
    columns = tuple(t for t in filters.seat_types if t in index.seat_types) or index.seat_types
    column_totals = dict.fromkeys(columns, 0)
    seats_total = 0
    for i in selected:
        seats = index.seats[i]
        seats_total += index.customers[i].total
        for seat_type in columns:
            if seat_type in seats:
                column_totals[seat_type] += seats[seat_type].total
    unmatched_ids, unmatched_aliases = index.unmatched(filters)
    return BalanceListing(
        rows=[index.customers[i] for i in selected[start : start + PAGE_SIZE]],
        matched=len(selected),
        customer_count=len(index),
        page=page,
        pages=pages,
        columns=columns,
        seat_types=index.seat_types,
        column_totals=column_totals,
        seats_total=seats_total,
        sort=sort,
        unmatched_ids=unmatched_ids,
        unmatched_aliases=unmatched_aliases,
        errors=errors,
    )


def balance_rows(*, filters: BalanceFilters) -> tuple[Fetched[BalanceIndex], list[int]]:
    """Every row the filters select (all pages), for the CSV export."""
    snapshot = balance_snapshot()
    index = snapshot.value
    if filters.sort.removeprefix("-") not in index.sorts():
        filters = replace(filters, sort="name")
    return snapshot, index.select(filters)


def iter_balance_rows(index: BalanceIndex, positions: list[int]) -> Iterator[CustomerBalances]:
    for i in positions:
        yield index.customers[i]


def customer_get(*, customer_id: str, refresh: bool = False) -> Fetched[CustomerBalances | None]:
    """One customer's balances (its own cache entry); None when Sequence does not know the ID."""

    def fetch() -> CustomerBalances | None:
        found = sequence_client().list_seat_balances(customer_ids=[customer_id])
        return next((c for c in found if c.id == customer_id), None)

    return cached_fetch(
        cache_key("customer", customer_id),
        fetch,
        fresh_seconds=settings.BALANCES_FRESH_SECONDS,
        provider=PROVIDER,
        refresh=refresh,
    )
