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
from seatdash.services.paste_match import MatchReport, match_pasted
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
    match_report: MatchReport | None = None
    errors: dict[str, str] = field(default_factory=dict)
    # A filter could not be applied: no rows, no counts, only the message beside the field.
    blocked: bool = False

    @property
    def unmatched_ids(self) -> tuple[str, ...]:
        return self.match_report.unmatched_in("id") if self.match_report else ()

    @property
    def unmatched_aliases(self) -> tuple[str, ...]:
        return self.match_report.unmatched_in("alias") if self.match_report else ()

    @property
    def total_label(self) -> str:
        """ "Total", or "Total (viewer)" when the seat types are narrowed: it adds only those."""
        if self.columns == self.seat_types or not self.columns:
            return "Total"
        return f"Total ({', '.join(self.columns)})"

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


def balance_list(
    *, filters: BalanceFilters, refresh: bool = False, blocked: bool = False
) -> Fetched[BalanceListing]:
    """The page of balances the filters select; errors in `listing.errors` name the bad field.

    `blocked` (a filter the form could not read) answers no rows: the filters that did parse
    select nothing on their own.
    """
    snapshot = balance_snapshot(refresh=refresh)
    index = snapshot.value
    listing = blocked_listing(index, filters) if blocked else listing_from(index, filters)
    return Fetched(listing, snapshot.fetched_at, snapshot.failure)


def unknown_seat_types(index: BalanceIndex, seat_types: tuple[str, ...]) -> dict[str, str]:
    """The error for seat types no customer has, listing the ones that exist; {} when all exist."""
    unknown = [seat_type for seat_type in seat_types if seat_type not in index.seat_types]
    if not unknown:
        return {}
    known = ", ".join(index.seat_types) or "none yet"
    return {"seat_type": f"No customer has seat type {', '.join(unknown)}. Choose from: {known}."}


def blocked_listing(
    index: BalanceIndex, filters: BalanceFilters, errors: dict[str, str] | None = None
) -> BalanceListing:
    return BalanceListing(
        rows=[],
        matched=0,
        customer_count=len(index),
        page=1,
        pages=1,
        columns=index.seat_types,
        seat_types=index.seat_types,
        column_totals={},
        seats_total=0,
        sort=filters.sort if filters.sort.removeprefix("-") in index.sorts() else "name",
        errors=errors or {},
        blocked=True,
    )


def listing_from(index: BalanceIndex, filters: BalanceFilters) -> BalanceListing:
    errors = unknown_seat_types(index, filters.seat_types)
    if errors:
        return blocked_listing(index, filters, errors)
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
    columns = filters.seat_types or index.seat_types
    return BalanceListing(
        rows=[index.customer(i, filters.seat_types) for i in selected[start : start + PAGE_SIZE]],
        matched=len(selected),
        customer_count=len(index),
        page=page,
        pages=pages,
        columns=columns,
        seat_types=index.seat_types,
        column_totals=index.column_totals(selected, columns),
        seats_total=index.seats_total(selected, filters.seat_types),
        sort=sort,
        match_report=match_pasted(index, aliases=filters.aliases, ids=filters.ids),
        errors=errors,
    )


@dataclass(frozen=True, slots=True)
class BalanceExport:
    """What the CSV streams: the snapshot and the selected positions, or why it cannot."""

    snapshot: Fetched[BalanceIndex]
    positions: list[int]
    errors: dict[str, str]


def balance_rows(*, filters: BalanceFilters) -> BalanceExport:
    """Every row the filters select (all pages), for the CSV export; none when a filter is bad."""
    snapshot = balance_snapshot()
    index = snapshot.value
    errors = unknown_seat_types(index, filters.seat_types)
    if errors:
        return BalanceExport(snapshot, [], errors)
    if filters.sort.removeprefix("-") not in index.sorts():
        filters = replace(filters, sort="name")
    return BalanceExport(snapshot, index.select(filters), {})


def iter_balance_rows(
    index: BalanceIndex, positions: list[int], seat_types: tuple[str, ...] = ()
) -> Iterator[CustomerBalances]:
    for i in positions:
        yield index.customer(i, seat_types)


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
