"""One customer's page: its balances, its seat-history chart and as-of box, and its events."""

from __future__ import annotations

from dataclasses import replace

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from seatdash.services.balances import customer_get
from seatdash.services.errors import UpstreamError
from seatdash.services.events import PageLinkExpired, customer_event_list, seat_type_choice
from seatdash.web.forms import EventFilterForm
from seatdash.web.htmx import (
    canonical_query,
    refresh_requested,
    render_page_or_fragment,
    without_refresh,
)
from seatdash.web.time_pages import customer_history_context


@require_GET
@never_cache
@canonical_query
def customer_detail(request: HttpRequest, customer_id: str) -> HttpResponse:
    form = EventFilterForm(request.GET)
    filters = form.filters()
    refresh = refresh_requested(request)
    context: dict = {"form": form, "filters": filters, "customer_id": customer_id}
    try:
        customer = customer_get(customer_id=customer_id, refresh=refresh)
    except UpstreamError as error:
        context["upstream_error"] = error
        return render_page_or_fragment(request, "customer.html", "events", context)
    if customer.value is None:
        raise Http404("No customer with that ID.")
    context["customer"] = customer
    known_types = tuple(balance.seat_type for balance in customer.value.balances)
    seat_type, seat_type_error = seat_type_choice(filters.seat_type, known_types)
    if seat_type_error:
        form.add_error("seat_type", seat_type_error)
    context["unusable"] = unusable = form.unusable()
    if not unusable:  # fail closed: no chart either under a filter that cannot be applied
        context.update(customer_history_context(request, customer_id, filters, seat_type=seat_type))
    if not unusable:
        try:
            context["events"] = customer_event_list(
                customer_id=customer_id,
                filters=replace(filters, seat_type=seat_type),
                refresh=refresh,
            )
        except PageLinkExpired:
            context["page_link_expired"] = True
        except UpstreamError as error:
            context["events_error"] = error
    if refresh and not request.htmx:
        return without_refresh(request)
    return render_page_or_fragment(request, "customer.html", "events", context)
