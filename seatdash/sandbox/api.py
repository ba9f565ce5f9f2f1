"""The sandbox's Sequence-compatible seat API (version 2024-07-30), as the OpenAPI spec defines it.

Behaviour the spec leaves open, chosen here and documented in the README: `eventTimestampAfter` and
`eventTimestampBefore` are inclusive; `customerAlias` matches the alias an event was sent with;
`customerIds` covers events sent with any of the customer's aliases or its ID; `sortBy` accepts
creation time (the default) and `eventTimestamp`; cursors are opaque and tied to the sort they came
from; `/seat-balances` answers every matching customer in one page, unless
`SANDBOX_BALANCES_PAGE_SIZE` asks for pages (then it follows `after`, ordered by customer ID, so
benchmarks and tests see a paged upstream). It does not imitate Sequence's rate limiting (use the
fault knobs for that).

Over 300 lines because it is one spec: every endpoint with its parameter checks and error bodies
side by side, to be read against the OpenAPI file.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import secrets
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from seatdash.sandbox.auth import is_authorized
from seatdash.sandbox.faults import with_faults
from seatdash.sandbox.models import Customer, CustomerAlias, SeatBalance, SeatEvent
from seatdash.sandbox.rules import refresh_balances

API_VERSION = "2024-07-30"
MAX_CUSTOMER_IDS = 25
DEFAULT_LIMIT = 20
SORT_FIELDS = {"createdAt": "seq", "creationTime": "seq", "eventTimestamp": "event_timestamp"}


class BadRequest(Exception):
    pass


def _json(body: object, status: int = 200) -> HttpResponse:
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status)
    response["Content-Type"] = "application/json"
    response["Sequence-Version"] = API_VERSION
    return response


def _error(status: int, error_type: str, message: str) -> HttpResponse:
    return _json({"error": {"type": error_type, "message": message}}, status=status)


def api_view(*methods: str) -> Callable:
    """Basic auth, then fault injection, the version header and JSON errors for one API view."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @with_faults
        def answer(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in methods:
                return _error(405, "MethodNotAllowed", f"Use {' or '.join(methods)}.")
            version = request.headers.get("Sequence-Version", API_VERSION)
            if version != API_VERSION:
                return _error(
                    400,
                    "UnrecognisedApiVersion",
                    f"No matching API version found for '{version[:40]}'.",
                )
            try:
                return view(request, *args, **kwargs)
            except BadRequest as problem:
                return _error(400, "BadRequest", str(problem))

        # Credentials first: an anonymous request gets a 401, never a fault, a delay or a log row.
        @login_not_required
        @csrf_exempt
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not is_authorized(request):
                return _error(401, "Unauthorized", "Send valid HTTP Basic credentials.")
            return answer(request, *args, **kwargs)

        return wrapped

    return decorate


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(text: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadRequest(f"{name} must be an ISO 8601 timestamp, got '{text[:40]}'.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _customer_ids(request: HttpRequest) -> list[str]:
    ids = _csv(request.GET.get("customerIds", ""))
    if len(ids) > MAX_CUSTOMER_IDS:
        raise BadRequest(f"customerIds takes at most {MAX_CUSTOMER_IDS} IDs; {len(ids)} given.")
    return ids


def _bool(request: HttpRequest, name: str) -> bool:
    value = request.GET.get(name, "false").lower()
    if value not in ("true", "false"):
        raise BadRequest(f"{name} must be true or false.")
    return value == "true"


@api_view("GET")
def seat_balances(request: HttpRequest) -> HttpResponse:
    customers = Customer.objects.all()
    ids = _customer_ids(request)
    if ids:
        customers = customers.filter(id__in=ids)
    aliases = _csv(request.GET.get("customerAliases", ""))
    if aliases:
        customers = customers.filter(aliases__value__in=aliases).distinct()
    exclude_zero = _bool(request, "excludeZeroQuantity")
    page_size = settings.SANDBOX_BALANCES_PAGE_SIZE
    matching = customers.order_by("id")
    if page_size > 0 and (cursor := request.GET.get("after")):
        matching = matching.filter(id__gt=_decode_balance_cursor(cursor))
    rows = list(
        matching.values_list("id", "sequence_account_id", "legal_name", "created_at")[
            : page_size + 1 if page_size > 0 else None
        ]
    )
    pagination: dict = {}
    if page_size > 0:
        if len(rows) > page_size:
            rows = rows[:page_size]
            pagination["after"] = _encode_balance_cursor(rows[-1][0])
        if not exclude_zero and not request.GET.get("after"):
            # Counted on the first page only: a COUNT over 100,000 rows per page would dominate.
            pagination["totalResultSize"] = customers.count()
    wanted = {row[0] for row in rows} if (ids or aliases or page_size > 0) else None
    alias_map: dict[str, list[str]] = defaultdict(list)
    alias_query = CustomerAlias.objects.order_by("id").values_list("customer_id", "value")
    balance_query = SeatBalance.objects.order_by("seat_type").values_list(
        "customer_id", "seat_type", "total", "change_timestamp"
    )
    if wanted is not None:
        alias_query = alias_query.filter(customer_id__in=wanted)
        balance_query = balance_query.filter(customer_id__in=wanted)
    for customer_id, value in alias_query.iterator(chunk_size=10_000):
        alias_map[customer_id].append(value)
    balance_map: dict[str, list[tuple[str, int, datetime]]] = defaultdict(list)
    for customer_id, seat_type, total, changed in balance_query.iterator(chunk_size=10_000):
        balance_map[customer_id].append((seat_type, total, changed))

    items = []
    for customer_id, account_id, legal_name, created_at in rows:
        balances = balance_map.get(customer_id, [])
        total = sum(seats for _, seats, _ in balances)
        if exclude_zero and total == 0:
            continue
        changed = max((at for _, _, at in balances), default=created_at)
        items.append(
            {
                "id": customer_id,
                "sequenceAccountId": account_id,
                "legalName": legal_name,
                "customerAliases": alias_map.get(customer_id, []),
                "total": total,
                "changeTimestamp": _iso(changed),
                "balances": [
                    {"seatType": seat_type, "total": seats, "changeTimestamp": _iso(at)}
                    for seat_type, seats, at in balances
                ],
            }
        )
    if page_size <= 0:
        pagination["totalResultSize"] = len(items)
    return _json({"items": items, "pagination": pagination})


def _encode_balance_cursor(customer_id: str) -> str:
    return base64.urlsafe_b64encode(customer_id.encode()).decode().rstrip("=")


def _decode_balance_cursor(text: str) -> str:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except (ValueError, binascii.Error):
        raise BadRequest("Invalid pagination cursor.") from None


def _event_json(event: SeatEvent) -> dict:
    return {
        "id": event.id,
        "customerEventId": event.customer_event_id,
        "customerAlias": event.customer_alias,
        "seatType": event.seat_type,
        "sequenceAccountId": event.customer.sequence_account_id,
        "eventTimestamp": _iso(event.event_timestamp),
        "total": event.total,
    }


def _encode_cursor(sort: str, order: str, key: object, seq: int) -> str:
    payload = {
        "s": sort,
        "o": order,
        "k": key.isoformat() if isinstance(key, datetime) else key,
        "q": seq,
    }
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def _decode_cursor(text: str, sort: str, order: str) -> tuple[object, int]:
    try:
        payload = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        key, seq = payload["k"], int(payload["q"])
        if payload["s"] != sort or payload["o"] != order:
            raise BadRequest("That cursor belongs to another sort order.")
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise BadRequest("Invalid pagination cursor.") from None
    if sort == "event_timestamp":
        key = datetime.fromisoformat(key)
    return key, seq


def _filtered_events(request: HttpRequest) -> QuerySet[SeatEvent]:
    events = SeatEvent.objects.select_related("customer")
    if alias := request.GET.get("customerAlias"):
        events = events.filter(customer_alias=alias)
    if ids := _customer_ids(request):
        events = events.filter(customer_id__in=ids)
    if seat_types := _csv(request.GET.get("seatType", "")):
        events = events.filter(seat_type__in=seat_types)
    if customer_event_id := request.GET.get("customerEventId"):
        events = events.filter(customer_event_id=customer_event_id)
    if after := request.GET.get("eventTimestampAfter"):
        events = events.filter(event_timestamp__gte=parse_timestamp(after, "eventTimestampAfter"))
    if before := request.GET.get("eventTimestampBefore"):
        events = events.filter(event_timestamp__lte=parse_timestamp(before, "eventTimestampBefore"))
    return events


def _list_events(request: HttpRequest) -> HttpResponse:
    try:
        limit = int(request.GET.get("limit", DEFAULT_LIMIT))
    except ValueError:
        raise BadRequest("limit must be a whole number between 1 and 100.") from None
    if not 1 <= limit <= 100:
        raise BadRequest("limit must be between 1 and 100 (inclusive).")
    order = request.GET.get("sortOrder", "DESC").upper()
    if order not in ("ASC", "DESC"):
        raise BadRequest("sortOrder must be ASC or DESC.")
    sort_by = request.GET.get("sortBy", "createdAt")
    if sort_by not in SORT_FIELDS:
        raise BadRequest(f"sortBy must be one of {', '.join(SORT_FIELDS)}.")
    field = SORT_FIELDS[sort_by]
    if request.GET.get("after") and request.GET.get("before"):
        raise BadRequest("Send after or before, not both.")

    events = _filtered_events(request)
    total = events.count()
    descending = order == "DESC"
    forward = [f"-{field}", "-seq"] if descending else [field, "seq"]
    backward = [f"{field}", "seq"] if descending else [f"-{field}", "-seq"]

    def beyond(key: object, seq: int, *, ahead: bool) -> Q:
        later = ahead != descending
        op = "gt" if later else "lt"
        if field == "seq":
            return Q(**{f"seq__{op}": seq})
        return Q(**{f"{field}__{op}": key}) | Q(**{field: key, f"seq__{op}": seq})

    if cursor := request.GET.get("after"):
        key, seq = _decode_cursor(cursor, field, order)
        page = list(events.filter(beyond(key, seq, ahead=True)).order_by(*forward)[: limit + 1])
        has_more, page = len(page) > limit, page[:limit]
        has_previous = True
    elif cursor := request.GET.get("before"):
        key, seq = _decode_cursor(cursor, field, order)
        page = list(events.filter(beyond(key, seq, ahead=False)).order_by(*backward)[: limit + 1])
        has_previous, page = len(page) > limit, page[:limit][::-1]
        has_more = True
    else:
        page = list(events.order_by(*forward)[: limit + 1])
        has_more, page = len(page) > limit, page[:limit]
        has_previous = False

    pagination: dict[str, object] = {"totalResultSize": total}
    if page and has_more:
        last = page[-1]
        pagination["after"] = _encode_cursor(field, order, getattr(last, field), last.seq)
    if page and has_previous:
        first = page[0]
        pagination["before"] = _encode_cursor(field, order, getattr(first, field), first.seq)
    return _json({"items": [_event_json(event) for event in page], "pagination": pagination})


def _create_event(request: HttpRequest) -> HttpResponse:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise BadRequest("The body must be JSON.") from None
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object.")
    alias, seat_type, total = body.get("customerAlias"), body.get("seatType"), body.get("total")
    if not isinstance(alias, str) or not alias:
        raise BadRequest("customerAlias is required.")
    if not isinstance(seat_type, str) or not seat_type:
        raise BadRequest("seatType is required.")
    if not isinstance(total, int) or isinstance(total, bool) or total < 0:
        raise BadRequest("total must be a whole number of seats, 0 or more.")
    if not isinstance(body.get("eventTimestamp"), str):
        raise BadRequest("eventTimestamp is required (ISO 8601).")
    timestamp = parse_timestamp(body["eventTimestamp"], "eventTimestamp")
    customer_event_id = body.get("customerEventId") or f"evt_{secrets.token_hex(10)}"
    if not isinstance(customer_event_id, str):
        raise BadRequest("customerEventId must be a string.")
    customer = Customer.objects.filter(Q(id=alias) | Q(aliases__value=alias)).distinct().first()
    if customer is None:
        raise BadRequest(f"No customer with alias or ID '{alias[:100]}'.")

    for _ in range(5):  # seq is the receipt order; a concurrent insert may take ours
        try:
            with transaction.atomic():
                now = timezone.now()
                seq = (SeatEvent.objects.aggregate(top=Max("seq"))["top"] or 0) + 1
                superseded = list(
                    SeatEvent.objects.filter(customer_event_id=customer_event_id).values_list(
                        "customer_id", "seat_type"
                    )
                )
                event = SeatEvent.objects.create(
                    id=event_id(now, seq),
                    seq=seq,
                    customer=customer,
                    customer_alias=alias,
                    customer_event_id=customer_event_id,
                    seat_type=seat_type,
                    event_timestamp=timestamp,
                    total=total,
                    received_at=now,
                )
                refresh_balances([(customer.id, seat_type), *superseded])
            return _json(_event_json(event), status=201)
        except IntegrityError:
            continue
    raise BadRequest("Could not record the event; try again.")


def event_id(received_at: datetime, seq: int) -> str:
    """A UUIDv7-shaped id: millisecond time first (ids sort roughly by receipt), then bits derived
    from the receipt number, so the same demo data always gets the same ids."""
    millis = f"{int(received_at.timestamp() * 1000):012x}"
    bits = hashlib.blake2b(seq.to_bytes(8, "big"), digest_size=10).hexdigest()
    return f"{millis[:8]}-{millis[8:]}-7{bits[:3]}-{'89ab'[int(bits[3], 16) % 4]}{bits[4:7]}-{bits[8:20]}"


@api_view("GET", "POST")
def seat_events(request: HttpRequest) -> HttpResponse:
    return _create_event(request) if request.method == "POST" else _list_events(request)


@api_view("GET")
def seat_event(request: HttpRequest, event_id: str) -> HttpResponse:
    event = SeatEvent.objects.select_related("customer").filter(id=event_id).first()
    if event is None:
        return _error(404, "NotFound", f"No seat event with id '{event_id[:80]}'.")
    return _json(_event_json(event))
