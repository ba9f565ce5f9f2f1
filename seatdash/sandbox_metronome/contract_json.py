"""A sandbox contract as Metronome's v1 `Contract` model has it: terms in `current`/`initial`,
`amendments`, and `subscriptions` at the top level (where v1 keeps them, not in `current`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from seatdash.sandbox_metronome.jsonio import timestamp
from seatdash.sandbox_metronome.models import Contract, Subscription

SANDBOX_USER = "seatdash-sandbox"


def _months_later(value: datetime, months: int) -> datetime:
    month = value.month - 1 + months
    return value.replace(year=value.year + month // 12, month=month % 12 + 1)


def _terms_json(contract: Contract) -> dict[str, Any]:
    """`ContractWithoutAmendments`: the required fields, with the lists this sandbox keeps empty."""
    terms: dict[str, Any] = {
        "commits": [],
        "created_at": timestamp(contract.starting_at),
        "created_by": SANDBOX_USER,
        "overrides": [],
        "scheduled_charges": [],
        "starting_at": timestamp(contract.starting_at),
        "ending_before": timestamp(contract.ending_before),
        "transitions": [],
        "usage_statement_schedule": {
            "billing_anchor_date": timestamp(contract.starting_at),
            "frequency": "MONTHLY",
        },
    }
    if contract.name:
        terms["name"] = contract.name
    return terms


def subscription_json(sub: Subscription) -> dict[str, Any]:
    """A v1 `Subscription`; the quantity schedule is one open-ended entry with the seat count."""
    period_start = sub.starting_at
    item: dict[str, Any] = {
        "id": str(sub.id),
        "billing_periods": {
            "current": {
                "starting_at": timestamp(period_start),
                "ending_before": timestamp(_months_later(period_start, 1)),
            }
        },
        "collection_schedule": "ADVANCE",
        "created_at": timestamp(sub.starting_at),
        "proration": {"invoice_behavior": "BILL_IMMEDIATELY", "is_prorated": True},
        "quantity_management_mode": sub.quantity_management_mode,
        "quantity_schedule": [
            {"quantity": sub.quantity, "starting_at": timestamp(sub.starting_at)}
        ],
        "starting_at": timestamp(sub.starting_at),
        "subscription_rate": {
            "billing_frequency": "MONTHLY",
            "product": {"id": str(sub.product_id), "name": sub.product_name},
        },
    }
    if sub.quantity_management_mode == Subscription.SEAT_BASED:
        item["seat_config"] = {"seat_group_key": sub.seat_group_key}
    return item


def contract_json(contract: Contract) -> dict[str, Any]:
    terms = _terms_json(contract)
    return {
        "id": str(contract.id),
        "customer_id": str(contract.customer_id),
        "amendments": [],
        "current": terms,
        "initial": terms,
        "subscriptions": [subscription_json(s) for s in contract.subscriptions.all()],
    }
