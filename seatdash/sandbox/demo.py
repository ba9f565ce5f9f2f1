"""Deterministic demo data: customers, aliases and two years of seat events ending at an anchor.

The same seed and anchor always give the same rows. The histories cover what a CS person meets:
growth, contraction, churn to zero, events that change nothing, backdated events (received after a
newer one) and corrections that supersede an earlier event by re-sending its customerEventId.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from seatdash.sandbox.rules import EventFacts, seat_balance

SEAT_TYPES = ("admin", "editor", "viewer", "guest", "api")
SEAT_TYPE_WEIGHTS = (5, 4, 6, 2, 1)
HISTORY_DAYS = 730

# Names a CS team meets: accents, other scripts, long registered names, punctuation.
SPECIAL_NAMES = (
    "Müller & Söhne GmbH",
    "Société Générale d'Exemple SA",
    "株式会社サンプル",
    "Łódź Logistics Sp. z o.o.",
    "Ωmega Analytics ΙΚΕ",
    "Café Olé S.L.",
    "Internationale Vereinigung für Qualitätssicherung in der Softwareentwicklung e.V.",
    "O'Brien, Hart & Partners LLP",
    "Ærø Fjord Shipping ApS",
    "Ça Va Conseil SARL",
)
FIRST = (
    "Acme",
    "Nordwind",
    "Blue Harbor",
    "Kestrel",
    "Orbital",
    "Lumen",
    "Pinecrest",
    "Vantage",
    "Northstar",
    "Brightline",
    "Copperleaf",
    "Halcyon",
    "Ironbridge",
    "Juniper",
    "Meridian",
    "Quantum",
    "Redwood",
    "Silverline",
    "Tidewater",
    "Umbra",
    "Verity",
    "Westfield",
    "Zephyr",
    "Åkesson",
    "Čapek",
    "Østergaard",
    "Núñez",
    "Dvořák",
    "São Paulo",
    "Gdańsk",
    "Zürich",
)
SECOND = (
    "Systems",
    "Analytics",
    "Labs",
    "Logistics",
    "Health",
    "Media",
    "Robotics",
    "Foods",
    "Capital",
    "Energy",
    "Software",
    "Studios",
    "Networks",
    "Bio",
    "Retail",
    "Consulting",
)
FORMS = ("Inc.", "Ltd", "GmbH", "SAS", "BV", "AB", "Oy", "LLC", "S.p.A.", "Pty Ltd", "AG", "plc")


@dataclass
class DemoEvent:
    id: str
    customer_id: str
    customer_alias: str
    customer_event_id: str
    seat_type: str
    event_timestamp: datetime
    total: int
    received_at: datetime
    seq: int = 0


@dataclass
class DemoCustomer:
    id: str
    legal_name: str
    aliases: list[str]
    created_at: datetime
    events: list[DemoEvent] = field(default_factory=list)


@dataclass
class Demo:
    account_id: str
    customers: list[DemoCustomer]

    def events(self) -> Iterator[DemoEvent]:
        for customer in self.customers:
            yield from customer.events

    def balances(self) -> Iterator[tuple[str, str, int, datetime]]:
        """(customer id, seat type, total, change timestamp) by the balance rule."""
        latest: dict[str, int] = {}
        for event in self.events():
            latest[event.customer_event_id] = max(latest.get(event.customer_event_id, 0), event.seq)
        for customer in self.customers:
            by_type: dict[str, list[EventFacts]] = {}
            for e in customer.events:
                by_type.setdefault(e.seat_type, []).append(
                    EventFacts(e.seq, e.customer_event_id, e.event_timestamp, e.total)
                )
            for seat_type, facts in sorted(by_type.items()):
                result = seat_balance(facts, latest_seq=latest)
                if result is not None:
                    yield customer.id, seat_type, result[0], result[1]


def _uuid(rng: random.Random) -> str:
    value = f"{rng.getrandbits(128):032x}"
    return f"{value[:8]}-{value[8:12]}-4{value[13:16]}-a{value[17:20]}-{value[20:32]}"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > 28:  # cut at a word boundary, not mid-word
        slug = slug[:28].rsplit("-", 1)[0]
    return slug or "customer"


def _name(rng: random.Random, n: int) -> str:
    if n < len(SPECIAL_NAMES):
        return SPECIAL_NAMES[n]
    return f"{rng.choice(FIRST)} {rng.choice(SECOND)} {rng.choice(FORMS)}"


def build(*, customers: int, seed: int, anchor: date) -> Demo:
    rng = random.Random(seed)
    end = datetime.combine(anchor, time.min, tzinfo=UTC)
    start = end - timedelta(days=HISTORY_DAYS)
    account_id = _uuid(rng)
    used_aliases: set[str] = set()
    made: list[DemoCustomer] = []
    events: list[DemoEvent] = []
    ce_counter = 0
    # Bigger demos get shorter histories, so 100,000 customers still load in about a minute.
    max_changes = 10 if customers <= 5_000 else 4

    for n in range(customers):
        name = _name(rng, n)
        base = _slug(name.split(",")[0])
        alias = base if base not in used_aliases else f"{base}-{n}"
        aliases = [alias]
        extra = rng.random()
        if extra < 0.35:
            aliases.append(f"{alias}-{rng.choice(('eu', 'us', 'apac', 'uk'))}")
        if extra < 0.15:
            aliases.append(f"acct-{n:06d}")
        aliases = [a for a in aliases if a not in used_aliases]
        used_aliases.update(aliases)
        created = start + timedelta(minutes=rng.randint(0, (HISTORY_DAYS - 30) * 24 * 60))
        customer = DemoCustomer(_uuid(rng), name, aliases, created)
        made.append(customer)

        pattern = rng.choices(
            ("growth", "contraction", "churn", "steady", "mixed"), weights=(4, 2, 1, 2, 3)
        )[0]
        count = rng.randint(1, 4)
        seat_types = sorted(set(rng.choices(SEAT_TYPES, weights=SEAT_TYPE_WEIGHTS, k=count)))
        if n % 17 == 5:
            continue  # a few customers never send an event: they hold no seats
        for seat_type in seat_types:
            seats = rng.randint(1, 40) * (5 if seat_type == "viewer" else 1)
            moment = created + timedelta(hours=rng.randint(1, 72))
            for step in range(rng.randint(1, max_changes)):
                if step:
                    moment += timedelta(hours=rng.randint(12, 24 * 60))
                    if moment >= end:
                        break
                    if pattern == "growth":
                        seats += rng.randint(0, max(2, seats // 4))
                    elif pattern == "contraction":
                        seats = max(0, seats - rng.randint(0, max(2, seats // 4)))
                    elif pattern == "churn":
                        seats = 0 if step >= 2 else max(0, seats - rng.randint(1, 5))
                    elif pattern == "mixed":
                        seats = max(0, seats + rng.randint(-max(2, seats // 5), max(3, seats // 4)))
                    # "steady" re-sends the same total: an event that changes nothing
                ce_counter += 1
                received = moment + timedelta(seconds=rng.randint(1, 600))
                customer.events.append(
                    DemoEvent(
                        id="",
                        customer_id=customer.id,
                        customer_alias=rng.choice([*aliases, customer.id]),
                        customer_event_id=f"evt-{ce_counter:07d}",
                        seat_type=seat_type,
                        event_timestamp=moment,
                        total=seats,
                        received_at=received,
                    )
                )
        if customer.events and rng.random() < 0.08:
            # A correction: the same customerEventId sent again later with another total.
            original = rng.choice(customer.events)
            customer.events.append(
                DemoEvent(
                    id="",
                    customer_id=customer.id,
                    customer_alias=original.customer_alias,
                    customer_event_id=original.customer_event_id,
                    seat_type=original.seat_type,
                    event_timestamp=original.event_timestamp,
                    total=max(0, original.total + rng.choice((-3, -1, 1, 2, 5))),
                    received_at=original.received_at + timedelta(hours=rng.randint(1, 48)),
                )
            )
        if len(customer.events) >= 2 and rng.random() < 0.08:
            # A backdated event: received after newer ones, about a moment weeks earlier.
            latest = max(customer.events, key=lambda e: e.received_at)
            ce_counter += 1
            customer.events.append(
                DemoEvent(
                    id="",
                    customer_id=customer.id,
                    customer_alias=latest.customer_alias,
                    customer_event_id=f"evt-{ce_counter:07d}",
                    seat_type=latest.seat_type,
                    event_timestamp=latest.event_timestamp - timedelta(days=rng.randint(3, 40)),
                    total=max(0, latest.total + rng.randint(-4, 4)),
                    received_at=latest.received_at + timedelta(hours=rng.randint(1, 24)),
                )
            )
        events.extend(customer.events)

    events.sort(key=lambda e: (e.received_at, e.customer_event_id))
    from seatdash.sandbox.api import event_id

    for seq, event in enumerate(events, start=1):
        event.seq = seq
        event.id = event_id(event.received_at, seq)
    return Demo(account_id=account_id, customers=made)
