"""Metronome customers, contracts and per-seat commits, credits and ledgers, cached for the pages."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import replace

from django.conf import settings

from seatdash.clients.errors import UpstreamNotFound
from seatdash.clients.metronome import (
    PROVIDER,
    CommitOrCredit,
    Contract,
    MetronomeCustomer,
    SeatBalanceRecord,
)
from seatdash.services.balances import customer_get
from seatdash.services.cache import Served, cache_key, cached_fetch
from seatdash.services.metronome_seat_filters import SeatFilters
from seatdash.services.metronome_seat_rows import (
    CommitOrCreditLedger,
    CommitOrCreditRow,
    SeatDetail,
    SeatListing,
    commit_or_credit_row,
    commits_and_credits_of,
    running_balance,
)
from seatdash.services.metronome_seats import seat_commits_and_credits, seat_listing
from seatdash.services.metronome_units import RECORDS_SHAPE, credit_type_units
from seatdash.services.providers import metronome_client

logger = logging.getLogger(__name__)


def metronome_enabled() -> bool:
    return bool(settings.METRONOME_ENABLED)


def _fresh_seconds() -> int:
    return settings.BALANCES_FRESH_SECONDS


# --- Customers and contracts ---------------------------------------------------------------------


def _all_customers(*, refresh: bool) -> Served[list[MetronomeCustomer]]:
    return cached_fetch(
        cache_key("metronome", RECORDS_SHAPE, "customers", "all"),
        lambda: metronome_client().list_customers(),
        fresh_seconds=_fresh_seconds(),
        provider=PROVIDER,
        refresh=refresh,
    )


def _find_exact(value: str) -> list[MetronomeCustomer]:
    """The customer with this Metronome ID, else those with this ingest alias: one or two calls."""
    client = metronome_client()
    try:
        uuid.UUID(value)
    except ValueError:
        pass
    else:
        found = client.list_customers(customer_ids=[value])
        if found:
            return found
    return client.list_customers(ingest_alias=value)


def metronome_customer_list(
    *, ingest_alias: str | None = None, q: str = "", refresh: bool = False
) -> Served[list[MetronomeCustomer]]:
    """Customers with exactly that Metronome ID or ingest alias (asked of Metronome, without the
    whole list), or all of them from the cached list; then those whose name, ID, external ID or
    an alias contains `q`. The fetched-at of either is on the result."""
    exact = (ingest_alias or "").strip()
    if exact:
        fetched = cached_fetch(
            cache_key("metronome", RECORDS_SHAPE, "customers", "exact", exact),
            lambda: _find_exact(exact),
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


def metronome_customer_get(*, customer_id: str, refresh: bool = False) -> Served[MetronomeCustomer]:
    """One customer; raises UpstreamNotFound for an unknown ID (never cached)."""
    return cached_fetch(
        cache_key("metronome", RECORDS_SHAPE, "customer", customer_id),
        lambda: metronome_client().get_customer(customer_id),
        fresh_seconds=_fresh_seconds(),
        provider=PROVIDER,
        refresh=refresh,
    )


def contract_list(*, customer_id: str, refresh: bool = False) -> Served[list[Contract]]:
    return cached_fetch(
        cache_key("metronome", RECORDS_SHAPE, "contracts", customer_id),
        lambda: metronome_client().list_contracts(customer_id),
        fresh_seconds=_fresh_seconds(),
        provider=PROVIDER,
        refresh=refresh,
    )


def contract_get(*, customer_id: str, contract_id: str, refresh: bool = False) -> Served[Contract]:
    """The customer's contract; UpstreamNotFound when the customer has no such contract."""
    fetched = contract_list(customer_id=customer_id, refresh=refresh)
    for contract in fetched.value:
        if contract.id == contract_id:
            return replace(fetched, value=contract)
    raise UpstreamNotFound(
        f"Contract {contract_id} not found for customer {customer_id}.", provider=PROVIDER
    )


# --- Matching a Sequence customer ----------------------------------------------------------------


