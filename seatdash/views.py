"""Dashboard views: parse the filters, ask a service, render the page or its htmx fragment.

Upstream trouble never becomes an error status here: htmx does not swap 4xx/5xx answers, so the
stale-data banner and the error state are sent with 200.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRedirect

from seatdash.audit import audited_stream
from seatdash.exports import BALANCE_COLUMNS, RowCounter, balance_csv_rows, csv_chunks
from seatdash.forms import BalanceFilterForm, CrossCustomerEventFilterForm, EventFilterForm
from seatdash.htmx_pages import (
    canonical_query,
    csv_refused,
    refresh_requested,
    render_page_or_fragment,
    without_refresh,
)
from seatdash.permissions import can_export, export_required
from seatdash.services import balances as balance_service
from seatdash.services.balances import (
    BalancesLoading,
    balance_list,
    customer_get,
    iter_balance_rows,
)
from seatdash.services.errors import UpstreamError, UpstreamNotFound
from seatdash.services.events import (
    PageLinkExpired,
    customer_event_list,
    event_detail,
    event_search,
    seat_type_choice,
)
from seatdash.time_pages import (
    balance_trends_context,
    balances_as_of_context,
    balances_as_of_csv,
    change_window_context,
    customer_history_context,
    event_effect_context,
)


@require_GET
@never_cache
@canonical_query
def balances(request: HttpRequest) -> HttpResponse:
    form = BalanceFilterForm(request.GET)
    filters = form.filters()
    refresh = refresh_requested(request)
    context: dict = {"form": form, "filters": filters, "can_export": can_export(request.user)}
    context.update(change_window_context(form))
    if request.GET.get("as_of"):  # from the seat history, not Sequence's present
        context.update(balances_as_of_context(request, form, filters))
        return render_page_or_fragment(request, "balances.html", "results", context)
    try:
        fetched = balance_list(filters=filters, refresh=refresh, blocked=bool(form.unusable()))
    except BalancesLoading as loading:
        context["loading"] = loading
    except UpstreamError as error:
        context["upstream_error"] = error
    else:
        if refresh and not request.htmx:
            return without_refresh(request)
        listing = fetched.value
        if "seat_type" in listing.errors:
            form.add_error("seat_type", listing.errors["seat_type"])
        context.update(
            fetched=fetched,
            listing=listing,
            unusable=form.unusable(),
            **balance_trends_context(listing),
        )
    return render_page_or_fragment(request, "balances.html", "results", context)


@require_GET
@never_cache
@canonical_query
@export_required
def balances_csv(request: HttpRequest) -> HttpResponse:
    form = BalanceFilterForm(request.GET)
    filters = form.filters()
    change_window_context(form)  # the field's label in a refusal says what the window means
    if form.unusable():
        return csv_refused(
            request,
            {
                f"{form.fields[name].label} ({name})": " ".join(form.errors[name])
                for name in form.unusable()
            },
        )
    if request.GET.get("as_of"):
        return balances_as_of_csv(request, filters)
    try:
        export = balance_service.balance_rows(filters=filters)
    except UpstreamError:
        # Nothing to stream: show the balances page, whose banner says why.
        url = reverse("balances") + (f"?{request.GET.urlencode()}" if request.GET else "")
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if export.errors:
        return csv_refused(
            request,
            {f"{form.fields[name].label} ({name})": msg for name, msg in export.errors.items()},
        )
    snapshot = export.snapshot
    rows = RowCounter(
        balance_csv_rows(
            iter_balance_rows(snapshot.value, export.positions, filters.seat_types),
            seat_types=filters.seat_types,
            fetched_at=snapshot.fetched_at,
        )
    )
    lines = audited_stream(
        request, csv_chunks(BALANCE_COLUMNS, rows), view="balances_csv", rows=rows
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    filename = f"seat-balances-{datetime.now(UTC):%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


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
        context.update(customer_history_context(request, customer_id, filters))
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
