"""GET filter forms of the Metronome pages: query strings in, frozen filters out, rules as errors."""

from __future__ import annotations

import re

from django import forms

from seatdash.services.metronome_seat_filters import SeatFilters, seat_filter_errors
from seatdash.services.records import Subscription
from seatdash.web.forms import InstantField, ListField

MAX_SEAT_IDS = 1_000
_SEAT_ID_SEPARATORS = re.compile(r"[\s,;]+")


class MetronomeCustomerSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    # Asked of Metronome directly (GET /v1/customers?customer_ids= or ?ingest_alias=).
    alias = forms.CharField(
        required=False, max_length=200, label="Exact ingest alias or customer ID"
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.is_valid()

    @property
    def is_filtered(self) -> bool:
        return bool(self.cleaned_data.get("q") or self.cleaned_data.get("alias"))


class SeatFilterForm(forms.Form):
    """The seat balances filters. Any error blocks the Metronome call: a half-applied filter
    would show seats the person did not ask for."""

    subscription = forms.ChoiceField(required=False, label="Subscription")
    seats = ListField(
        separators=_SEAT_ID_SEPARATORS, noun="seat ID", most=MAX_SEAT_IDS, label="Seat IDs"
    )
    covering_date = InstantField(end_of_day=False, label="Covering date")
    starting_at = InstantField(end_of_day=False, label="Starting at")
    effective_before = InstantField(end_of_day=False, label="Effective before")

    def __init__(self, *args, subscriptions: tuple[Subscription, ...] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subscription"].choices = [("", "All seat-based subscriptions")] + [
            (s.id, s.product_name or s.id) for s in subscriptions
        ]
        self.is_valid()

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            # Metronome's own rules (e.g. a covering date excludes a range), checked before any
            # call so the message sits next to the field instead of coming back as an HTTP 400.
            for field, message in seat_filter_errors(filters=self._filters(cleaned)).items():
                self.add_error(field, message)
        return cleaned

    def _filters(self, data: dict) -> SeatFilters:
        return SeatFilters(
            subscription_id=data.get("subscription") or None,
            seat_ids=data.get("seats") or (),
            covering_date=data.get("covering_date"),
            starting_at=data.get("starting_at"),
            effective_before=data.get("effective_before"),
        )

    def filters(self) -> SeatFilters | None:
        """The filters to ask Metronome for, or None while any field is in error."""
        return None if self.errors else self._filters(self.cleaned_data)
