"""The sandbox's stored balances, kept in step with its events by the shared balance rule.

The rule itself lives in `seatdash.balance_rule` (pure functions, shared with the seat history);
`EventFacts` and `seat_balance` are re-exported here for the sandbox's own callers.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max

from seatdash.balance_rule import EventFacts, seat_balance

__all__ = ["EventFacts", "refresh_balances", "seat_balance"]


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
