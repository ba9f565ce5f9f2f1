"""Metronome customers, contracts and per-seat commits, credits and ledgers, cached for the pages."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from django.conf import settings

from seatdash.clients.errors import UpstreamError, UpstreamNotFound
from seatdash.clients.metronome_query import MAX_SEAT_LIMIT, MetronomeQueryError, SeatBalanceQuery
from seatdash.clients.metronome_records import (
    PROVIDER,
    CommitOrCredit,
    Contract,
    LedgerEntry,
    MetronomeCustomer,
    SeatBalanceRecord,
)
from seatdash.services.balances import customer_get
from seatdash.services.cache import Fetched, cache_key, cached_fetch
from seatdash.services.providers import metronome_client

logger = logging.getLogger(__name__)

# Credit types are configuration, not activity: an hour-old list of names is as good as a new one.
CREDIT_TYPES_FRESH_SECONDS = 60 * 60
# Which filter form field each of the client's query fields belongs to.
QUERY_FIELD_TO_FORM_FIELD = {
    "subscription_ids": "subscription",
    "seat_ids": "seats",
    "covering_date": "covering_date",
    "starting_at": "starting_at",
    "effective_before": "effective_before",
}


class SeatFilterError(ValueError):
    """A filter Metronome would reject; `field` is the form field it belongs next to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def metronome_enabled() -> bool:
    return bool(settings.METRONOME_ENABLED)


def _fresh_seconds() -> int:
    return settings.BALANCES_FRESH_SECONDS


# --- Customers and contracts ---------------------------------------------------------------------


def _all_customers(*, refresh: bool) -> Fetched[list[MetronomeCustomer]]:
    return cached_fetch(
        cache_key("metronome", "customers", "all"),
        lambda: metronome_client().list_customers(),
        fresh_seconds=_fresh_seconds(),
        provider=PROVIDER,
        refresh=refresh,
    )


def metronome_customer_list(
    *, ingest_alias: str | None = None, q: str = "", refresh: bool = False
) -> Fetched[list[MetronomeCustomer]]:
    """Customers with exactly that ingest alias (asked of Metronome), or all of them; then those
    whose name, ID, external ID or an alias contains `q`."""
    if ingest_alias:
        fetched = cached_fetch(
            cache_key("metronome", "customers", "alias", ingest_alias),
            lambda: metronome_client().list_customers(ingest_alias=ingest_alias),
            fresh_seconds=_fresh_seconds(),
            provider=PROVIDER,
            refresh=refresh,
        )
    else:
        fetched = _all_customers(refresh=refresh)
    needle = q.strip().casefold()
    if not needle:
        return fetched
    kept = [
        c
        for c in fetched.value
        if any(
            needle in text.casefold()
            for text in (c.name, c.id, c.external_id or "", *c.ingest_aliases)
        )
    ]
    return replace(fetched, value=kept)


def metronome_customer_get(
    *, customer_id: str, refresh: bool = False
) -> Fetched[MetronomeCustomer]:
    """One customer; raises UpstreamNotFound for an unknown ID (never cached)."""
    return cached_fetch(
        cache_key("metronome", "customer", customer_id),
        lambda: metronome_client().get_customer(customer_id),
        fresh_seconds=_fresh_seconds(),
        provider=PROVIDER,
        refresh=refresh,
    )


def contract_list(*, customer_id: str, refresh: bool = False) -> Fetched[list[Contract]]:
    return cached_fetch(
        cache_key("metronome", "contracts", customer_id),
        lambda: metronome_client().list_contracts(customer_id),
        fresh_seconds=_fresh_seconds(),
        provider=PROVIDER,
        refresh=refresh,
    )


def contract_get(*, customer_id: str, contract_id: str, refresh: bool = False) -> Fetched[Contract]:
    """The customer's contract; UpstreamNotFound when the customer has no such contract."""
    fetched = contract_list(customer_id=customer_id, refresh=refresh)
    for contract in fetched.value:
        if contract.id == contract_id:
            return replace(fetched, value=contract)
    raise UpstreamNotFound(
        f"Contract {contract_id} not found for customer {customer_id}.", provider=PROVIDER
    )


def credit_type_names() -> dict[str, str]:
    """Credit type ID -> name. Names only make the page friendlier, so a failure gives {}."""
    try:
        fetched = cached_fetch(
            cache_key("metronome", "credit-types"),
            lambda: {t.id: t.name for t in metronome_client().list_credit_types()},
            fresh_seconds=CREDIT_TYPES_FRESH_SECONDS,
            provider=PROVIDER,
        )
    except UpstreamError as error:
        logger.warning("Metronome credit type names unavailable: %s", error)
        return {}
    return fetched.value


def credit_type_label(credit_type_id: str | None, names: dict[str, str]) -> str:
    if credit_type_id is None:
        return "Credit type not given"
    return names.get(credit_type_id) or (
        credit_type_id if len(credit_type_id) <= 12 else f"{credit_type_id[:8]}…"
    )


# --- Matching a Sequence customer ----------------------------------------------------------------


def metronome_matches_for(
    *, aliases: Iterable[str], customer_id: str, refresh: bool = False
) -> Fetched[list[MetronomeCustomer]]:
    """Metronome customers whose ingest alias or external ID equals one of the Sequence
    customer's aliases or its ID (ignoring case, as the dashboard does for aliases)."""
    wanted = {a.casefold() for a in (*aliases, customer_id) if a}
    fetched = _all_customers(refresh=refresh)
    matches = [
        c
        for c in fetched.value
        if (c.external_id or "").casefold() in wanted
        or any(alias.casefold() in wanted for alias in c.ingest_aliases)
    ]
    return replace(fetched, value=matches)


