"""Seat rows and totals, commits, credits and ledgers with running balances, from seat records."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from seatdash.clients.metronome import CommitOrCredit, LedgerEntry, SeatBalanceRecord
from seatdash.services.metronome_seat_filters import SeatFilters
from seatdash.services.metronome_units import CreditUnit, ledger_entry_words, unit_of


@dataclass(frozen=True, slots=True)
class CreditTypeColumn:
    id: str | None
    label: str
    unit: CreditUnit


@dataclass(frozen=True, slots=True)
class SeatCount:
    """How complete a listing is: seats shown against what the subscriptions say."""

    shown: int
    expected: int | None  # the subscriptions' quantity; None when not known
    assigned: int  # seat IDs the seat history names
    without_balance: tuple[str, ...] = ()  # named by the history, absent from the balances
    confirmed: bool = True  # False: found by an unfiltered listing only

    @property
    def unassigned(self) -> int:
        return max(0, (self.expected or 0) - self.assigned)

    @property
    def is_short(self) -> bool:
        return not self.confirmed or (self.expected is not None and self.shown < self.expected)


@dataclass(frozen=True, slots=True)
class Cell:
    """A seat's (or the selection's) balance in one credit type; starting balance may be unknown."""

    balance: Decimal
    starting_balance: Decimal | None


@dataclass(frozen=True, slots=True)
class SeatRow:
    seat_id: str
    cells: tuple[Cell | None, ...]  # one per column; None when the seat has none of that type
    units: tuple[CreditUnit, ...] = ()  # the columns' units, in the same order

    @property
    def cells_with_units(self) -> list[tuple[Cell | None, CreditUnit]]:
        return list(zip(self.cells, self.units, strict=True))


@dataclass(frozen=True, slots=True)
class SeatListing:
    rows: tuple[SeatRow, ...]
    columns: tuple[CreditTypeColumn, ...]
    totals: tuple[Cell, ...]
    unmatched_seat_ids: tuple[str, ...] = ()
    count: SeatCount | None = None

    @property
    def total_cells(self) -> list[tuple[Cell, CreditTypeColumn]]:
        return list(zip(self.totals, self.columns, strict=True))

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


def build_seat_listing(
    records: Iterable[SeatBalanceRecord], *, filters: SeatFilters, units: dict[str, CreditUnit]
) -> SeatListing:
    records = list(records)
    per_seat = [_cells_by_type(r) for r in records]
    type_ids: list[str | None] = sorted(
        {t for cells in per_seat for t in cells},
        key=lambda t: ("" if t is None else unit_of(t, units).label.casefold(), t or ""),
    )
    columns = tuple(
        CreditTypeColumn(t, unit_of(t, units).label, unit_of(t, units)) for t in type_ids
    )
    rows = tuple(
        SeatRow(
            seat_id=record.seat_id,
            cells=tuple(cells.get(t) for t in type_ids),
            units=tuple(c.unit for c in columns),
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
class CommitOrCreditRow:
    """A commit or credit as it applies to one seat."""

    id: str
    kind: str  # "commit" | "credit"
    credit_type: str
    unit: CreditUnit
    balance: Decimal
    start_date: datetime
    end_date: datetime | None
    entry_count: int


@dataclass(frozen=True, slots=True)
class SeatDetail:
    seat_id: str
    commits_and_credits: tuple[CommitOrCreditRow, ...]


@dataclass(frozen=True, slots=True)
class LedgerLine:
    type: str  # Metronome's code, e.g. PREPAID_COMMIT_AUTOMATED_INVOICE_DEDUCTION
    amount: Decimal
    timestamp: datetime
    balance_after: Decimal

    @property
    def type_words(self) -> str:
        return ledger_entry_words(self.type)


@dataclass(frozen=True, slots=True)
class CommitOrCreditLedger:
    seat_id: str
    commit_or_credit: CommitOrCreditRow
    lines: tuple[LedgerLine, ...]


def running_balance(entries: Iterable[LedgerEntry]) -> tuple[LedgerLine, ...]:
    """The entries oldest first (ties keep Metronome's order), each with the balance after it."""
    balance = Decimal(0)
    lines = []
    for entry in sorted(entries, key=lambda e: e.timestamp):
        balance += entry.amount
        lines.append(LedgerLine(entry.type, entry.amount, entry.timestamp, balance))
    return tuple(lines)


def commits_and_credits_of(record: SeatBalanceRecord) -> Iterator[tuple[str, CommitOrCredit]]:
    for kind, items in (("commit", record.commits), ("credit", record.credits)):
        for item in items:
            yield kind, item


def commit_or_credit_row(
    kind: str, item: CommitOrCredit, units: dict[str, CreditUnit]
) -> CommitOrCreditRow:
    unit = unit_of(item.credit_type_id, units)
    return CommitOrCreditRow(
        id=item.id,
        kind=kind,
        credit_type=unit.label,
        unit=unit,
        balance=item.balance,
        start_date=item.start_date,
        end_date=item.end_date,
        entry_count=len(item.ledger_entries),
    )
