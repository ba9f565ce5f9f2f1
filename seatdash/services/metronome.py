"""Metronome customers, contracts and per-seat commits, credits and ledgers, cached for the pages."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace

from django.conf import settings

from seatdash.clients.errors import UpstreamError, UpstreamNotFound
from seatdash.clients.metronome_records import (
    PROVIDER,
    Contract,
    MetronomeCustomer,
    SeatBalanceRecord,
)
from seatdash.services.balances import customer_get
from seatdash.services.cache import Fetched, cache_key, cached_fetch
from seatdash.services.metronome_seat_filters import SeatFilters, seat_query
from seatdash.services.metronome_seat_rows import (
    GrantLedger,
    SeatDetail,
    SeatListing,
    _grant_row,
    _grants,
    _record,
    listing_from,
    running_balance,
)
from seatdash.services.providers import metronome_client

logger = logging.getLogger(__name__)

# Credit types are configuration, not activity: an hour-old list of names is as good as a new one.
CREDIT_TYPES_FRESH_SECONDS = 60 * 60


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