def metronome_matches_for(
    *, aliases: Iterable[str], customer_id: str, refresh: bool = False
) -> Served[list[MetronomeCustomer]]:
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
) -> Served[list[MetronomeCustomer]] | None:
    """Matches for a Sequence customer by its ID; None when Sequence does not know the ID."""
    sequence_customer = customer_get(customer_id=sequence_customer_id).value
    if sequence_customer is None:
        return None
    return metronome_matches_for(
        aliases=sequence_customer.aliases, customer_id=sequence_customer.id, refresh=refresh
    )


# --- Seat balances (the fetching is in metronome_seats) ------------------------------------------


def seat_balance_list(
    *, customer_id: str, contract_id: str, filters: SeatFilters, refresh: bool = False
) -> Served[SeatListing]:
    """One row per seat with its balance per credit type, totals, and how complete it is.

    Raises SeatFilterError before any call when the filters break one of Metronome's rules.
    """
    contract = contract_get(customer_id=customer_id, contract_id=contract_id).value
    return seat_listing(
        customer_id=customer_id, contract=contract, filters=filters, refresh=refresh
    )


def _commit_or_credit_rows(
    record: SeatBalanceRecord,
) -> list[tuple[CommitOrCreditRow, CommitOrCredit]]:
    units = credit_type_units()
    rows = [
        (commit_or_credit_row(kind, item, units), item)
        for kind, item in commits_and_credits_of(record)
    ]
    return sorted(rows, key=lambda pair: (pair[0].start_date, pair[0].kind, pair[0].id))


def _seat_rows(
    customer_id: str, contract_id: str, filters: SeatFilters, seat_id: str, *, refresh: bool
) -> Served[list[tuple[CommitOrCreditRow, CommitOrCredit]] | None]:
    """One seat's commits and credits by start date, each beside its record; None: no such seat."""
    fetched = seat_commits_and_credits(
        customer_id=customer_id,
        contract_id=contract_id,
        filters=filters,
        seat_id=seat_id,
        refresh=refresh,
    )
    rows = None if fetched.value is None else _commit_or_credit_rows(fetched.value)
    return replace(fetched, value=rows)


def seat_get(
    *, customer_id: str, contract_id: str, filters: SeatFilters, seat_id: str, refresh: bool = False
) -> Served[SeatDetail | None]:
    """A seat's commits and credits, by start date; None when the seat is not on the contract."""
    seat = _seat_rows(customer_id, contract_id, filters, seat_id, refresh=refresh)
    if seat.value is None:
        return replace(seat, value=None)
    rows = tuple(row for row, _ in seat.value)
    return replace(seat, value=SeatDetail(seat_id=seat_id, commits_and_credits=rows))


def seat_ledger_list(
    *, customer_id: str, contract_id: str, filters: SeatFilters, seat_id: str
) -> Served[tuple[CommitOrCreditLedger, ...] | None]:
    """Every commit's and credit's ledger for one seat, with running balances; None: no seat."""
    seat = _seat_rows(customer_id, contract_id, filters, seat_id, refresh=False)
    if seat.value is None:
        return replace(seat, value=None)
    ledgers = tuple(
        CommitOrCreditLedger(seat_id, row, running_balance(item.ledger_entries))
        for row, item in seat.value
    )
    return replace(seat, value=ledgers)


def ledger_get(
    *,
    customer_id: str,
    contract_id: str,
    filters: SeatFilters,
    seat_id: str,
    commit_or_credit_id: str,
    refresh: bool = False,
) -> Served[CommitOrCreditLedger | None]:
    """One commit's or credit's ledger on one seat, with running balances; None when absent."""
    seat = _seat_rows(customer_id, contract_id, filters, seat_id, refresh=refresh)
    found = next(
        (
            CommitOrCreditLedger(seat_id, row, running_balance(item.ledger_entries))
            for row, item in seat.value or ()
            if item.id == commit_or_credit_id
        ),
        None,
    )
    return replace(seat, value=found)
