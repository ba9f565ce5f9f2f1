"""Metronome pages: customers, contracts, seat balances, a seat's commits and credits, ledgers.

As on the Sequence pages, upstream trouble is sent with 200 (htmx swaps nothing else) and shown as
the stale-data banner or the error state; an ID Metronome does not know is a 404 page.

Over 300 lines: one view per Seat credits page and CSV; the helpers every page shares are in
web/htmx.py.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRedirect

from seatdash.permissions import can_export, export_required
from seatdash.services.errors import UpstreamError, UpstreamNotFound
from seatdash.services.metronome import (
    contract_get,
    contract_list,
    ledger_get,
    metronome_customer_get,
    metronome_customer_list,
    metronome_enabled,
    metronome_match_list,
    seat_balance_list,
    seat_get,
    seat_ledger_list,
)
from seatdash.web.htmx import (
    canonical_query,
    csv_download,
    refresh_requested,
    render_page_or_fragment,
    without_refresh,
)
from seatdash.web.metronome_forms import MetronomeCustomerSearchForm, SeatFilterForm

# CSVs keep Metronome's raw numbers (USD cents stay cents): `_raw` in the header says so, and
# `raw_unit` on each row names what they count ("USD cents", "Seat credits").
SEAT_CSV_COLUMNS = (
    "seat_id",
    "credit_type",
    "credit_type_id",
    "raw_unit",
    "balance_raw",
    "starting_balance_raw",
    "fetched_at",
)
LEDGER_CSV_COLUMNS = (
    "seat_id",
    "commit_or_credit_id",
    "kind",
    "credit_type",
    "raw_unit",
    "entry_type",
    "amount_raw",
    "timestamp",
    "running_balance_raw",
)


def metronome_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET only, never cached by browsers or proxies, and absent when Metronome is switched off."""

    @require_GET
    @never_cache
    @canonical_query
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not metronome_enabled():
            reason = settings.METRONOME_DISABLED_REASON or "They are switched off."
            raise Http404(f"Seat credits from Metronome are not enabled here: {reason}")
        return view(request, *args, **kwargs)

    return wrapper


def _not_found(error: UpstreamNotFound) -> Http404:
    # Metronome's own words ("Customer … not found.") are clearer than a generic 404.
    _, _, detail = error.message.partition("not found: ")
    return Http404(f"Metronome: {detail or error.message}")


def _dom_id(seat_id: str) -> str:
    """An HTML id for a seat: seat IDs are arbitrary text (emails, spaces, quotes)."""
    return "s" + hashlib.sha256(seat_id.encode()).hexdigest()[:12]


@metronome_page
def customers(request: HttpRequest) -> HttpResponse:
    form = MetronomeCustomerSearchForm(request.GET)
    refresh = refresh_requested(request)
    context: dict = {"form": form}
    try:
        context["fetched"] = metronome_customer_list(
            ingest_alias=form.cleaned_data.get("alias") or None,
            q=form.cleaned_data.get("q") or "",
            refresh=refresh,
        )
    except UpstreamError as error:
        context["upstream_error"] = error
    else:
        if refresh and not request.htmx:
            return without_refresh(request)
    return render_page_or_fragment(request, "metronome/customers.html", "results", context)


@metronome_page
def customer(request: HttpRequest, customer_id: str) -> HttpResponse:
    refresh = refresh_requested(request)
    context: dict = {"customer_id": customer_id}
    try:
        context["customer"] = metronome_customer_get(customer_id=customer_id, refresh=refresh)
        context["contracts"] = contract_list(customer_id=customer_id, refresh=refresh)
    except UpstreamNotFound as error:
        raise _not_found(error) from None
    except UpstreamError as error:
        context["upstream_error"] = error
    else:
        if refresh and not request.htmx:
            return without_refresh(request)
    return render_page_or_fragment(request, "metronome/customer.html", "contracts", context)


