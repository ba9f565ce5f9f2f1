"""Synthetic customers with the shape of the sandbox's demo data, built fast and deterministically."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from seatdash.clients.sequence import CustomerBalances, SeatBalance

SEAT_TYPES = ("admin", "editor", "viewer", "guest", "api")
WORDS = ("Acme", "Nordic", "Blue", "Müller", "Orbit", "Kite", "Société", "Delta", "Lumen", "Pine")


def customers(count: int, *, seed: int = 7) -> list[CustomerBalances]:
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    made = []
    for n in range(count):
        types = rng.sample(SEAT_TYPES, rng.randint(1, 4))
        balances = tuple(
            SeatBalance(t, rng.randint(0, 400), start + timedelta(minutes=rng.randint(0, 10**6)))
            for t in types
        )
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {n:06d} GmbH"
        made.append(
            CustomerBalances(
                id=f"{rng.getrandbits(128):032x}",
                sequence_account_id="bench",
                legal_name=name,
                aliases=(f"cust-{n:06d}", f"alias-{n:06d}-eu")[: rng.randint(1, 2)],
                total=sum(b.total for b in balances),
                changed_at=max(b.changed_at for b in balances),
                balances=balances,
            )
        )
    return made