def metronome_match_list(
    *, sequence_customer_id: str, refresh: bool = False
) -> Fetched[list[MetronomeCustomer]] | None:
    """Matches for a Sequence customer by its ID; None when Sequence does not know the ID."""
    sequence_customer = customer_get(customer_id=sequence_customer_id).value
    if sequence_customer is None:
        return None
    return metronome_matches_for(
        aliases=sequence_customer.aliases, customer_id=sequence_customer.id, refresh=refresh
    )


# --- Seat balances -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeatFilters:
    """What the seat balances page selects; empty fields select everything."""

    subscription_id: str | None = None
    seat_ids: tuple[str, ...] = ()
    covering_date: datetime | None = None
    starting_at: datetime | None = None
    effective_before: datetime | None = None

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.subscription_id
            or self.seat_ids
            or self.covering_date
            or self.starting_at
            or self.effective_before
        )


def seat_query(*, customer_id: str, contract_id: str, filters: SeatFilters) -> SeatBalanceQuery:
    """The one query every seat view reads from; raises SeatFilterError for a rule it breaks."""
    try:
        return SeatBalanceQuery(
            customer_id=customer_id,
            contract_id=contract_id,
            subscription_ids=(filters.subscription_id,) if filters.subscription_id else (),
            seat_ids=filters.seat_ids,
            # A pasted ID that is not on the contract is reported on the page, not refused.
            skip_missing_seat_ids=True,
            # One answer serves the table, the expanded seat and its ledgers.
            include_credits_and_commits=True,
            include_ledgers=True,
            covering_date=filters.covering_date,
            starting_at=filters.starting_at,
            effective_before=filters.effective_before,
            limit=MAX_SEAT_LIMIT,
        )
    except MetronomeQueryError as error:
        field = QUERY_FIELD_TO_FORM_FIELD.get(error.field)
        if field is None:
            raise  # not something a person typed: a bug here, not a filter to explain
        raise SeatFilterError(field, error.message[:1].upper() + error.message[1:]) from None


def seat_filter_errors(*, filters: SeatFilters) -> dict[str, str]:
    """The Metronome rules the filters break, by form field, found without calling Metronome."""
    try:
        seat_query(customer_id="-", contract_id="-", filters=filters)
    except SeatFilterError as error:
        return {error.field: error.message}
    return {}


def _seat_records(
    *, customer_id: str, contract_id: str, filters: SeatFilters, refresh: bool
) -> Fetched[list[SeatBalanceRecord]]:
    query = seat_query(customer_id=customer_id, contract_id=contract_id, filters=filters)
    return cached_fetch(
        cache_key("metronome", "seats", customer_id, contract_id, repr(filters)),
        lambda: metronome_client().list_seat_balances(query),
        fresh_seconds=_fresh_seconds(),
        provider=PROVIDER,
        refresh=refresh,
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


def seat_balance_list(
    *, customer_id: str, contract_id: str, filters: SeatFilters, refresh: bool = False
) -> Fetched[SeatListing]:
    """One row per seat with its balance per credit type, and totals for the selected seats.

    Raises SeatFilterError before any call when the filters break one of Metronome's rules.
    """
    fetched = _seat_records(
        customer_id=customer_id, contract_id=contract_id, filters=filters, refresh=refresh
    )
    listing = listing_from(fetched.value, filters=filters, names=credit_type_names())
    return replace(fetched, value=listing)


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


def seat_get(
    *, customer_id: str, contract_id: str, filters: SeatFilters, seat_id: str, refresh: bool = False
) -> Fetched[SeatDetail | None]:
    """A seat's commits and credits (by start date) from the listing's cached answer; None when
    the seat is not in it."""
    fetched = _seat_records(
        customer_id=customer_id, contract_id=contract_id, filters=filters, refresh=refresh
    )
    record = _record(fetched.value, seat_id)
    if record is None:
        return replace(fetched, value=None)
    names = credit_type_names()
    grants = sorted(
        (_grant_row(kind, item, names) for kind, item in _grants(record)),
        key=lambda g: (g.start_date, g.kind, g.id),
    )
    return replace(fetched, value=SeatDetail(seat_id=seat_id, grants=tuple(grants)))


def seat_ledger_list(
    *, customer_id: str, contract_id: str, filters: SeatFilters, seat_id: str
) -> Fetched[tuple[GrantLedger, ...] | None]:
    """Every commit's and credit's ledger for one seat, with running balances; None: no seat."""
    fetched = _seat_records(
        customer_id=customer_id, contract_id=contract_id, filters=filters, refresh=False
    )
    record = _record(fetched.value, seat_id)
    if record is None:
        return replace(fetched, value=None)
    names = credit_type_names()
    ledgers = tuple(
        GrantLedger(seat_id, _grant_row(kind, item, names), running_balance(item.ledger_entries))
        for kind, item in sorted(_grants(record), key=lambda g: (g[1].start_date, g[0], g[1].id))
    )
    return replace(fetched, value=ledgers)


def ledger_get(
    *,
    customer_id: str,
    contract_id: str,
    filters: SeatFilters,
    seat_id: str,
    grant_id: str,
    refresh: bool = False,
) -> Fetched[GrantLedger | None]:
    """One commit's or credit's ledger on one seat, with running balances; None when absent."""
    fetched = _seat_records(
        customer_id=customer_id, contract_id=contract_id, filters=filters, refresh=refresh
    )
    record = _record(fetched.value, seat_id)
    found = None
    if record is not None:
        for kind, item in _grants(record):
            if item.id == grant_id:
                grant = _grant_row(kind, item, credit_type_names())
                found = GrantLedger(seat_id, grant, running_balance(item.ledger_entries))
                break
    return replace(fetched, value=found)
