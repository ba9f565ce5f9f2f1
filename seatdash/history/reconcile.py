"""Reconciliation: the balances the held events give, compared with Sequence's own balances.

This is how we learn whether our reading of Sequence's balance rule matches Sequence's arithmetic
on real data. A customer agrees when every seat type has the same total (a type missing on one
side counts as 0) and, where both sides hold it, the same change timestamp.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from seatdash.clients.sequence import CustomerBalances
from seatdash.history.models import Difference, HeldBalance, HeldCustomer, Reconciliation

BATCH = 2000
KEEP_RESULTS = 50


@dataclass(frozen=True, slots=True)
class SeatDifference:
    customer_id: str
    legal_name: str
    seat_type: str
    held_total: int
    sequence_total: int
    held_changed_at: datetime | None
    sequence_changed_at: datetime | None
    listed: bool = True  # False: Sequence's read did not list this customer at all


def compare(
    customers: list[CustomerBalances], *, include_held_only: bool = True
) -> list[SeatDifference]:
    """Every (customer, seat type) where the store and this balances read disagree.

    With `include_held_only`, customers the store holds balances for but the read does not list
    differ too (their Sequence total is 0).
    """
    differences: list[SeatDifference] = []
    listed: set[str] = set()
    for start in range(0, len(customers), BATCH):
        batch = customers[start : start + BATCH]
        held: dict[str, dict[str, tuple[int, datetime]]] = {}
        for customer_id, seat_type, total, changed_at in HeldBalance.objects.filter(
            customer_id__in=[c.id for c in batch]
        ).values_list("customer_id", "seat_type", "total", "changed_at"):
            held.setdefault(customer_id, {})[seat_type] = (total, changed_at)
        for customer in batch:
            listed.add(customer.id)
            mine = held.get(customer.id, {})
            theirs = {b.seat_type: (b.total, b.changed_at) for b in customer.balances}
            for seat_type in sorted(mine.keys() | theirs.keys()):
                held_total, held_at = mine.get(seat_type, (0, None))
                seq_total, seq_at = theirs.get(seat_type, (0, None))
                same_time = held_at is None or seq_at is None or held_at == seq_at
                if held_total != seq_total or not same_time:
                    differences.append(
                        SeatDifference(
                            customer.id,
                            customer.legal_name,
                            seat_type,
                            held_total,
                            seq_total,
                            held_at,
                            seq_at,
                        )
                    )
    if include_held_only:
        rows = HeldBalance.objects.exclude(total=0).values_list(
            "customer_id", "seat_type", "total", "changed_at"
        )
        for customer_id, seat_type, total, changed_at in rows.iterator(chunk_size=BATCH):
            if customer_id not in listed:
                differences.append(
                    SeatDifference(
                        customer_id, "", seat_type, total, 0, changed_at, None, listed=False
                    )
                )
    return differences


def store_result(
    *, customers: int, differences: list[SeatDifference], retried: bool, seconds: float
) -> Reconciliation:
    """Keep this comparison (and the last few before it) for /history/."""
    differing = {d.customer_id for d in differences}
    unlisted = {d.customer_id for d in differences if not d.listed}
    names = dict(HeldCustomer.objects.filter(id__in=differing).values_list("id", "legal_name"))
    with transaction.atomic():
        result = Reconciliation.objects.create(
            checked_at=timezone.now(),
            customers=customers + len(unlisted),
            agreeing=customers - len(differing - unlisted),
            retried=retried,
            seconds=seconds,
        )
        Difference.objects.bulk_create(
            [
                Difference(
                    reconciliation=result,
                    customer_id=d.customer_id,
                    legal_name=d.legal_name or names.get(d.customer_id, ""),
                    seat_type=d.seat_type,
                    held_total=d.held_total,
                    sequence_total=d.sequence_total,
                    held_changed_at=d.held_changed_at,
                    sequence_changed_at=d.sequence_changed_at,
                )
                for d in differences
            ],
            batch_size=BATCH,
        )
        old = Reconciliation.objects.order_by("-checked_at", "-id").values_list("id", flat=True)[
            KEEP_RESULTS:
        ]
        Reconciliation.objects.filter(id__in=list(old)).delete()
    return result


def latest_result() -> Reconciliation | None:
    return Reconciliation.objects.order_by("-checked_at", "-id").first()
