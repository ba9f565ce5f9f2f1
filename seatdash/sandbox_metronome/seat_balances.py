"""POST /v1/contracts/seatBalances/list as Metronome documents it, greedy 100-grant cap included."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q

from seatdash.sandbox_metronome.jsonio import (
    ApiError,
    decode_cursor,
    encode_cursor,
    number,
    parse_bool,
    parse_string_list,
    parse_timestamp,
    timestamp,
)
from seatdash.sandbox_metronome.models import (
    Contract,
    Customer,
    Grant,
    LedgerEntry,
    Seat,
    Subscription,
)

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
# "If the total commits/credits across all seats exceeds 100, a limit of 100 applies to the total
# credits and commits. Seats are included greedily": whole seats, until the total reaches it.
MAX_GRANTS_PER_PAGE = 100
# The field report (research notes §2.2): on a large contract an unfiltered enumeration (no
# `seat_ids`) silently stops early while `next_page` turns null. The sandbox reproduces it so the
# dashboard's mitigation (explicit seat_ids batches) is tested against it.
QUIRK_CONTRACT_SEATS = 200
QUIRK_ENUMERATED_SEATS = 150
SEGMENT_START_TYPES = frozenset({"PREPAID_COMMIT_SEGMENT_START", "CREDIT_SEGMENT_START"})


@dataclass(frozen=True)
class Request:
    customer_id: str
    contract_id: str
    subscription_ids: list[str] | None
    seat_ids: list[str] | None
    skip_missing_seat_ids: bool
    include_credits_and_commits: bool
    include_ledgers: bool
    starting_at: datetime | None
    effective_before: datetime | None
    covering_date: datetime | None
    limit: int
    cursor: str | None

    def fingerprint(self) -> str:
        """Ties a cursor to the query it came from, so it cannot page through a different one."""
        fields = {k: v for k, v in self.__dict__.items() if k != "cursor"}
        raw = json.dumps(fields, sort_keys=True, default=str).encode()
        return hashlib.sha256(raw).hexdigest()[:16]


def parse_request(body: dict[str, Any]) -> Request:
    for name in ("customer_id", "contract_id"):
        if not isinstance(body.get(name), str) or not body[name]:
            raise ApiError(400, f"{name} is required.")
    limit = body.get("limit", DEFAULT_LIMIT)
    if limit is None:
        limit = DEFAULT_LIMIT
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ApiError(400, f"limit must be an integer between 1 and {MAX_LIMIT}.")
    request = Request(
        customer_id=body["customer_id"],
        contract_id=body["contract_id"],
        subscription_ids=parse_string_list(body, "subscription_ids"),
        seat_ids=parse_string_list(body, "seat_ids"),
        skip_missing_seat_ids=parse_bool(body, "skip_missing_seat_ids"),
        include_credits_and_commits=parse_bool(body, "include_credits_and_commits"),
        include_ledgers=parse_bool(body, "include_ledgers"),
        starting_at=parse_timestamp(body, "starting_at"),
        effective_before=parse_timestamp(body, "effective_before"),
        covering_date=parse_timestamp(body, "covering_date"),
        limit=limit,
        cursor=body.get("cursor"),
    )
    if request.covering_date is not None and (
        request.starting_at is not None or request.effective_before is not None
    ):
        raise ApiError(400, "covering_date cannot be used with starting_at or effective_before.")
    return request


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _grant_filter(request: Request) -> Q:
    q = Q()
    if request.starting_at is not None:
        q &= Q(start_date__gte=request.starting_at)
    if request.effective_before is not None:
        q &= Q(start_date__lte=request.effective_before)
    if request.covering_date is not None:
        q &= Q(start_date__lte=request.covering_date) & (
            Q(end_date__isnull=True) | Q(end_date__gt=request.covering_date)
        )
    return q


def _subscriptions(request: Request, contract: Contract) -> list[Subscription]:
    on_contract = {str(s.id): s for s in contract.subscriptions.all()}
    if request.subscription_ids is None:
        return [s for s in on_contract.values() if s.quantity_management_mode == "SEAT_BASED"]
    chosen = []
    for sub_id in request.subscription_ids:
        sub = on_contract.get(str(_uuid_or_none(sub_id)))
        if sub is None:
            raise ApiError(400, f"Subscription {sub_id} not found on contract {contract.id}.")
        if sub.quantity_management_mode != "SEAT_BASED":
            raise ApiError(400, f"Subscription {sub_id} is not a SEAT_BASED subscription.")
        chosen.append(sub)
    return chosen


def list_seat_balances(body: dict[str, Any]) -> dict[str, Any]:
    request = parse_request(body)
    customer_uuid = _uuid_or_none(request.customer_id)
    if customer_uuid is None or not Customer.objects.filter(id=customer_uuid).exists():
        raise ApiError(404, f"Customer {request.customer_id} not found.")
    contract_uuid = _uuid_or_none(request.contract_id)
    contract = Contract.objects.filter(id=contract_uuid, customer_id=customer_uuid).first()
    if contract_uuid is None or contract is None:
        raise ApiError(404, f"Contract {request.contract_id} not found.")
    subscriptions = _subscriptions(request, contract)

    # A seat id may sit on several subscriptions of the contract; Metronome reports it once.
    all_seat_ids = sorted(
        set(Seat.objects.filter(subscription__in=subscriptions).values_list("seat_id", flat=True))
    )
    if request.seat_ids is not None:
        known = set(all_seat_ids)
        missing = [s for s in dict.fromkeys(request.seat_ids) if s not in known]
        if missing and not request.skip_missing_seat_ids:
            raise ApiError(400, f"Seat ids not found on contract: {', '.join(missing[:10])}.")
        wanted = set(request.seat_ids)
        all_seat_ids = [s for s in all_seat_ids if s in wanted]
    elif len(all_seat_ids) > QUIRK_CONTRACT_SEATS:
        all_seat_ids = all_seat_ids[:QUIRK_ENUMERATED_SEATS]

    offset = 0
    fingerprint = request.fingerprint()
    if request.cursor is not None:
        payload = decode_cursor(request.cursor)
        offset = payload.get("o")
        if payload.get("q") != fingerprint or not isinstance(offset, int) or offset < 0:
            raise ApiError(400, "Invalid cursor.")

    grant_filter = _grant_filter(request)
    grants = Grant.objects.filter(grant_filter, seat__subscription__in=subscriptions)
    page_seat_ids = all_seat_ids[offset : offset + request.limit]
    if request.include_credits_and_commits:
        counts = dict(
            grants.filter(seat__seat_id__in=page_seat_ids)
            .values_list("seat__seat_id")
            .annotate(n=Count("id"))
        )
        included: list[str] = []
        total = 0
        for seat_id in page_seat_ids:
            if total >= MAX_GRANTS_PER_PAGE:
                break
            included.append(seat_id)
            total += counts.get(seat_id, 0)
        page_seat_ids = included

    ledger_qs = LedgerEntry.objects.order_by("timestamp", "id")
    by_seat: dict[str, list[Grant]] = defaultdict(list)
    for grant in (
        grants.filter(seat__seat_id__in=page_seat_ids)
        .select_related("seat")
        .prefetch_related(Prefetch("ledger_entries", queryset=ledger_qs))
        .order_by("start_date", "id")
    ):
        by_seat[grant.seat.seat_id].append(grant)

    data = [_seat_json(seat_id, by_seat[seat_id], request) for seat_id in page_seat_ids]
    next_offset = offset + len(page_seat_ids)
    remaining = max(0, len(all_seat_ids) - next_offset)
    return {
        "data": data,
        "pagination": {
            "seats_included": len(page_seat_ids),
            "seats_available_for_next_page": remaining,
            "next_page": encode_cursor({"o": next_offset, "q": fingerprint}) if remaining else None,
        },
    }


def _seat_json(seat_id: str, grants: list[Grant], request: Request) -> dict[str, Any]:
    totals: dict[tuple[str, str], list[Decimal]] = {}
    rendered: dict[str, list[dict[str, Any]]] = {"commit": [], "credit": []}
    for grant in grants:
        entries = list(grant.ledger_entries.all())
        balance = sum((e.amount for e in entries), Decimal(0))
        starting = sum((e.amount for e in entries if e.type in SEGMENT_START_TYPES), Decimal(0))
        key = (str(grant.credit_type_id), grant.access_type)
        bucket = totals.setdefault(key, [Decimal(0), Decimal(0)])
        bucket[0] += balance
        bucket[1] += starting
        item: dict[str, Any] = {
            "id": str(grant.id),
            "balance": number(balance),
            "start_date": timestamp(grant.start_date),
            "end_date": timestamp(grant.end_date),
            "credit_type_id": str(grant.credit_type_id),
            "access_type": grant.access_type,
        }
        # The documented behaviour: include_ledgers applies only with include_credits_and_commits.
        if request.include_ledgers:
            item["ledger_entries"] = [
                {"type": e.type, "amount": number(e.amount), "timestamp": timestamp(e.timestamp)}
                for e in entries
            ]
        rendered[grant.kind].append(item)
    seat: dict[str, Any] = {
        "seat_id": seat_id,
        "balances": [
            {
                "credit_type_id": credit_type_id,
                "access_type": access_type,
                "balance": number(balance),
                "starting_balance": number(starting),
            }
            for (credit_type_id, access_type), (balance, starting) in sorted(totals.items())
        ],
    }
    if request.include_credits_and_commits:
        seat["commits"] = rendered["commit"]
        seat["credits"] = rendered["credit"]
    return seat
