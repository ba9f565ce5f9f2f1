"""Seat balances of all customers: one cached snapshot, filtered, sorted and paged in process.

The snapshot is fetched whole (`GET /seat-balances`, every page) and cached under a version token;
the cache entry the pages read on every request holds only that token (a `SnapshotRef`). Each
process decodes a version once, under a lock, into a `BalanceIndex` (kept in memory, keyed by
version) and answers filters, sorts and pages from it, so a request never unpickles 100,000
customers. Storing a new version deletes the data of the one it replaced: the cache holds one live
snapshot (two while a refresh is being stored). The fetch runs in the background, kept fresh by the
worker (`manage.py seatdash_worker`); a cold request waits briefly and otherwise says how far the
loading is (`StillLoading`).

Over 300 lines because the snapshot's fetch, versioned store and per-process decode are one protocol
(token, data, index) that reads best together.
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

from seatdash.clients.sequence import PROVIDER, CustomerBalances
from seatdash.history.queries import HistoryNotSynced
from seatdash.services.balance_index import BalanceFilters, BalanceIndex, pack
from seatdash.services.cache import (
    Served,
    StillLoading,
    cache_key,
    cached_fetch,
    refresh_now,
    report_progress,
)
from seatdash.services.change_window import with_history_window
from seatdash.services.paste_match import MatchReport, match_pasted
from seatdash.services.providers import sequence_client
from seatdash.services.recent_change import (
    RECENT_SORT,
    RecentChanges,
    order_by_recent_change,
    recent_changes,
)

PAGE_SIZE = 50
SNAPSHOT_KEY = cache_key("balances", "all")
_INDEXES_KEPT = 2
# A cold page waits this long for the snapshot, then shows "Loading balances: N of M" and polls.
COLD_WAIT_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class SnapshotRef:
    """What the pages read on every request: which version is live, and how complete it is."""

    version: str
    received: int
    reported_total: int | None  # Sequence's `totalResultSize`; more than `received` is shown

    @property
    def incomplete(self) -> bool:
        return self.reported_total is not None and self.reported_total > self.received


class BalancesLoading(StillLoading):
    """No snapshot yet; one is being fetched. The message is the page's loading line."""


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

    # Set when Sequence reported more customers than it sent (see SnapshotRef).
    customers_reported: int | None = None

    @property
    def first_row_number(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last_row_number(self) -> int:
        return (self.page - 1) * PAGE_SIZE + len(self.rows)


_indexes: OrderedDict[str, BalanceIndex] = OrderedDict()
_indexes_lock = threading.Lock()
_decode_lock = threading.Lock()


def _data_key(version: str) -> str:
    return cache_key("balances", "all", "data", version)


def _fetch_snapshot() -> SnapshotRef:
    found = sequence_client().fetch_seat_balances(
        budget=settings.SNAPSHOT_FETCH_BUDGET, on_page=report_progress
    )
    packed = [pack(customer) for customer in found.customers]
    version = secrets.token_hex(8)
    cache.set(_data_key(version), packed, timeout=settings.MAX_STALE_SECONDS + 120)
    _remember(version, BalanceIndex(packed))  # this process need not decode what it just built
    return SnapshotRef(version, len(packed), found.reported_total)


def _forget_replaced(old: SnapshotRef) -> None:
    """The superseded version's data goes at once. A reader in another process that still holds
    its ref finds the data gone and rereads the ref, which names the new version (see
    `_snapshot`); its decoded index, if any, ages out of `_indexes`."""
    cache.delete(_data_key(old.version))


def _index_for(version: str) -> BalanceIndex | None:
    with _indexes_lock:
        if version in _indexes:
            _indexes.move_to_end(version)
            return _indexes[version]
    # One decode per version per process: the others wait for it instead of decoding it too.
    with _decode_lock:
        with _indexes_lock:
            if version in _indexes:
                return _indexes[version]
        packed = cache.get(_data_key(version))
        if packed is None:
            return None
        index = BalanceIndex(packed)
        _remember(version, index)
        return index


def forget_decoded_snapshots() -> None:
    """Drop this process's decoded snapshots, as a new process starts: the next read decodes the
    cached data again (tests and benchmarks use it to stand in for another process)."""
    with _indexes_lock:
        _indexes.clear()


def _remember(version: str, index: BalanceIndex) -> None:
    with _indexes_lock:
        _indexes[version] = index
        while len(_indexes) > _INDEXES_KEPT:
            _indexes.popitem(last=False)


def _snapshot(*, refresh: bool = False) -> tuple[Served[BalanceIndex], SnapshotRef]:
    for _ in range(3):
        try:
            fetched = cached_fetch(
                SNAPSHOT_KEY,
                _fetch_snapshot,
                fresh_seconds=settings.BALANCES_FRESH_SECONDS,
                provider=PROVIDER,
                refresh=refresh,
                on_replaced=_forget_replaced,
                cold_wait=COLD_WAIT_SECONDS,
            )
        except StillLoading as loading:
            raise _loading(loading.done, loading.total) from None
        ref = fetched.value
        index = _index_for(ref.version)
        if index is not None:
            return Served(index, fetched.fetched_at, fetched.failure), ref
        # Its data is gone: replaced by a newer version (reread the ref), or evicted (refetch).
        current = cache.get(SNAPSHOT_KEY)
        if current is not None and current.value == ref:
            cache.delete(SNAPSHOT_KEY)
    raise RuntimeError("balance snapshot vanished from the cache three times in a row")


def _loading(done: int, total: int | None) -> BalancesLoading:
    of = f" of {total:,}" if total else ""
    return BalancesLoading(
        f"Loading balances: {done:,}{of} customers", provider=PROVIDER, done=done, total=total
    )


def balance_snapshot(*, refresh: bool = False) -> Served[BalanceIndex]:
    """All customers' balances, from cache when fresh; raises UpstreamUnavailable with no copy,
    BalancesLoading (a kind of it) while the first copy is still arriving."""
    return _snapshot(refresh=refresh)[0]


def balance_snapshot_refresh(*, older_than: float) -> SnapshotRef | None:
    """For the worker: fetch a new snapshot now unless the live one is younger than `older_than`
    seconds. None when another process is fetching it (the lock): two workers never fetch at once.
    Raises UpstreamUnavailable when Sequence fails."""
    fetched = refresh_now(
        SNAPSHOT_KEY,
        _fetch_snapshot,
        provider=PROVIDER,
        older_than=older_than,
        on_replaced=_forget_replaced,
    )
    return None if fetched is None else fetched.value


def balance_list(
    *, filters: BalanceFilters, refresh: bool = False, blocked: bool = False
) -> Served[BalanceListing]:
    """The page of balances the filters select; errors in `listing.errors` name the bad field.

    `blocked` (a filter the form could not read) answers no rows: the filters that did parse
    select nothing on their own.
    """
    snapshot, ref = _snapshot(refresh=refresh)
    index = snapshot.value
    if blocked:
        listing = blocked_listing(index, filters)
    else:
        filters = with_history_window(filters)
        listing = listing_from(index, filters, recent=_recent_for(filters))
    if ref.incomplete:
        listing = replace(listing, customers_reported=ref.reported_total)
    return Served(listing, snapshot.fetched_at, snapshot.failure)


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


def _recent_for(filters: BalanceFilters) -> RecentChanges | None:
    """The 30-day changes when the sort asks for them and the seat history can say."""
    if filters.sort.removeprefix("-") != RECENT_SORT:
        return None
    try:
        return recent_changes()
    except HistoryNotSynced:
        return None


def _select(
    index: BalanceIndex, filters: BalanceFilters, recent: RecentChanges | None
) -> list[int]:
    if recent is not None and filters.sort.removeprefix("-") == RECENT_SORT:
        return order_by_recent_change(index, filters, recent)
    return index.select(filters)


def listing_from(
    index: BalanceIndex, filters: BalanceFilters, *, recent: RecentChanges | None = None
) -> BalanceListing:
    """The page the filters select; `recent` (the 30-day changes) makes `change30` a sort."""
    errors = unknown_seat_types(index, filters.seat_types)
    if errors:
        return blocked_listing(index, filters, errors)
    sort = filters.sort
    column = sort.removeprefix("-")
    if column not in index.sorts() and not (column == RECENT_SORT and recent is not None):
        if column == RECENT_SORT:
            errors["sort"] = (
                "Cannot sort by 30-day change here: it needs today's balances and a synced "
                "seat history. Sorted by name instead."
            )
        else:
            errors["sort"] = f"Cannot sort by “{sort}”; sorted by name instead."
        sort = "name"
    filters = replace(filters, sort=sort)

    selected = _select(index, filters, recent)
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

    snapshot: Served[BalanceIndex]
    positions: list[int]
    errors: dict[str, str]


def balance_rows(*, filters: BalanceFilters) -> BalanceExport:
    """Every row the filters select (all pages), for the CSV export; none when a filter is bad."""
    snapshot = balance_snapshot()
    index = snapshot.value
    errors = unknown_seat_types(index, filters.seat_types)
    if errors:
        return BalanceExport(snapshot, [], errors)
    recent = _recent_for(filters)
    if filters.sort.removeprefix("-") not in index.sorts() and recent is None:
        filters = replace(filters, sort="name")
    return BalanceExport(snapshot, _select(index, with_history_window(filters), recent), {})


def iter_balance_rows(
    index: BalanceIndex, positions: list[int], seat_types: tuple[str, ...] = ()
) -> Iterator[CustomerBalances]:
    for i in positions:
        yield index.customer(i, seat_types)


def customer_get(*, customer_id: str, refresh: bool = False) -> Served[CustomerBalances | None]:
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
