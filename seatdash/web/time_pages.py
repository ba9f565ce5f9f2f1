"""What the existing pages add from the seat history (the customer chart, balances as of).

Kept apart from the page modules so those views gain one line each, and so the history never breaks
a page that works without it: not synced yet is said on the page, never shown as zeros.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from django.http import HttpRequest, HttpResponse

from seatdash.history.queries import HistoryNotSynced
from seatdash.services.balances import unknown_seat_types
from seatdash.services.change_window import (
    HISTORY_LABEL,
    NOT_SYNCED_NOTE,
    history_synced,
)
from seatdash.services.seats_over_time import (
    balance_csv_rows_as_of,
    balance_listing_as_of,
    balance_rows_as_of,
    customer_history,
    event_effect,
    history_loading,
    trends,
)
from seatdash.web.exports import BALANCE_COLUMNS
from seatdash.web.forms import parse_instant
from seatdash.web.htmx import csv_download, csv_refused
from seatdash.web.time_forms import AsOfForm

# The balances CSV's columns; its last one holds the as-of instant instead of the fetch time.
BALANCE_AS_OF_COLUMNS = (*BALANCE_COLUMNS[:-1], "as_of")


def customer_history_context(
    request: HttpRequest, customer_id: str, filters, *, seat_type: str | None = None
) -> dict:
    """The customer page's seat-history chart (over its from/to when given) and its "as of" box.

    With a (known) `seat_type`, the chart and its data table show that seat type's line only.
    """
    as_of_form = AsOfForm(request.GET)
    context: dict = {"as_of_form": as_of_form}
    try:
        history = customer_history(
            customer_id,
            start=filters.timestamp_from,
            end=filters.timestamp_to,
            as_of=as_of_form.instant,
        )
    except HistoryNotSynced as error:
        context["history_not_synced"] = str(error)
        return context
    if seat_type:
        history = replace(
            history, series={k: v for k, v in history.series.items() if k == seat_type}
        )
    context["history"] = history
    return context


def as_of_label(text: str, at: datetime) -> str:
    """ "2026-06-30 (end of day UTC)" for a date, "2026-06-30 14:00 UTC" for a time, "now" today."""
    text = text.strip()
    if len(text) == 10 and at.date().isoformat() == text:
        if at < parse_instant(text, end_of_day=True):
            return f"{text} (up to now, {at:%H:%M} UTC)"
        return f"{text} (end of day UTC)"
    return f"{at:%Y-%m-%d %H:%M:%S} UTC"


def balances_as_of_context(request: HttpRequest, form, filters) -> dict:
    """`/?as_of=`: the page's rows as of that instant, or why there are none (never zeros)."""
    as_of_form = AsOfForm(request.GET)
    context: dict = {"as_of_form": as_of_form, "as_of_requested": True}
    at = as_of_form.instant
    if at is None:
        context["as_of_failure"] = "Nothing listed: fix the “as of” date first."
        return context
    if loading := history_loading():  # the page polls until this process holds the history
        context["loading"] = loading
        return context
    try:
        snapshot, listing = balance_listing_as_of(at, filters, blocked=bool(form.unusable()))
    except HistoryNotSynced as error:
        context["as_of_failure"] = str(error)
        return context
    if "seat_type" in listing.errors:
        form.add_error("seat_type", listing.errors["seat_type"])
    context.update(
        as_of=snapshot,
        as_of_label=as_of_label(request.GET.get("as_of", ""), at),
        listing=listing,
        unusable=form.unusable(),
    )
    return context


def balances_as_of_csv(request: HttpRequest, filters) -> HttpResponse:
    """`/balances.csv?as_of=`: the same rows, the instant in the file name and every row."""
    at = AsOfForm(request.GET).instant
    not_synced = ""
    try:
        snapshot, positions = (None, []) if at is None else balance_rows_as_of(at, filters)
    except HistoryNotSynced as error:
        snapshot, not_synced = None, str(error)
    if snapshot is None:
        form = AsOfForm(request.GET)
        message = " ".join(form.errors.get("as_of", [])) or not_synced
        return csv_refused(request, {"Seats as of (as_of)": message})
    index = snapshot.index
    if unknown := unknown_seat_types(index, filters.seat_types):
        # As the present-day CSV: a file claiming nobody matches would be a wrong answer.
        return csv_refused(request, {"Seat types (seat_type)": unknown["seat_type"]})
    return csv_download(
        request,
        BALANCE_AS_OF_COLUMNS,
        balance_csv_rows_as_of(snapshot, positions, seat_types=filters.seat_types),
        view="balances_csv",
        filename=f"seat-balances-as-of-{snapshot.at:%Y-%m-%dT%H%M%SZ}.csv",
    )


def event_effect_context(event_id: str) -> dict:
    """The event page's "effect" box: from the seat history when synced and holding the event."""
    try:
        return {"effect": event_effect(event_id)}
    except HistoryNotSynced as error:
        return {"effect_not_synced": str(error)}


def balance_trends_context(listing) -> dict:
    """The balances table's 90-day trend and 30-day change for the rows shown (none if unsynced)."""
    if listing is None:
        return {}
    try:
        found = trends([customer.id for customer in listing.rows])
        return {"trends": found} if found is not None else {"trends_loading": True}
    except HistoryNotSynced:
        return {}


def change_window_context(form) -> dict:
    """`from`/`to` on `/`: "Changed between" (any effective change, from the seat history) when
    the history is synced; otherwise the form's "Last change between" with a note saying why."""
    if history_synced():
        form.fields["from"].label = HISTORY_LABEL
        form["from"].label = HISTORY_LABEL  # the bound field copied the label when it was made
        return {}
    return {"change_window_note": NOT_SYNCED_NOTE}