def _contract_context(
    request: HttpRequest, customer_id: str, contract_id: str, *, refresh: bool
) -> dict:
    """Customer, contract and the filter form (its subscription choices come from the contract).

    Raises Http404 for an unknown customer or contract; an upstream failure is left in the
    context as `upstream_error`, with an empty form so the page can still say so.
    """
    context: dict = {
        "customer_id": customer_id,
        "contract_id": contract_id,
        "can_export": can_export(request.user),
    }
    try:
        context["customer"] = metronome_customer_get(customer_id=customer_id, refresh=refresh)
        context["contract"] = contract_get(
            customer_id=customer_id, contract_id=contract_id, refresh=refresh
        )
    except UpstreamNotFound as error:
        raise _not_found(error) from None
    except UpstreamError as error:
        context["upstream_error"] = error
        context["form"] = SeatFilterForm(request.GET)
        return context
    subscriptions = context["contract"].value.seat_based_subscriptions
    context["form"] = SeatFilterForm(request.GET, subscriptions=subscriptions)
    context["filters"] = context["form"].filters()
    return context


@metronome_page
def seat_balances(request: HttpRequest, customer_id: str, contract_id: str) -> HttpResponse:
    refresh = refresh_requested(request)
    context = _contract_context(request, customer_id, contract_id, refresh=refresh)
    filters = context.get("filters")
    if filters is not None:
        try:
            context["fetched"] = seat_balance_list(
                customer_id=customer_id, contract_id=contract_id, filters=filters, refresh=refresh
            )
        except UpstreamNotFound as error:
            raise _not_found(error) from None
        except UpstreamError as error:
            context["upstream_error"] = error
        else:
            if refresh and not request.htmx:
                return without_refresh(request)
    return render_page_or_fragment(request, "metronome/seat_balances.html", "results", context)


def _seat_id(request: HttpRequest) -> str:
    seat_id = request.GET.get("seat", "").strip()
    if not seat_id or len(seat_id) > 200:
        raise Http404("Name a seat with ?seat=…")
    return seat_id


def _seat_context(
    request: HttpRequest, customer_id: str, contract_id: str, *, seat_id: str
) -> dict:
    """The contract's context for one seat's pages; a 404 when the filters cannot be valid."""
    context = _contract_context(request, customer_id, contract_id, refresh=False)
    context["seat_id"] = seat_id
    if context.get("filters") is None and "upstream_error" not in context:
        raise Http404("These filters are not valid; open the seat from the seat balances page.")
    return context


@metronome_page
def seat(request: HttpRequest, customer_id: str, contract_id: str) -> HttpResponse:
    seat_id = _seat_id(request)
    context = _seat_context(request, customer_id, contract_id, seat_id=seat_id)
    context["dom_id"] = _dom_id(seat_id)
    filters = context.get("filters")
    if filters is not None:
        try:
            detail = seat_get(
                customer_id=customer_id,
                contract_id=contract_id,
                filters=filters,
                seat_id=seat_id,
                refresh=refresh_requested(request),
            )
        except UpstreamError as error:
            context["upstream_error"] = error
        else:
            if detail.value is None:
                raise Http404(f"No seat {seat_id} among this contract's seats for these filters.")
            context["detail"] = detail
    return render_page_or_fragment(request, "metronome/seat.html", "seat", context)


@metronome_page
def ledger(request: HttpRequest, customer_id: str, contract_id: str) -> HttpResponse:
    seat_id = _seat_id(request)
    grant_id = request.GET.get("grant", "").strip()
    context = _seat_context(request, customer_id, contract_id, seat_id=seat_id)
    context["grant_id"] = grant_id
    filters = context.get("filters")
    if filters is not None:
        try:
            found = ledger_get(
                customer_id=customer_id,
                contract_id=contract_id,
                filters=filters,
                seat_id=seat_id,
                commit_or_credit_id=grant_id,
                refresh=refresh_requested(request),
            )
        except UpstreamError as error:
            context["upstream_error"] = error
        else:
            if found.value is None:
                raise Http404(f"No commit or credit {grant_id} on seat {seat_id}.")
            context["ledger"] = found
    return render_page_or_fragment(request, "metronome/ledger.html", "ledger", context)


