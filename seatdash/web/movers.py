"""Time pages from the synced seat history: movers between two instants and their CSV."""

from __future__ import annotations

from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from seatdash.history.queries import HistoryNotSynced
from seatdash.permissions import can_export, export_required
from seatdash.services.seats_over_time import (
    QUICK_RANGES,
    history_loading,
    mover_csv_rows,
    movers,
    quick_range,
)
from seatdash.web.htmx import canonical_query, csv_download, csv_refused, render_page_or_fragment
from seatdash.web.time_forms import MoverFilterForm

MOVER_COLUMNS = (
    "customer_id",
    "legal_name",
    "aliases",
    "seat_type",
    "seats_from",
    "seats_to",
    "change",
    "from",
    "to",
)


def quick_range_links(request: HttpRequest) -> list[dict]:
    """Plain links for the quick ranges, keeping the page's other filters (page reset)."""
    today = datetime.now(UTC).date()
    links = []
    for key, label in QUICK_RANGES:
        low, high = quick_range(key, today)
        query = request.GET.copy()
        query.pop("page", None)
        query["from"], query["to"] = low.isoformat(), high.isoformat()
        current = request.GET.get("from") == query["from"] and request.GET.get("to") == query["to"]
        links.append(
            {"label": label, "url": f"{request.path}?{query.urlencode()}", "current": current}
        )
    return links


def _movers_context(request: HttpRequest, *, wait_for_history: bool = False) -> dict:
    form = MoverFilterForm(request.GET)
    filters = form.filters()
    context: dict = {"form": form, "filters": filters, "can_export": can_export(request.user)}
    loading = "" if wait_for_history or filters is None else history_loading()
    if loading:  # the page polls until this process holds the history (a download waits)
        context["loading"] = loading
    elif filters is not None:
        try:
            listing = movers(filters)
        except HistoryNotSynced as error:
            context["not_synced"] = str(error)
        else:
            if "seat_type" in listing.errors:  # beside the field, listing the known types
                form.add_error("seat_type", listing.errors["seat_type"])
            context["listing"] = listing
    context["unusable"] = form.unusable()
    return context


@require_GET
@never_cache
@canonical_query
def movers_page(request: HttpRequest) -> HttpResponse:
    context = _movers_context(request)
    context["quick_ranges"] = quick_range_links(request)
    return render_page_or_fragment(request, "movers.html", "results", context)


@require_GET
@never_cache
@canonical_query
@export_required
def movers_csv(request: HttpRequest) -> HttpResponse:
    context = _movers_context(request, wait_for_history=True)
    form, listing = context["form"], context.get("listing")
    if context["unusable"]:
        problems = {
            f"{form.fields[name].label} ({name})": " ".join(form.errors[name])
            for name in context["unusable"]
        }
        return csv_refused(request, problems, page="movers")
    if listing is None:
        return csv_refused(request, {"Seat history": context["not_synced"]}, page="movers")
    if listing.nobody_selected:  # an empty file would read as "nobody moved"
        return csv_refused(
            request,
            {"Aliases and Customer IDs (alias, ids, q)": "No customer matches them."},
            page="movers",
        )
    start, end = listing.filters.start, listing.filters.end
    return csv_download(
        request,
        MOVER_COLUMNS,
        mover_csv_rows(listing),
        view="movers_csv",
        filename=f"seat-movers-{start:%Y-%m-%d}-to-{end:%Y-%m-%d}.csv",
    )
