"""Which customers the movers page's `q`, `alias` and `ids` pick, matched exactly as `/` matches them.

The held customers of one sync are put in a BalanceIndex (their seats now, no history), so the
search, the alias and ID lookups (one owner per alias: the first customer listed, as on `/`), the
match report with "did you mean" and the unknown-seat-type message are `/`'s own code, not a copy.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from seatdash.clients.sequence import CustomerBalances, SeatBalance
from seatdash.services import change_series
from seatdash.services.balance_index import BalanceFilters, BalanceIndex, PackedRow
from seatdash.services.balances import unknown_seat_types
from seatdash.services.paste_match import MatchReport, match_pasted

_NEVER = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class MoverSelection:
    customer_ids: set[str] | None  # None: no customer filter, every customer
    match_report: MatchReport | None = None
    seat_types: tuple[str, ...] = ()  # every seat type the held balances know
    errors: dict[str, str] = field(default_factory=dict)  # field -> why nothing can be listed


_indexes: dict[Hashable, BalanceIndex] = {}
_lock = threading.Lock()


def held_index(version: Hashable, tables: Callable[[], HeldTables]) -> BalanceIndex:
    """The held customers of the store at `version`, indexed as `/` indexes Sequence's; `tables`
    is asked only when this process has no index of that version yet.

    `names` is in the order the store lists the customers, the order `/?as_of=` indexes them in, so
    an alias two customers hold (differing only in case) goes to the same one on both pages.
    """
    with _lock:
        if version in _indexes:
            return _indexes[version]
    held = tables()
    names, aliases, now = held.names, held.aliases, held.now
    seats: dict[str, list[SeatBalance]] = defaultdict(list)
    for (customer_id, seat_type), total in sorted(now.items()):
        seats[customer_id].append(SeatBalance(seat_type, total, _NEVER))
    customers = [
        CustomerBalances(
            id=customer_id,
            sequence_account_id="",
            legal_name=name,
            # The store keeps each customer's own ID as one of its aliases; here it is an ID, so
            # an ID pasted into Aliases is reported "matched as an ID", as on `/`.
            aliases=tuple(a for a in aliases.get(customer_id, ()) if a != customer_id),
            total=sum(b.total for b in seats.get(customer_id, ())),
            changed_at=_NEVER,
            balances=tuple(seats.get(customer_id, ())),
        )
        for customer_id, name in names.items()
    ]
    index = BalanceIndex.from_customers(customers)
    with _lock:
        _indexes.clear()  # one version's index kept: the newest
        _indexes[version] = index
    return index


class HeldTables(Protocol):
    names: Mapping[str, str]
    aliases: Mapping[str, tuple[str, ...]]
    now: Mapping[tuple[str, str], int]


def mover_selection(
    version: Hashable,
    tables: Callable[[], HeldTables],
    *,
    q: str = "",
    aliases: tuple[str, ...] = (),
    ids: tuple[str, ...] = (),
    seat_types: tuple[str, ...] = (),
) -> MoverSelection:
    """The customers `q`, `alias` and `ids` select, the paste's report, and errors.

    The index is built (once per sync) only when there is something to look up or judge, so the
    unfiltered page never waits for it.
    """
    if not (q or aliases or ids or seat_types):
        return MoverSelection(None)
    index = held_index(version, tables)
    errors = unknown_seat_types(index, seat_types)
    report = match_pasted(index, aliases=aliases, ids=ids)
    if not (q or aliases or ids):
        return MoverSelection(None, report, index.seat_types, errors)
    positions = index.select(BalanceFilters(q=q, aliases=aliases, ids=ids))
    chosen = {index.packed[i][PackedRow.ID] for i in positions}
    return MoverSelection(chosen, report, index.seat_types, errors)


@dataclass(frozen=True, slots=True)
class _HeldNow:
    """What the selection index reads of the store: names, aliases and the seats held now."""

    names: dict[str, str]
    aliases: dict[str, tuple[str, ...]]
    now: dict[tuple[str, str], int]


def selection_in_series(current, series, filters) -> MoverSelection:
    """mover_selection for the movers filters, over the change series held for `current`."""
    if not (filters.q or filters.aliases or filters.ids or filters.seat_types):
        return MoverSelection(None)  # nothing to look up: the index is never built

    def held_now() -> _HeldNow:  # every pair's seats now: only when the index is built
        names = change_series.held_names(current)
        totals = series.totals_at(len(series))
        now = {pair: totals[n] for n, pair in enumerate(series.pairs)}
        return _HeldNow(names.names, names.aliases, now)

    return mover_selection(
        (current, current.synced_at),  # names and aliases are read again after every sync
        held_now,
        q=filters.q,
        aliases=filters.aliases,
        ids=filters.ids,
        seat_types=filters.seat_types,
    )
