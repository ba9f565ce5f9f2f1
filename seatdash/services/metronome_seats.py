"""A contract's seats from Metronome: every seat, found by ID, never by an unfiltered listing alone.

Metronome's unfiltered seatBalances/list can stop early on a large contract while `next_page`
turns null (a field report; research notes §2.2). So the listing learns the contract's seat IDs
from getSubscriptionSeatsHistory (`assigned_seat_ids` of the period covering the date), asks for
them 100 at a time with `skip_missing_seat_ids`, merges, and compares the count with the
subscriptions' quantity. A seat's commits, credits and ledgers are asked for that seat alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from django.conf import settings

from seatdash.clients.errors import UpstreamRejected
from seatdash.clients.metronome import MAX_SEAT_LIMIT, PROVIDER, Contract, SeatBalanceRecord
from seatdash.services.cache import Served, cache_key, cached_fetch
from seatdash.services.metronome_seat_filters import SeatFilters, seat_query
from seatdash.services.metronome_seat_rows import SeatCount, SeatListing, build_seat_listing
from seatdash.services.metronome_units import RECORDS_SHAPE, credit_type_units
from seatdash.services.providers import metronome_client

logger = logging.getLogger(__name__)

SEAT_ID_BATCH = MAX_SEAT_LIMIT  # seatBalances/list takes up to 100 seats a page


@dataclass(frozen=True, slots=True)
class SeatRecords:
    """The seats Metronome returned, and what it said the contract should have."""

    records: tuple[SeatBalanceRecord, ...]
    expected: int | None  # the subscriptions' quantity for the date; None when not known
    assigned_ids: tuple[str, ...]  # the seat IDs the seat history names
    discovered: bool  # False: the seat history was refused and an unfiltered listing is all


def _subscriptions(contract: Contract, filters: SeatFilters):
    subs = contract.seat_based_subscriptions
    if filters.subscription_id:
        subs = tuple(s for s in subs if s.id == filters.subscription_id)
    return subs


def _fetch_seats(contract_customer: str, contract: Contract, filters: SeatFilters) -> SeatRecords:
    client = metronome_client()
    base = dict(customer_id=contract_customer, contract_id=contract.id)
    if filters.seat_ids:
        ids, expected, discovered = list(dict.fromkeys(filters.seat_ids)), None, True
    else:
        when = filters.covering_date or datetime.now(UTC)
        ids, expected, discovered = [], 0, True
        try:
            for sub in _subscriptions(contract, filters):
                periods = client.get_seats_history(
                    **base, subscription_id=sub.id, covering_date=when
                )
                covering = [
                    p
                    for p in periods
                    if p.starting_at <= when and (p.ending_before is None or when < p.ending_before)
                ] or periods[-1:]
                for period in covering:
                    ids.extend(period.assigned_seat_ids)
                    expected += period.total_quantity
                if not covering:
                    expected += sub.quantity_at(when) or 0
        except UpstreamRejected as error:
            # Not offered for this account: an unfiltered listing, flagged as unconfirmed.
            logger.warning("Metronome seat history refused, listing seats unfiltered: %s", error)
            discovered = False
            expected = sum(s.quantity_at(when) or 0 for s in _subscriptions(contract, filters))
        ids = list(dict.fromkeys(ids))
    if not discovered:
        query = seat_query(**base, filters=filters, include_commits_and_credits=False)
        records = client.list_seat_balances(query)
    else:
        records = []
        for start in range(0, len(ids), SEAT_ID_BATCH):
            batch = replace(filters, seat_ids=tuple(ids[start : start + SEAT_ID_BATCH]))
            records.extend(
                client.list_seat_balances(
                    seat_query(**base, filters=batch, include_commits_and_credits=False)
                )
            )
    merged = {r.seat_id: r for r in records}  # a seat on two subscriptions is one seat
    return SeatRecords(tuple(merged.values()), expected or None, tuple(ids), discovered)


def seat_records(
    *, customer_id: str, contract: Contract, filters: SeatFilters, refresh: bool = False
) -> Served[SeatRecords]:
    # Raises SeatFilterError before any call when the filters break one of Metronome's rules.
    seat_query(customer_id=customer_id, contract_id=contract.id, filters=filters)
    return cached_fetch(
        cache_key(
            "metronome", RECORDS_SHAPE, "seat-records", customer_id, contract.id, repr(filters)
        ),
        lambda: _fetch_seats(customer_id, contract, filters),
        fresh_seconds=settings.BALANCES_FRESH_SECONDS,
        provider=PROVIDER,
        refresh=refresh,
    )


def seat_listing(
    *, customer_id: str, contract: Contract, filters: SeatFilters, refresh: bool = False
) -> Served[SeatListing]:
    """One row per seat with its balance per credit type, totals, and how complete it is."""
    fetched = seat_records(
        customer_id=customer_id, contract=contract, filters=filters, refresh=refresh
    )
    found = fetched.value
    listing = build_seat_listing(found.records, filters=filters, units=credit_type_units())
    shown = {r.seat_id for r in found.records}
    count = SeatCount(
        shown=len(found.records),
        expected=found.expected,
        assigned=len(found.assigned_ids),
        without_balance=tuple(s for s in found.assigned_ids if s not in shown),
        confirmed=found.discovered,
    )
    return replace(fetched, value=replace(listing, count=count))


def seat_commits_and_credits(
    *, customer_id: str, contract_id: str, filters: SeatFilters, seat_id: str, refresh: bool = False
) -> Served[SeatBalanceRecord | None]:
    """One seat with its commits, credits and ledgers (one call, cached); None: not on it."""
    one = replace(filters, seat_ids=(seat_id,))
    query = seat_query(customer_id=customer_id, contract_id=contract_id, filters=one)

    def fetch() -> SeatBalanceRecord | None:
        records = metronome_client().list_seat_balances(query)
        return next((r for r in records if r.seat_id == seat_id), None)

    return cached_fetch(
        cache_key(
            "metronome",
            RECORDS_SHAPE,
            "seat-commits-and-credits",
            customer_id,
            contract_id,
            repr(one),
        ),
        fetch,
        fresh_seconds=settings.BALANCES_FRESH_SECONDS,
        provider=PROVIDER,
        refresh=refresh,
    )
