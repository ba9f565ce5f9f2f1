"""The decoded balances snapshot: lookups, accent-folded search, sort orders, filter passes.

A `BalanceIndex` is built once per snapshot version in each process (see `balances.py`) and answers
every filter, sort and page of the balances page from memory.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from operator import itemgetter

from seatdash.clients.sequence_records import CustomerBalances, SeatBalance

BASE_SORTS = ("name", "id", "total", "changed")
SEAT_SORT_PREFIX = "seats."
_SELECTIONS_KEPT = 64


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


# A customer as the snapshot stores it: plain tuples unpickle ~15x faster than dataclasses, which
# decides how long a process takes to pick up a new snapshot of 100,000 customers.
# (id, sequence account id, legal name, aliases, total, changed at (epoch), ((type, total, epoch), ...))
Packed = tuple[str, str, str, tuple[str, ...], int, float, tuple[tuple[str, int, float], ...]]


def pack(customer: CustomerBalances) -> Packed:
    return (
        customer.id,
        customer.sequence_account_id,
        customer.legal_name,
        customer.aliases,
        customer.total,
        customer.changed_at.timestamp(),
        tuple((b.seat_type, b.total, b.changed_at.timestamp()) for b in customer.balances),
    )


def unpack(packed: Packed) -> CustomerBalances:
    customer_id, account, name, aliases, total, changed, balances = packed
    return CustomerBalances(
        id=customer_id,
        sequence_account_id=account,
        legal_name=name,
        aliases=aliases,
        total=total,
        changed_at=datetime.fromtimestamp(changed, UTC),
        balances=tuple(
            SeatBalance(seat_type, seats, datetime.fromtimestamp(at, UTC))
            for seat_type, seats, at in balances
        ),
    )


# Accents and other combining marks as NFKD separates them from their letters.
_COMBINING_MARKS = re.compile(
    r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
)


# Latin letters that NFKD leaves whole, spelled the way people type them without the accent.
_UNDECOMPOSED = str.maketrans(
    {"ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ħ": "h", "ı": "i", "þ": "th", "ð": "d"}
)


def fold(text: str) -> str:
    """Case- and accent-insensitive form for search: "Müller" and "muller" meet."""
    if text.isascii():  # most names: no accents to strip, and casefold is lower for ASCII
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return _COMBINING_MARKS.sub("", decomposed).translate(_UNDECOMPOSED)


class BalanceIndex:
    """A decoded snapshot with lookup tables and lazily built sort orders.

    Records are unpacked only for the rows shown (a page) or streamed (the CSV).
    """

    def __init__(self, packed: list[Packed]) -> None:
        self.packed = packed
        self.by_id: dict[str, int] = {}
        self.by_alias: dict[str, int] = {}
        self.search_text: list[str] = []
        self.sort_names: list[str] = []
        # Per customer: seat type -> (seats, changed at as epoch seconds).
        self.seats: list[dict[str, tuple[int, float]]] = []
        seat_types: set[str] = set()
        for i, (customer_id, _, name, aliases, _, _, balances) in enumerate(packed):
            self.by_id[customer_id] = i
            for alias in aliases:
                self.by_alias.setdefault(alias.casefold(), i)
            self.sort_names.append(name.casefold())
            self.search_text.append(fold("\n".join((name, *aliases, customer_id))))
            seats = {seat_type: (count, at) for seat_type, count, at in balances}
            self.seats.append(seats)
            seat_types.update(seats)
        self.seat_types = tuple(sorted(seat_types))
        # Per seat type, every customer's count (0 when it has none): column totals become
        # C-speed sums over the selected positions instead of a Python loop per customer.
        self.counts = {
            seat_type: [seats[seat_type][0] if seat_type in seats else 0 for seats in self.seats]
            for seat_type in self.seat_types
        }
        self.totals = [row[4] for row in packed]
        self._orders: dict[str, list[int]] = {}
        self._selections: OrderedDict[BalanceFilters, list[int]] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def from_customers(cls, customers: list[CustomerBalances]) -> BalanceIndex:
        return cls([pack(customer) for customer in customers])

    def __len__(self) -> int:
        return len(self.packed)

    def customer(self, position: int) -> CustomerBalances:
        return unpack(self.packed[position])

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
        names = self.sort_names
        if column == "name":
            keys = [(name, row[0]) for name, row in zip(names, self.packed, strict=True)]
        elif column == "id":
            keys = [(row[0],) for row in self.packed]
        elif column == "total":
            keys = list(zip(self.totals, names, strict=True))
        elif column == "changed":
            keys = [(row[5], name) for row, name in zip(self.packed, names, strict=True)]
        else:
            seat_type = column.removeprefix(SEAT_SORT_PREFIX)
            keys = [
                (seats[seat_type][0] if seat_type in seats else -1, name)
                for seats, name in zip(self.seats, names, strict=True)
            ]
        return [i for i, _ in sorted(enumerate(keys), key=itemgetter(1))]

    def select(self, filters: BalanceFilters) -> list[int]:
        """Positions of the customers the filters keep, in the filters' sort order.

        Remembered per filter set (page aside), so paging through a selection costs one pass.
        """
        key = replace(filters, page=1)
        with self._lock:
            if key in self._selections:
                self._selections.move_to_end(key)
                return self._selections[key]
        order = self.order(filters.sort)
        if filters.is_filtered:
            keep = self._matches(filters)
            selected = [i for i in order if keep[i]]
        else:
            selected = order
        with self._lock:
            self._selections[key] = selected
            while len(self._selections) > _SELECTIONS_KEPT:
                self._selections.popitem(last=False)
        return selected

    def column_totals(self, positions: list[int], columns: tuple[str, ...]) -> dict[str, int]:
        if len(positions) == len(self.packed):
            return {seat_type: sum(self.counts[seat_type]) for seat_type in columns}
        return {
            seat_type: sum(map(self.counts[seat_type].__getitem__, positions))
            for seat_type in columns
        }

    def seats_total(self, positions: list[int]) -> int:
        if len(positions) == len(self.packed):
            return sum(self.totals)
        return sum(map(self.totals.__getitem__, positions))

    def _matches(self, filters: BalanceFilters) -> bytearray:
        size = len(self.packed)
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
            needle = fold(filters.q)
            for i, text in enumerate(self.search_text):
                if keep[i] and needle not in text:
                    keep[i] = 0
        if filters.nonzero:
            for i, total in enumerate(self.totals):
                if keep[i] and total <= 0:
                    keep[i] = 0
        if filters.seat_types:
            wanted = filters.seat_types
            for i, seats in enumerate(self.seats):
                if keep[i] and not any(
                    seat_type in seats and seats[seat_type][0] > 0 for seat_type in wanted
                ):
                    keep[i] = 0
        if filters.changed_from or filters.changed_to:
            low = filters.changed_from.timestamp() if filters.changed_from else float("-inf")
            high = filters.changed_to.timestamp() if filters.changed_to else float("inf")
            wanted = filters.seat_types
            for i, seats in enumerate(self.seats):
                if keep[i] and not any(
                    low <= changed <= high
                    for seat_type, (_, changed) in seats.items()
                    if not wanted or seat_type in wanted
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
        return None if i is None else self.customer(i)
