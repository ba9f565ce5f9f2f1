"""The balance rule: how a (customer, seat type) balance follows from its seat events.

- An event's `total` is the absolute seat count for its seat type (not a change).
- A later-received event with the same `customerEventId` supersedes the earlier one: the earlier
  no longer counts, though GET /seat-events still lists it.
- The balance of a (customer, seat type) is the `total` of its latest effective event by
  `eventTimestamp`; on equal timestamps the later-received wins. A backdated event (received after
  a newer one) therefore does not override the newer one.
- Its `changeTimestamp` is the `eventTimestamp` at which the current total was reached: walking
  back over the effective events in time order while the total stays the same.
- A customer's `total` is the sum over its seat types and its `changeTimestamp` the latest of them;
  a customer without events has total 0, no balances, and its creation time as `changeTimestamp`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Max


@dataclass(frozen=True, slots=True)
class EventFacts:
    seq: int
    customer_event_id: str
    event_timestamp: datetime
    total: int


def seat_balance(
    events: Iterable[EventFacts], *, latest_seq: dict[str, int]
) -> tuple[int, datetime] | None:
    """(total, change timestamp) of one seat type, or None when no event counts.

    `latest_seq` maps each customerEventId to the receipt order of its latest event, wherever
    that event is (a re-sent ID may move an event to another seat type or customer).
    """
    effective = sorted(
        (e for e in events if latest_seq.get(e.customer_event_id, e.seq) == e.seq),
        key=lambda e: (e.event_timestamp, e.seq),
    )
    if not effective:
        return None
    total = effective[-1].total
    changed = effective[-1].event_timestamp
    for event in reversed(effective):
        if event.total != total:
            break
        changed = event.event_timestamp
    return total, changed


def refresh_balances(pairs: Iterable[tuple[str, str]]) -> None:
    """Recompute the stored balances of these (customer id, seat type) pairs from their events."""
    from seatdash.sandbox.models import SeatBalance, SeatEvent

    with transaction.atomic():
        for customer_id, seat_type in set(pairs):
            rows = list(
                SeatEvent.objects.filter(customer_id=customer_id, seat_type=seat_type).values_list(
                    "seq", "customer_event_id", "event_timestamp", "total"
                )
            )
            facts = [EventFacts(*row) for row in rows]
            latest = dict(
                SeatEvent.objects.filter(customer_event_id__in={f.customer_event_id for f in facts})
                .values("customer_event_id")
                .annotate(latest=Max("seq"))
                .values_list("customer_event_id", "latest")
            )
            result = seat_balance(facts, latest_seq=latest)
            if result is None:
                SeatBalance.objects.filter(customer_id=customer_id, seat_type=seat_type).delete()
                continue
            total, changed = result
            SeatBalance.objects.update_or_create(
                customer_id=customer_id,
                seat_type=seat_type,
                defaults={"total": total, "change_timestamp": changed},
            )
