"""GET filter forms: query strings in, frozen filter dataclasses out; bad fields named, never fatal.

A field that fails validation gets its message next to it and is left out of the filters, so the
rest of the page still works; what the user typed stays in the field.

Over 300 lines because the balances and event forms share the pasted-list, instant and fail-closed
fields defined here; the event forms are the next to move into a module of their own.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from django import forms

from seatdash.services.balance_index import BalanceFilters
from seatdash.services.events import EventFilters

MAX_LISTED = 5_000
# Sequence's GET /seat-events takes this many customer IDs per call (the store has no limit).
SEQUENCE_EVENT_CUSTOMERS_MOST = 25
# A pasted spreadsheet row or column: commas, semicolons, tabs, newlines or spaces between values.
PASTE_SEPARATORS = re.compile(r"[\s,;]+")
# Quotes a spreadsheet or a chat message wraps around a value ("c-1", 'c-1', “c-1”).
_QUOTES = "\"'`\u201c\u201d\u2018\u2019\u00ab\u00bb"


def split_list(text: str, separators: re.Pattern[str] = PASTE_SEPARATORS) -> tuple[str, ...]:
    """Pasted values, trimmed of spaces and quotes, de-duplicated in the order given."""
    values = (value.strip().strip(_QUOTES).strip() for value in separators.split(text))
    return tuple(dict.fromkeys(value for value in values if value))


# Seat data starts long after 1970 and dates past 2999 are typos; outside them, datetime
# arithmetic (time zones, end of day, a chart's days) can overflow.
EARLIEST_YEAR, LATEST_YEAR = 1970, 2999
OUT_OF_RANGE = f"Use a date between {EARLIEST_YEAR} and {LATEST_YEAR}."


def parse_instant(text: str, *, end_of_day: bool) -> datetime:
    """An ISO date or datetime in UTC, years 1970-2999; a bare date covers the whole day."""
    try:
        moment = _parse_instant(text, end_of_day=end_of_day)
    except OverflowError:
        raise forms.ValidationError(OUT_OF_RANGE, code="out_of_range") from None
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise forms.ValidationError(OUT_OF_RANGE, code="out_of_range")
    return moment


def _parse_instant(text: str, *, end_of_day: bool) -> datetime:
    text = text.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        moment = datetime.combine(day, time.min, tzinfo=UTC)
        return moment + timedelta(days=1, microseconds=-1) if end_of_day else moment
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise forms.ValidationError(
            "Use a date like 2026-03-31 or a time like 2026-03-31T14:00Z.", code="invalid"
        ) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _text(value, *, most: int) -> str:
    """Submitted text, stripped, refused when longer than `most` characters or holding a NUL."""
    text = "" if value is None else str(value).strip()
    if len(text) > most:
        raise forms.ValidationError(f"Too long: at most {most:,} characters ({len(text):,} given).")
    if "\x00" in text:
        raise forms.ValidationError("Null characters are not allowed.")
    return text


class InstantField(forms.Field):
    def __init__(self, *, end_of_day: bool, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.end_of_day = end_of_day

    def to_python(self, value):
        text = _text(value, most=40)
        return parse_instant(text, end_of_day=self.end_of_day) if text else None


class ListField(forms.Field):
    def __init__(
        self,
        *,
        noun: str,
        most: int = MAX_LISTED,
        separators: re.Pattern[str] = PASTE_SEPARATORS,
        **kwargs,
    ):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.separators = separators
        self.noun = noun
        self.plural = "aliases" if noun == "alias" else f"{noun}s"
        self.most = most

    def to_python(self, value):
        values = split_list(_text(value, most=200_000), self.separators)
        if len(values) > self.most:
            raise forms.ValidationError(
                f"{len(values):,} {self.plural} pasted; at most {self.most:,} at once. "
                "Paste them in smaller batches.",
                code="too_many",
            )
        if any(len(v) > 200 for v in values):
            raise forms.ValidationError(f"A {self.noun} is longer than 200 characters.")
        return values


class SeatTypesField(forms.MultipleChoiceField):
    """Seat types as given; which exist is known only from the snapshot, so the service judges."""

    def valid_value(self, value) -> bool:
        return isinstance(value, str) and 0 < len(value) <= 80


class DateRangeMixin:
    """The `from` and `to` fields; they are Python keywords, so they are added in __init__."""

    def _add_date_range(self) -> None:
        # Each customer's last change only, until the page knows the seat history is synced
        # (seatdash.web.time_pages.change_window_context then relabels it "Changed between").
        self.fields["from"] = InstantField(end_of_day=False, label="Last change between")
        self.fields["to"] = InstantField(end_of_day=True, label="and")

    def _clean_date_range(self, cleaned: dict) -> None:
        low, high = cleaned.get("from"), cleaned.get("to")
        if low and high and low > high:
            self.add_error("to", "“to” is before “from”.")
            cleaned.pop("to", None)


class FailClosedMixin:
    """Which fields filter rows: one that cannot be read means no rows, never the rest."""

    # Fields that only arrange rows (sort, page) fall back instead of blocking.
    arranging_fields: tuple[str, ...] = ()

    def unusable(self) -> dict[str, str]:
        """Label of each filter field that cannot be applied -> its first message."""
        return {
            name: str(self.fields[name].label or name)
            for name in self.errors
            if name not in self.arranging_fields and name in self.fields
        }


def seat_count_field(label: str) -> forms.IntegerField:
    message = f"{label}: use a whole number of seats, 0 or more."
    return forms.IntegerField(
        required=False,
        min_value=0,
        max_value=1_000_000_000,
        label=label,
        error_messages={"invalid": message, "min_value": message, "max_value": message},
    )


class BalanceFilterForm(FailClosedMixin, DateRangeMixin, forms.Form):
    arranging_fields = ("sort", "page")

    q = forms.CharField(required=False, max_length=200, label="Search")
    alias = ListField(noun="alias", label="Aliases")
    ids = ListField(noun="customer ID", label="Customer IDs")
    seat_type = SeatTypesField(required=False, label="Seat types")
    seats_min = seat_count_field("At least")
    seats_max = seat_count_field("At most")
    nonzero = forms.BooleanField(required=False, label="Only customers with seats")
    sort = forms.CharField(required=False, max_length=80)
    page = forms.IntegerField(required=False, min_value=1, max_value=1_000_000)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._add_date_range()
        self.is_valid()

    def clean(self):
        cleaned = super().clean()
        self._clean_date_range(cleaned)
        low, high = cleaned.get("seats_min"), cleaned.get("seats_max")
        if low is not None and high is not None and low > high:
            self.add_error(
                "seats_max", "“At most” is below “At least”; swap them or widen the range."
            )
            cleaned.pop("seats_max", None)
        return cleaned

    def filters(self) -> BalanceFilters:
        data = self.cleaned_data
        return BalanceFilters(
            q=data.get("q", "").strip(),
            aliases=data.get("alias") or (),
            ids=data.get("ids") or (),
            seat_types=tuple(dict.fromkeys(data.get("seat_type") or ())),
            changed_from=data.get("from"),
            changed_to=data.get("to"),
            nonzero=bool(data.get("nonzero")),
            seats_min=data.get("seats_min"),
            seats_max=data.get("seats_max"),
            sort=data.get("sort") or "name",
            page=data.get("page") or 1,
        )


class EventFilterForm(FailClosedMixin, DateRangeMixin, forms.Form):
    # Which seat types exist is known from the balances, so the service judges `seat_type`.
    seat_type = forms.CharField(required=False, max_length=80, label="Seat type")
    customer_event_id = forms.CharField(required=False, max_length=200, label="Customer event ID")
    order = forms.ChoiceField(
        required=False,
        choices=[("desc", "Newest received first"), ("asc", "Oldest received first")],
        label="Order",
        error_messages={
            "invalid_choice": "“%(value)s” is not an order. "
            "Choose “Newest received first” or “Oldest received first”."
        },
    )
    after = forms.CharField(required=False, max_length=500)
    before = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._add_date_range()
        self.fields["from"].label = "Event time from"
        self.fields["to"].label = "to"
        self.is_valid()

    def clean(self):
        cleaned = super().clean()
        self._clean_date_range(cleaned)
        if cleaned.get("after") and cleaned.get("before"):
            self.add_error("before", "Page forwards or backwards, not both at once.")
            cleaned.pop("before", None)
        return cleaned

    def filters(self) -> EventFilters:
        data = self.cleaned_data
        return EventFilters(
            seat_type=data.get("seat_type") or None,
            timestamp_from=data.get("from"),
            timestamp_to=data.get("to"),
            customer_event_id=data.get("customer_event_id") or None,
            order=data.get("order") or "desc",
            after=data.get("after") or None,
            before=data.get("before") or None,
        )


# `/events/` orders: value -> (label, Sequence's direction, which order). "desc" is the old
# spelling of "received", kept so bookmarks still work; it is not offered in the select.
EVENT_ORDERS = {
    "received": ("Newest received first", "desc", "received"),
    "asc": ("Oldest received first", "asc", "received"),
    "event_time": ("Newest event time first", "desc", "event_time"),
}
_EVENT_ORDER_ALIASES = {"desc": "received"}
_EVENT_ORDER_CHOICES = ", ".join(
    f"“{label}” ({value})" for value, (label, *_) in EVENT_ORDERS.items()
)


class CrossCustomerEventFilterForm(EventFilterForm):
    """`/events/`: the store answers any number of customers; Sequence's path keeps its limit of
    25 (the service says so), so the boxes take as many as `/` does."""

    q = forms.CharField(required=False, max_length=200, label="Search")
    alias = ListField(noun="alias", label="Aliases")
    ids = ListField(noun="customer ID", label="Customer IDs")
    sent_as = forms.CharField(required=False, max_length=200, label="Sent with alias")
    order = forms.CharField(required=False, max_length=40, label="Order")

    order_choices = tuple((value, label) for value, (label, *_) in EVENT_ORDERS.items())

    def clean_order(self) -> str:
        value = (self.cleaned_data.get("order") or "received").strip()
        value = _EVENT_ORDER_ALIASES.get(value, value)
        if value not in EVENT_ORDERS:
            raise forms.ValidationError(
                f"“{value}” is not an order. Choose from: {_EVENT_ORDER_CHOICES}.", code="invalid"
            )
        return value

    @property
    def order_value(self) -> str:
        """The order the select shows (the default when the field could not be read)."""
        return self.cleaned_data.get("order") or "received"

    def require_history(self, message: str) -> None:
        """Refuse the options only the seat history can answer (Sequence's path is asked)."""
        if self.cleaned_data.get("order") == "event_time":
            self.add_error("order", f"Event-time order needs the seat history. {message}")
        if self.cleaned_data.get("q"):
            self.add_error("q", f"Search by name needs the seat history. {message}")
        for name in ("alias", "ids"):
            pasted = self.cleaned_data.get(name) or ()
            if len(pasted) > SEQUENCE_EVENT_CUSTOMERS_MOST:
                field = self.fields[name]
                self.add_error(
                    name,
                    f"{len(pasted):,} {field.plural} pasted; at most "
                    f"{SEQUENCE_EVENT_CUSTOMERS_MOST} at once without the seat history. {message}",
                )

    def filters(self) -> EventFilters:
        _, direction, by = EVENT_ORDERS[self.cleaned_data.get("order") or "received"]
        return replace(
            super().filters(),
            order=direction,
            by=by,
            customer_alias=self.cleaned_data.get("sent_as") or None,
        )
