"""The seat pages' filters and the Metronome query they make; a broken rule names its form field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from seatdash.clients.metronome_query import MAX_SEAT_LIMIT, MetronomeQueryError, SeatBalanceQuery

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
