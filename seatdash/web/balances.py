"""The balances page (`/`, present or as of a date) and its CSV.

Views parse the filters, ask a service, and render the page or its htmx fragment. Upstream trouble
never becomes an error status here: htmx does not swap 4xx/5xx answers, so the stale-data banner and
the error state are sent with 200.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRedirect

from seatdash.permissions import can_export, export_required
from seatdash.services import balances as balance_service
from seatdash.services.balances import BalancesLoading, balance_list, iter_balance_rows
from seatdash.services.errors import UpstreamError
from seatdash.web.exports import BALANCE_COLUMNS, balance_csv_rows
from seatdash.web.forms import BalanceFilterForm
from seatdash.web.htmx import (
    canonical_query,
    csv_download,
    csv_refused,
    refresh_requested,
    render_page_or_fragment,
    without_refresh,
)
from seatdash.web.time_pages import (
    balance_trends_context,
    balances_as_of_context,
    balances_as_of_csv,
    change_window_context,
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
    rows = balance_csv_rows(
        iter_balance_rows(snapshot.value, export.positions, filters.seat_types),
        seat_types=filters.seat_types,
        fetched_at=snapshot.fetched_at,
    )
    return csv_download(
        request,
        BALANCE_COLUMNS,
        rows,
        view="balances_csv",
        filename=f"seat-balances-{datetime.now(UTC):%Y-%m-%d}.csv",
    )
