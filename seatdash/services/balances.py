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

from django.conf import settings
from django.core.cache import cache

from seatdash.clients.sequence_records import PROVIDER, CustomerBalances
from seatdash.services.balance_index import BalanceFilters, BalanceIndex, pack
from seatdash.services.cache import Fetched, cache_key, cached_fetch
from seatdash.services.providers import sequence_client

PAGE_SIZE = 50
SNAPSHOT_KEY = cache_key("balances", "all")
_INDEXES_KEPT = 2


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


_indexes: OrderedDict[str, BalanceIndex] = OrderedDict()
_indexes_lock = threading.Lock()


def _data_key(version: str) -> str:
    return cache_key("balances", "all", "data", version)


def _fetch_snapshot_version() -> str:
    packed = [pack(customer) for customer in sequence_client().list_seat_balances()]
    version = secrets.token_hex(8)
    cache.set(_data_key(version), packed, timeout=settings.MAX_STALE_SECONDS + 120)
    _remember(version, BalanceIndex(packed))  # this process need not decode what it just built
    return version


def _index_for(version: str) -> BalanceIndex | None:
    with _indexes_lock:
        if version in _indexes:
            _indexes.move_to_end(version)
            return _indexes[version]
    packed = cache.get(_data_key(version))
    if packed is None:
        return None
    index = BalanceIndex(packed)
    _remember(version, index)
    return index


def _remember(version: str, index: BalanceIndex) -> None:
    with _indexes_lock:
        _indexes[version] = index
        while len(_indexes) > _INDEXES_KEPT:
            _indexes.popitem(last=False)


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
    unmatched_ids, unmatched_aliases = index.unmatched(filters)
    return BalanceListing(
        rows=[index.customer(i) for i in selected[start : start + PAGE_SIZE]],
        matched=len(selected),
        customer_count=len(index),
        page=page,
        pages=pages,
        columns=columns,
        seat_types=index.seat_types,
        column_totals=index.column_totals(selected, columns),
        seats_total=index.seats_total(selected),
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
        yield index.customer(i)


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
