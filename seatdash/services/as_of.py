"""Balances of every customer as they stood at an instant, indexed like `/`, from the change series.

An instant is answered by the change series held in process (services.change_series): each
(customer, seat type) holds the total of its last point at or before it. The indexed snapshot is
kept per store version and per number of points the instant covers, so "today" asked twice, or two
instants with no change between them, share one snapshot.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from time import gmtime, strftime

from seatdash.services import change_series as series_store
from seatdash.services.balance_index import BalanceFilters, BalanceIndex
from seatdash.services.balances import BalanceListing, blocked_listing, listing_from
from seatdash.services.change_window import with_history_window

NEVER = datetime(1970, 1, 1, tzinfo=UTC)  # "changed at" of a customer with no event yet
_KEPT = 4


@dataclass(frozen=True, slots=True)
class AsOfSnapshot:
    """Every customer the last sync saw, with the seats each held at `at`, indexed like `/`."""

    at: datetime
    synced_at: datetime
    index: BalanceIndex
    not_yet: frozenset[str]  # customers with no effective event at or before `at`


_snapshots: OrderedDict[tuple, tuple[BalanceIndex, frozenset[str]]] = OrderedDict()
_lock = threading.Lock()


def balances_as_of(at: datetime) -> AsOfSnapshot:
    """The balances of every customer as they stood at `at` (inclusive), from the change series."""
    current = series_store.version()
    series = series_store.change_series(current)
    key = (current, series.position(at))
    with _lock:
        kept = _snapshots.get(key)
        if kept is not None:
            _snapshots.move_to_end(key)
    if kept is None:
        kept = _index_at(series, current, key[1])
        with _lock:
            _snapshots[key] = kept
            while len(_snapshots) > _KEPT:
                _snapshots.popitem(last=False)
    index, not_yet = kept
    return AsOfSnapshot(at=at, synced_at=current.synced_at, index=index, not_yet=not_yet)


def _index_at(series, current, position: int) -> tuple[BalanceIndex, frozenset[str]]:
    last = series.last_points(position)
    total, reached = series.total, series.reached
    held: dict[str, list[tuple[str, int, float]]] = {}
    for number, (customer, seat_type) in enumerate(series.pairs):
        index = last[number]
        if index != series_store.NONE:
            held.setdefault(customer, []).append(
                (seat_type, total[index], reached[index] / 1_000_000)
            )
    names = series_store.held_names(current)
    packed = []
    for customer, name in names.names.items():
        balances = tuple(sorted(held.get(customer, ())))
        packed.append(
            (
                customer,
                names.accounts[customer],
                name,
                names.aliases.get(customer, ()),
                sum(b[1] for b in balances),
                max((b[2] for b in balances), default=NEVER.timestamp()),
                balances,
            )
        )
    not_yet = frozenset(customer for customer in names.names if customer not in held)
    return BalanceIndex(packed), not_yet


def balance_listing_as_of(
    at: datetime, filters: BalanceFilters, *, blocked: bool = False
) -> tuple[AsOfSnapshot, BalanceListing]:
    """The page of `/` the filters select, with the balances as of `at`; no rows when `blocked`
    (a filter the form could not read), as on the present-day page."""
    snapshot = balances_as_of(at)
    if blocked:
        return snapshot, blocked_listing(snapshot.index, filters)
    return snapshot, listing_from(snapshot.index, with_history_window(filters))


def balance_rows_as_of(at: datetime, filters: BalanceFilters) -> tuple[AsOfSnapshot, list[int]]:
    """Every row (all pages) for the CSV of the balances as of `at`."""
    snapshot = balances_as_of(at)
    if filters.sort.removeprefix("-") not in snapshot.index.sorts():
        filters = replace(filters, sort="name")
    return snapshot, snapshot.index.select(with_history_window(filters))


ISO_UTC = "%Y-%m-%dT%H:%M:%SZ"  # the CSVs' one instant format


def balance_csv_rows_as_of(
    snapshot: AsOfSnapshot, positions: list[int], *, seat_types: tuple[str, ...] = ()
) -> Iterator[tuple]:
    """The as-of CSV's rows, as the present-day CSV shapes them: one per customer and (selected)
    seat type, a customer holding none of them once with no seat type and 0 seats; the instant
    last. Read straight from the packed snapshot with instants written once as text: unpacking
    every customer into records and dates cost more than writing the CSV."""
    at = snapshot.at.astimezone(UTC).strftime(ISO_UTC)
    packed = snapshot.index.packed
    separator = "; "
    for position in positions:
        customer_id, _, name, aliases, _, changed, balances = packed[position]
        identity = (customer_id, name, separator.join(aliases))
        written = False
        for seat_type, seats, moment in balances:
            if not seat_types or seat_type in seat_types:
                written = True
                yield (*identity, seat_type, seats, strftime(ISO_UTC, gmtime(moment)), at)
        if not written:
            yield (*identity, "", 0, strftime(ISO_UTC, gmtime(changed)), at)


def clear() -> None:
    """Forget the kept snapshots (tests)."""
    with _lock:
        _snapshots.clear()