def _csv_response(
    request: HttpRequest, header: tuple[str, ...], rows: Iterable, name: str
) -> StreamingHttpResponse:
    """A streamed, formula-safe CSV whose download is recorded in the export audit when it ends."""
    return csv_download(
        request,
        header,
        rows,
        view=f"metronome_{name}_csv",
        filename=f"{name}-{datetime.now(UTC):%Y-%m-%d}.csv",
    )


def _back_to_page(request: HttpRequest, customer_id: str, contract_id: str) -> HttpResponse:
    """Nothing to stream: the seat balances page says why (banner, error state or field error)."""
    url = reverse("metronome_seats", args=[customer_id, contract_id])
    query = request.GET.copy()
    query.pop("seat", None)
    url += f"?{query.urlencode()}" if query else ""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@metronome_page
@export_required
def seat_balances_csv(request: HttpRequest, customer_id: str, contract_id: str) -> HttpResponse:
    context = _contract_context(request, customer_id, contract_id, refresh=False)
    filters = context.get("filters")
    if filters is None:
        return _back_to_page(request, customer_id, contract_id)
    try:
        fetched = seat_balance_list(
            customer_id=customer_id, contract_id=contract_id, filters=filters
        )
    except UpstreamNotFound as error:
        raise _not_found(error) from None
    except UpstreamError:
        return _back_to_page(request, customer_id, contract_id)
    listing = fetched.value
    rows = (
        (
            row.seat_id,
            column.label,
            column.id,
            column.unit.raw_unit,
            cell.balance,
            cell.starting_balance,
            fetched.fetched_at,
        )
        for row in listing.rows
        for column, cell in zip(listing.columns, row.cells, strict=True)
        if cell is not None
    )
    return _csv_response(request, SEAT_CSV_COLUMNS, rows, "seat-balances")


@metronome_page
@export_required
def seat_ledger_csv(request: HttpRequest, customer_id: str, contract_id: str) -> HttpResponse:
    seat_id = _seat_id(request)
    context = _contract_context(request, customer_id, contract_id, refresh=False)
    filters = context.get("filters")
    if filters is None:
        return _back_to_page(request, customer_id, contract_id)
    try:
        fetched = seat_ledger_list(
            customer_id=customer_id, contract_id=contract_id, filters=filters, seat_id=seat_id
        )
    except UpstreamNotFound as error:
        raise _not_found(error) from None
    except UpstreamError:
        return _back_to_page(request, customer_id, contract_id)
    if fetched.value is None:
        raise Http404(f"No seat {seat_id} among this contract's seats for these filters.")
    rows = (
        (
            seat_id,
            item.commit_or_credit.id,
            item.commit_or_credit.kind,
            item.commit_or_credit.credit_type,
            item.commit_or_credit.unit.raw_unit,
            line.type,
            line.amount,
            line.timestamp,
            line.balance_after,
        )
        for item in fetched.value
        for line in item.lines
    )
    return _csv_response(request, LEDGER_CSV_COLUMNS, rows, "seat-ledger")


@metronome_page
def seat_credits(request: HttpRequest, customer_id: str) -> HttpResponse:
    """The "Seat credits" section of a Sequence customer's page, loaded after the page itself."""
    context: dict = {"customer_id": customer_id}
    try:
        matches = metronome_match_list(
            sequence_customer_id=customer_id, refresh=refresh_requested(request)
        )
    except UpstreamError as error:
        context["upstream_error"] = error
    else:
        if matches is None:
            raise Http404("No Sequence customer with that ID.")
        context["matches"] = matches
    return render_page_or_fragment(request, "metronome/seat_credits.html", "section", context)
