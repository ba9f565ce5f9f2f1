"""The Metronome sandbox endpoints: function views speaking Metronome JSON behind Bearer auth."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from seatdash.sandbox_metronome import seat_balances, seat_history
from seatdash.sandbox_metronome.auth import is_authorized
from seatdash.sandbox_metronome.contract_json import contract_json
from seatdash.sandbox_metronome.demo import USD_CENTS_ID
from seatdash.sandbox_metronome.jsonio import (
    ApiError,
    decode_cursor,
    encode_cursor,
    error_response,
    parse_body,
    timestamp,
)
from seatdash.sandbox_metronome.models import (
    Contract,
    CreditType,
    Customer,
    IngestAlias,
    Subscription,
)

CUSTOMERS_DEFAULT_LIMIT = 50
CUSTOMERS_MAX_LIMIT = 100
MAX_CUSTOMER_IDS = 100
# "Results are limited to 20 contracts per page; use 'cursor' for more" (v1 contracts/list).
CONTRACTS_MAX_LIMIT = 20


def api_view(method: str) -> Callable[[Callable[..., Any]], Callable[..., HttpResponse]]:
    """One method, Bearer auth, JSON out; an ApiError becomes Metronome's `{"message"}` body."""

    def decorate(view: Callable[..., Any]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @login_not_required
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not is_authorized(request):
                return error_response(401, "Unauthorized: a valid Bearer token is required.")
            if request.method != method:
                response = error_response(405, f"Method {request.method} not allowed.")
                response["Allow"] = method
                return response
            try:
                return JsonResponse(view(request, *args, **kwargs))
            except ApiError as exc:
                return error_response(exc.status, exc.message)

        return wrapper

    return decorate


def _customer_json(customer: Customer) -> dict[str, Any]:
    return {
        "id": str(customer.id),
        "external_id": customer.external_id or str(customer.id),
        "ingest_aliases": [a.value for a in customer.aliases.all()],
        "name": customer.name,
        "custom_fields": {},
        "customer_config": {},
        "created_at": timestamp(customer.created_at),
        "updated_at": timestamp(customer.created_at),
    }


def _customers() -> Any:
    return Customer.objects.prefetch_related(
        Prefetch("aliases", queryset=IngestAlias.objects.order_by("position", "id"))
    ).order_by("created_at", "id")


@api_view("GET")
def customers_list(request: HttpRequest) -> dict[str, Any]:
    qs = _customers()
    alias = request.GET.get("ingest_alias")
    if alias:
        qs = qs.filter(aliases__value=alias)
    # SDKs repeat the key (customer_ids=a&customer_ids=b); a comma list is accepted too.
    raw_ids = [i for v in request.GET.getlist("customer_ids") for i in v.split(",") if i]
    if len(raw_ids) > MAX_CUSTOMER_IDS:
        raise ApiError(400, f"customer_ids accepts at most {MAX_CUSTOMER_IDS} ids.")
    if raw_ids:
        ids = []
        for raw in raw_ids:
            try:
                ids.append(uuid.UUID(raw))
            except ValueError:
                continue  # an id that cannot exist simply matches nothing
        qs = qs.filter(id__in=ids)
    offset, limit = _page_window(request)
    rows = list(qs.distinct()[offset : offset + limit + 1])
    more = len(rows) > limit
    return {
        "data": [_customer_json(c) for c in rows[:limit]],
        "next_page": encode_cursor({"o": offset + limit}) if more else None,
    }


def _get_customer(customer_id: Any) -> Customer:
    try:
        key = uuid.UUID(str(customer_id))
    except ValueError:
        raise ApiError(404, f"Customer {customer_id} not found.") from None
    customer = _customers().filter(id=key).first()
    if customer is None:
        raise ApiError(404, f"Customer {customer_id} not found.")
    return customer


@api_view("GET")
def customer_detail(request: HttpRequest, customer_id: str) -> dict[str, Any]:
    return {"data": _customer_json(_get_customer(customer_id))}


@api_view("POST")
def contracts_list(request: HttpRequest) -> dict[str, Any]:
    """v1 contracts, 20 a page by default, with the body `cursor` Metronome pages them by."""
    body = parse_body(request.body)
    if not isinstance(body.get("customer_id"), str) or not body["customer_id"]:
        raise ApiError(400, "customer_id is required.")
    customer = _get_customer(body["customer_id"])
    limit = body.get("limit") or CONTRACTS_MAX_LIMIT
    if (
        isinstance(limit, bool)
        or not isinstance(limit, int)
        or not 1 <= limit <= CONTRACTS_MAX_LIMIT
    ):
        raise ApiError(400, f"limit must be an integer between 1 and {CONTRACTS_MAX_LIMIT}.")
    offset = 0
    if body.get("cursor"):
        offset = decode_cursor(body["cursor"]).get("o")
        if not isinstance(offset, int) or offset < 0:
            raise ApiError(400, "Invalid cursor.")
    contracts = list(
        Contract.objects.filter(customer=customer)
        .order_by("starting_at", "id")
        .prefetch_related(
            Prefetch("subscriptions", queryset=Subscription.objects.order_by("starting_at", "id"))
        )[offset : offset + limit + 1]
    )
    more = len(contracts) > limit
    return {
        "data": [contract_json(c) for c in contracts[:limit]],
        "cursor": encode_cursor({"o": offset + limit}) if more else None,
    }


@api_view("POST")
def subscription_seats_history(request: HttpRequest) -> dict[str, Any]:
    return seat_history.seats_history(parse_body(request.body))


@api_view("POST")
def seat_balances_list(request: HttpRequest) -> dict[str, Any]:
    return seat_balances.list_seat_balances(parse_body(request.body))


@api_view("GET")
def credit_types_list(request: HttpRequest) -> dict[str, Any]:
    offset, limit = _page_window(request)
    rows = list(CreditType.objects.order_by("name", "id")[offset : offset + limit + 1])
    more = len(rows) > limit
    return {
        "data": [
            {"id": str(t.id), "name": t.name, "is_currency": t.id == USD_CENTS_ID}
            for t in rows[:limit]
        ],
        "next_page": encode_cursor({"o": offset + limit}) if more else None,
    }


def _page_window(request: HttpRequest) -> tuple[int, int]:
    """(offset, limit) of a GET list page from `limit` and the opaque `next_page` cursor."""
    try:
        limit = int(request.GET.get("limit", CUSTOMERS_DEFAULT_LIMIT))
    except ValueError:
        raise ApiError(400, "limit must be an integer.") from None
    if not 1 <= limit <= CUSTOMERS_MAX_LIMIT:
        raise ApiError(400, f"limit must be between 1 and {CUSTOMERS_MAX_LIMIT}.")
    offset = 0
    if request.GET.get("next_page"):
        offset = decode_cursor(request.GET["next_page"]).get("o")
        if not isinstance(offset, int) or offset < 0:
            raise ApiError(400, "Invalid next_page.")
    return offset, limit
