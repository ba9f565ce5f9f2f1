"""Seat rows and totals, commits, credits and ledgers with running balances, from seat records."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from seatdash.clients.metronome_records import CommitOrCredit, LedgerEntry, SeatBalanceRecord
from seatdash.services.metronome_seat_filters import SeatFilters


def credit_type_label(credit_type_id: str | None, names: dict[str, str]) -> str:
    if credit_type_id is None:
        return "Credit type not given"
    return names.get(credit_type_id) or (
        credit_type_id if len(credit_type_id) <= 12 else f"{credit_type_id[:8]}…"
    )


@dataclass(frozen=True, slots=True)
class CreditTypeColumn:
    id: str | None
    label: str


@dataclass(frozen=True, slots=True)
class Cell:
    """A seat's (or the selection's) balance in one credit type; starting balance may be unknown."""

    balance: Decimal
    starting_balance: Decimal | None


@dataclass(frozen=True, slots=True)
class SeatRow:
    seat_id: str
    cells: tuple[Cell | None, ...]  # one per column; None when the seat has none of that type
    grant_count: int


@dataclass(frozen=True, slots=True)
class SeatListing:
    rows: tuple[SeatRow, ...]
    columns: tuple[CreditTypeColumn, ...]
    totals: tuple[Cell, ...]
    unmatched_seat_ids: tuple[str, ...] = ()

    @property
    def column_span(self) -> int:
        """Table columns: the seat, two per credit type, the expand link."""
        return 2 + 2 * len(self.columns)


def _cells_by_type(record: SeatBalanceRecord) -> dict[str | None, Cell]:
    # Spend and quantity access of one credit type are one amount to a CS person.
    cells: dict[str | None, Cell] = {}
    for b in record.balances:
        old = cells.get(b.credit_type_id)
        if old is None:
            cells[b.credit_type_id] = Cell(b.balance, b.starting_balance)
        else:
            starting = (
                None
                if old.starting_balance is None or b.starting_balance is None
                else old.starting_balance + b.starting_balance
            )
            cells[b.credit_type_id] = Cell(old.balance + b.balance, starting)
    return cells


def listing_from(
    records: Iterable[SeatBalanceRecord], *, filters: SeatFilters, names: dict[str, str]
) -> SeatListing:
    records = list(records)
    per_seat = [_cells_by_type(r) for r in records]
    type_ids: list[str | None] = sorted(
        {t for cells in per_seat for t in cells},
        key=lambda t: ("" if t is None else credit_type_label(t, names).casefold(), t or ""),
    )
    columns = tuple(CreditTypeColumn(t, credit_type_label(t, names)) for t in type_ids)
    rows = tuple(
        SeatRow(
            seat_id=record.seat_id,
            cells=tuple(cells.get(t) for t in type_ids),
            grant_count=len(record.commits) + len(record.credits),
        )
        for record, cells in zip(records, per_seat, strict=True)
    )
    totals = []
    for i in range(len(type_ids)):
        present = [row.cells[i] for row in rows if row.cells[i] is not None]
        starts = [c.starting_balance for c in present]
        totals.append(
            Cell(
                sum((c.balance for c in present), Decimal(0)),
                None if any(s is None for s in starts) else sum(starts, Decimal(0)),
            )
        )
    found = {r.seat_id for r in records}
    return SeatListing(
        rows=rows,
        columns=columns,
        totals=tuple(totals),
        unmatched_seat_ids=tuple(s for s in filters.seat_ids if s not in found),
    )


@dataclass(frozen=True, slots=True)
class GrantRow:
    """A commit or credit as it applies to one seat."""

    id: str
    kind: str  # "commit" | "credit"
    credit_type: str
    balance: Decimal
    start_date: datetime
    end_date: datetime | None
    entry_count: int


@dataclass(frozen=True, slots=True)
class SeatDetail:
    seat_id: str
    grants: tuple[GrantRow, ...]


@dataclass(frozen=True, slots=True)
class LedgerLine:
    type: str
    amount: Decimal
    timestamp: datetime
    balance_after: Decimal


@dataclass(frozen=True, slots=True)
class GrantLedger:
    seat_id: str
    grant: GrantRow
    lines: tuple[LedgerLine, ...]


def running_balance(entries: Iterable[LedgerEntry]) -> tuple[LedgerLine, ...]:
    """The entries oldest first (ties keep Metronome's order), each with the balance after it."""
    balance = Decimal(0)
    lines = []
    for entry in sorted(entries, key=lambda e: e.timestamp):
        balance += entry.amount
        lines.append(LedgerLine(entry.type, entry.amount, entry.timestamp, balance))
    return tuple(lines)


def _grants(record: SeatBalanceRecord) -> Iterator[tuple[str, CommitOrCredit]]:
    for kind, items in (("commit", record.commits), ("credit", record.credits)):
        for item in items:
            yield kind, item


def _grant_row(kind: str, item: CommitOrCredit, names: dict[str, str]) -> GrantRow:
    return GrantRow(
        id=item.id,
        kind=kind,
        credit_type=credit_type_label(item.credit_type_id, names),
        balance=item.balance,
        start_date=item.start_date,
        end_date=item.end_date,
        entry_count=len(item.ledger_entries),
    )


def _record(records: Iterable[SeatBalanceRecord], seat_id: str) -> SeatBalanceRecord | None:
    return next((r for r in records if r.seat_id == seat_id), None)
