"""The seat pages' filters and the Metronome query they make; a broken rule names its form field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from seatdash.clients.metronome import MAX_SEAT_LIMIT, MetronomeQueryError, SeatBalanceQuery

# Which filter form field each of the client's query fields belongs to.
QUERY_FIELD_TO_FORM_FIELD = {
    "subscription_ids": "subscription",
    "seat_ids": "seats",
    "covering_date": "covering_date",
    "starting_at": "starting_at",
    "effective_before": "effective_before",
}


# The form's labels, for messages that name a query field.
FORM_FIELD_LABELS = {
    "covering_date": "Covering date",
    "starting_at": "Starting at",
    "effective_before": "Effective before",
    "subscription_ids": "Subscription",
    "seat_ids": "Seat IDs",
}


def in_field_words(message: str) -> str:
    """ "cannot be combined with a start date (starting_at)." -> "... with Starting at."."""
    message = re.sub(r"\s*\((\w+)\)", "", message)
    for name, label in FORM_FIELD_LABELS.items():
        message = re.sub(rf"\b{name}\b", label, message)
    return message[:1].upper() + message[1:]


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


def seat_query(
    *,
    customer_id: str,
    contract_id: str,
    filters: SeatFilters,
    include_commits_and_credits: bool = True,
) -> SeatBalanceQuery:
    """The query the seat views read from; raises SeatFilterError for a rule it breaks.

    Without commits and credits (the listing) a page holds 100 seats; with them Metronome caps a
    page at about 100 commits and credits, so those are asked for one seat at a time.
    """
    try:
        return SeatBalanceQuery(
            customer_id=customer_id,
            contract_id=contract_id,
            subscription_ids=(filters.subscription_id,) if filters.subscription_id else (),
            seat_ids=filters.seat_ids,
            # A pasted ID that is not on the contract is reported on the page, not refused.
            skip_missing_seat_ids=True,
            include_credits_and_commits=include_commits_and_credits,
            include_ledgers=include_commits_and_credits,
            covering_date=filters.covering_date,
            starting_at=filters.starting_at,
            effective_before=filters.effective_before,
            limit=MAX_SEAT_LIMIT,
        )
    except MetronomeQueryError as error:
        field = QUERY_FIELD_TO_FORM_FIELD.get(error.field)
        if field is None:
            raise  # not something a person typed: a bug here, not a filter to explain
        raise SeatFilterError(field, in_field_words(error.message)) from None


def seat_filter_errors(*, filters: SeatFilters) -> dict[str, str]:
    """The Metronome rules the filters break, by form field, found without calling Metronome."""
    try:
        seat_query(customer_id="-", contract_id="-", filters=filters)
    except SeatFilterError as error:
        return {error.field: error.message}
    return {}
