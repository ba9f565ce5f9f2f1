"""Seat events across customers (`/events/`, `/events.csv`) and one event's page.

`/events/` reads the synced seat history when there is one (any number of customers, each event's
change and flags, receipt or event-time order); until then it asks Sequence, with its limits, and
says what is missing and why.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRedirect

from seatdash.history.queries import NOT_SYNCED_MESSAGE
from seatdash.permissions import can_export, export_required
from seatdash.services.errors import UpstreamError, UpstreamNotFound
from seatdash.services.event_history import (
    EVENT_COLUMNS,
    held_event_csv_rows,
    held_event_search,
    held_selection,
    history_synced_at,
)
from seatdash.services.events import PageLinkExpired, event_detail, event_search
from seatdash.web.forms import CrossCustomerEventFilterForm
from seatdash.web.htmx import (
    canonical_query,
    csv_download,
    csv_refused,
    refresh_requested,
    render_page_or_fragment,
    without_refresh,
)
from seatdash.web.time_pages import event_effect_context

SYNC_HINT = "Run `manage.py sync_seat_events`."


def _selection_args(form: CrossCustomerEventFilterForm) -> dict:
    data = form.cleaned_data
    return {"aliases": data.get("alias") or (), "ids": data.get("ids") or ()}


@require_GET
@never_cache
@canonical_query
def events(request: HttpRequest) -> HttpResponse:
    form = CrossCustomerEventFilterForm(request.GET)
    synced_at = history_synced_at()
    if synced_at is None:
        form.require_history(SYNC_HINT)
    filters = form.filters()
    refresh = refresh_requested(request)
    context: dict = {
        "form": form,
        "filters": filters,
        "unusable": form.unusable(),
        "history_synced_at": synced_at,
        "not_synced_message": NOT_SYNCED_MESSAGE if synced_at is None else None,
        "can_export": can_export(request.user),
    }
    if context["unusable"]:
        return render_page_or_fragment(request, "events.html", "events", context)
    try:
        if synced_at is not None:
            search = held_event_search(
                filters=filters, q=form.cleaned_data.get("q") or "", **_selection_args(form)
            )
        else:
            search = event_search(filters=filters, refresh=refresh, **_selection_args(form))
    except PageLinkExpired:
        context["page_link_expired"] = True
    except UpstreamError as error:
        context["upstream_error"] = error
    else:
        for field, message in (search.errors or {}).items():
            form.add_error(field, message)
        context["unusable"] = form.unusable()
        context["search"] = search
        context["events"] = search.listing
    if refresh and not request.htmx and "upstream_error" not in context:
        return without_refresh(request)
    return render_page_or_fragment(request, "events.html", "events", context)


def _back_to_page(request: HttpRequest) -> HttpResponse:
    url = reverse("events") + (f"?{request.GET.urlencode()}" if request.GET else "")
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_GET
@never_cache
@canonical_query
@export_required
def events_csv(request: HttpRequest) -> HttpResponse:
    """Every event the page's filters match (cursors aside), from the seat history only."""
    form = CrossCustomerEventFilterForm(request.GET)
    if history_synced_at() is None:
        if request.htmx or "text/html" in request.headers.get("Accept", ""):
            return _back_to_page(request)  # the page says the history is not synced
        return HttpResponse(
            f"No CSV: {NOT_SYNCED_MESSAGE}\n", status=400, content_type="text/plain"
        )

    def refused(names) -> HttpResponse:
        return csv_refused(
            request,
            {f"{form.fields[name].label} ({name})": " ".join(form.errors[name]) for name in names},
            page="events",
        )

    if form.unusable():
        return refused(form.unusable())
    try:
        selection = held_selection(
            filters=form.filters(), q=form.cleaned_data.get("q") or "", **_selection_args(form)
        )
    except UpstreamError:
        return _back_to_page(request)  # its banner says why
    for field, message in (selection.errors or {}).items():
        form.add_error(field, message)
    if selection.errors:
        return refused(selection.errors)
    if selection.query is None:
        # Nobody matched: an empty file would read as "they have no events".
        return csv_refused(
            request,
            {"Aliases and Customer IDs (alias, ids, q)": "No customer matches them."},
            page="events",
        )
    return csv_download(
        request,
        EVENT_COLUMNS,
        held_event_csv_rows(selection.query),
        view="events_csv",
        filename=f"seat-events-{datetime.now(UTC):%Y-%m-%dT%H%MZ}.csv",
    )


@require_GET
@never_cache
def event(request: HttpRequest, event_id: str) -> HttpResponse:
    context: dict = {"event_id": event_id, **event_effect_context(event_id)}
    try:
        context["detail"] = event_detail(event_id=event_id, refresh=refresh_requested(request))
    except UpstreamNotFound:
        raise Http404("No seat event with that ID.") from None
    except UpstreamError as error:
        context["upstream_error"] = error
    return render(request, "event.html", context)
