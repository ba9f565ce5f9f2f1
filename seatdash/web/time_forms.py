"""GET forms of the time pages (movers, as-of): bad input fails closed, with the message by the field.

Unlike the balance filters, a movers form with any error yields no filters at all: a ranking over a
window the user did not ask for would be a wrong answer, not a partial one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django import forms

from seatdash.services.seats_over_time import MOVER_SORTS, MoverFilters
from seatdash.web.forms import FailClosedMixin, InstantField, ListField, SeatTypesField

DEFAULT_DAYS = 30
# The chart has a point per day: bound the window so one request cannot ask for 700,000.
MAX_WINDOW_DAYS = 10 * 365
FUTURE_MESSAGE = "That is in the future; history only knows up to now."


def start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class AsOfField(InstantField):
    """An instant no later than now. A date of today (or a time later today) means up to now."""

    def __init__(self, *, end_of_day: bool = True, **kwargs) -> None:
        super().__init__(end_of_day=end_of_day, **kwargs)

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        now = datetime.now(UTC)
        if moment <= now:
            return moment
        if _is_date(str(value).strip()) and moment.date() == now.date():
            return now
        raise forms.ValidationError(FUTURE_MESSAGE, code="future")


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


class MoverFilterForm(FailClosedMixin, forms.Form):
    # A page that cannot be read falls back to the first, with a note, as on `/`.
    arranging_fields = ("page",)

    q = forms.CharField(required=False, max_length=200, label="Search")
    # Pasted lists are split as on `/`: spaces, tabs, newlines, commas or semicolons; quotes trimmed.
    alias = ListField(noun="alias", label="Aliases")
    ids = ListField(noun="customer ID", label="Customer IDs")
    seat_type = SeatTypesField(required=False, label="Seat types")
    direction = forms.ChoiceField(
        required=False,
        choices=[
            ("all", "Growth and contraction"),
            ("up", "Growth only"),
            ("down", "Contraction only"),
        ],
        label="Direction",
    )
    min_change = forms.IntegerField(
        required=False, min_value=0, max_value=10**12, label="Smallest change"
    )
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in MOVER_SORTS], label="Sort")
    page = forms.IntegerField(required=False, min_value=1, max_value=1_000_000, label="Page")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from"] = AsOfField(end_of_day=False, label="From")
        self.fields["to"] = AsOfField(label="To")
        self.fields["direction"].error_messages["invalid_choice"] = (
            "Choose up, down or all (“%(value)s” is not one of them)."
        )
        self.fields["sort"].error_messages["invalid_choice"] = (
            "Unknown sort “%(value)s”; use one of " + ", ".join(MOVER_SORTS) + "."
        )
        self.fields["min_change"].error_messages["invalid"] = "Enter a whole number of seats."
        self.is_valid()

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("from"), cleaned.get("to")
        if low is None and "from" not in self.errors:
            reference = high or datetime.now(UTC)
            cleaned["from"] = low = start_of(reference.date() - timedelta(days=DEFAULT_DAYS))
        if high is None and "to" not in self.errors:
            cleaned["to"] = high = datetime.now(UTC)
        if low and high and low > high:
            self.add_error("to", "“to” is before “from”.")
        elif low and high and high - low > timedelta(days=MAX_WINDOW_DAYS):
            self.add_error("from", f"Choose a window of at most {MAX_WINDOW_DAYS // 365} years.")
        return cleaned

    def filters(self) -> MoverFilters | None:
        """The filters, or None when a filter is wrong (the page then lists nothing)."""
        if self.unusable():
            return None
        data = self.cleaned_data
        return MoverFilters(
            start=data["from"],
            end=data["to"],
            q=(data.get("q") or "").strip(),
            aliases=data.get("alias") or (),
            ids=data.get("ids") or (),
            seat_types=tuple(data.get("seat_type") or ()),
            direction=data.get("direction") or "all",
            min_change=data.get("min_change") or 0,
            sort=data.get("sort") or "abs",
            page=data.get("page") or 1,
        )


class AsOfForm(forms.Form):
    """`as_of`: a date (end of that day UTC, inclusive) or an ISO datetime, not in the future."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["as_of"] = AsOfField(label="Seats as of")
        self.is_valid()

    @property
    def instant(self) -> datetime | None:
        return None if self.errors else self.cleaned_data.get("as_of")
