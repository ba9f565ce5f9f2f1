"""Seat events across customers (`/events/`) and one event's page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from seatdash.services.errors import UpstreamError, UpstreamNotFound
from seatdash.services.events import PageLinkExpired, event_detail, event_search
from seatdash.web.forms import CrossCustomerEventFilterForm
from seatdash.web.htmx import (
    canonical_query,
    refresh_requested,
    render_page_or_fragment,
    without_refresh,
)
from seatdash.web.time_pages import event_effect_context


@require_GET
@never_cache
@canonical_query
def events(request: HttpRequest) -> HttpResponse:
    form = CrossCustomerEventFilterForm(request.GET)
    filters = form.filters()
    refresh = refresh_requested(request)
    context: dict = {"form": form, "filters": filters, "unusable": form.unusable()}
    if context["unusable"]:
        return render_page_or_fragment(request, "events.html", "events", context)
    try:
        search = event_search(
            filters=filters,
            aliases=form.cleaned_data.get("alias") or (),
            ids=form.cleaned_data.get("ids") or (),
            refresh=refresh,
        )
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
