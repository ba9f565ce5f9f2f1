"""POST /v1/contracts/getSubscriptionSeatsHistory: one open-ended period per SEAT_BASED
subscription, its assigned seat IDs and total quantity, paged by `cursor` (1 to 10 a page)."""

from __future__ import annotations

import uuid
from typing import Any

from seatdash.sandbox_metronome.jsonio import ApiError, parse_timestamp, timestamp
from seatdash.sandbox_metronome.models import Subscription

MAX_LIMIT = 10


def _subscription(body: dict[str, Any]) -> Subscription:
    for name in ("customer_id", "contract_id", "subscription_id"):
        if not isinstance(body.get(name), str) or not body[name]:
            raise ApiError(400, f"{name} is required.")
    try:
        sub_id = uuid.UUID(body["subscription_id"])
        contract_id = uuid.UUID(body["contract_id"])
        customer_id = uuid.UUID(body["customer_id"])
    except ValueError:
        raise ApiError(404, f"Subscription {body['subscription_id']} not found.") from None
    sub = Subscription.objects.filter(
        id=sub_id, contract_id=contract_id, contract__customer_id=customer_id
    ).first()
    if sub is None:
        raise ApiError(404, f"Subscription {body['subscription_id']} not found.")
    if sub.quantity_management_mode != Subscription.SEAT_BASED:
        # As reported from production: QUANTITY_ONLY subscriptions are refused.
        raise ApiError(400, f"Subscription {sub_id} is not a SEAT_BASED subscription.")
    return sub


def seats_history(body: dict[str, Any]) -> dict[str, Any]:
    sub = _subscription(body)
    covering = parse_timestamp(body, "covering_date")
    starting = parse_timestamp(body, "starting_at")
    ending = parse_timestamp(body, "ending_before")
    if covering is not None and (starting is not None or ending is not None):
        raise ApiError(400, "covering_date cannot be used with starting_at or ending_before.")
    limit = body.get("limit") or MAX_LIMIT
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ApiError(400, f"limit must be an integer between 1 and {MAX_LIMIT}.")
    # The sandbox keeps one seat period per subscription: from its start, open-ended.
    in_range = (covering is None or covering >= sub.starting_at) and (
        ending is None or ending > sub.starting_at
    )
    data = []
    if in_range and not body.get("cursor"):
        data.append(
            {
                "starting_at": timestamp(sub.starting_at),
                "ending_before": None,
                "total_quantity": sub.quantity,
                "assigned_seat_ids": list(sub.seats.values_list("seat_id", flat=True)),
            }
        )
    return {"data": data, "next_page": None}
