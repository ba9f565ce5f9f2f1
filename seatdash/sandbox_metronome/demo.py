"""Deterministic demo data for the Metronome sandbox: the same seed always builds the same rows.

Over 300 lines of demo data: the names, and the builder that turns one seed into the same
customers, contracts, subscriptions, commits and credits every time.
"""

from __future__ import annotations

import random
import re
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import FieldError
from django.db import DatabaseError, transaction

from seatdash.sandbox_metronome.models import (
    Contract,
    CreditType,
    Customer,
    Grant,
    IngestAlias,
    LedgerEntry,
    Seat,
    Subscription,
)

# Ledger activity is generated up to this instant, so the data does not depend on the day it is
# seeded; later credits exist with only their segment start.
DEMO_AS_OF = datetime(2026, 11, 15, tzinfo=UTC)
# Metronome's own id of its "USD (cents)" credit type.
USD_CENTS_ID = uuid.UUID("2714e483-4ff1-48e4-9e25-ac732e8f24f2")
SEAT_CREDITS_ID = uuid.UUID("6c4f3d0e-8b1a-4d8e-9c6b-5a3f2e1d0c9b")
SHARED_ALIASES = 8
CENT = Decimal("0.01")

COMPANIES = [
    "Acme Corp", "Globex", "Initech", "Umbrella Labs", "Hooli", "Stark Industries",
    "Wayne Enterprises", "Wonka Foods", "Cyberdyne", "Soylent Co", "Tyrell Systems",
    "Aperture Science", "Black Mesa", "Vandelay Import", "Pied Piper", "Dunder Mifflin",
    "Prestige Worldwide", "Gringotts", "Oscorp", "Monarch Solutions", "Nakatomi Trading",
    "Massive Dynamic", "Sterling Cooper", "Bluth Company", "Krusty Krab", "Planet Express",
    "Virtucon", "Gekko & Co", "Los Pollos", "Duff Brewing",
]  # fmt: skip


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return (Decimal(rng.randint(low * 100, high * 100)) / 100).quantize(CENT)


def _add_months(value: datetime, months: int) -> datetime:
    month = value.month - 1 + months
    return value.replace(year=value.year + month // 12, month=month % 12 + 1)


def sequence_aliases(limit: int) -> list[str]:
    """The first `limit` aliases of the Sequence sandbox's demo customers (one per customer), by
    value; empty when that sandbox has no alias model, no table or no rows yet."""
    try:
        model = apps.get_model("sandbox", "CustomerAlias")
    except LookupError:
        return []
    picked: list[str] = []
    seen: set[object] = set()
    try:
        with transaction.atomic():  # a missing table must not break an outer transaction
            rows = model.objects.order_by("value", "pk").values_list("value", "customer_id")
            for value, customer_id in rows:
                if customer_id in seen or not value:
                    continue
                seen.add(customer_id)
                picked.append(value)
                if len(picked) == limit:
                    break
    except (DatabaseError, FieldError):
        return []
    return picked


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.grants: list[Grant] = []
        self.entries: list[LedgerEntry] = []

    def ledger(self, grant: Grant, amount: Decimal, prefix: str) -> None:
        """Segment start, invoice deductions, a rare manual adjustment and expiry: the balance
        is always the sum of the entries and never below zero."""
        rng = self.rng
        start, end = grant.start_date, grant.end_date
        self.entries.append(
            LedgerEntry(grant=grant, type=f"{prefix}_SEGMENT_START", amount=amount, timestamp=start)
        )
        if start > DEMO_AS_OF:
            return
        # USD (cents) moves in whole cents; custom credit types keep two places.
        unit = Decimal(1) if grant.credit_type_id == USD_CENTS_ID else CENT
        remaining = amount
        last = min(end, DEMO_AS_OF) if end else DEMO_AS_OF
        span = max(1, int((last - start).total_seconds() // 86400))
        if prefix == "PREPAID_COMMIT":
            # A prepaid commit is drawn down by every monthly invoice.
            days = [(_add_months(start, m) - start).days for m in range(1, 12)]
            days = [d for d in days if d <= span]
        else:
            days = sorted(rng.sample(range(1, span + 1), k=min(span, rng.randint(0, 4))))
        for day in days:
            share = rng.randint(3, 9) if prefix == "PREPAID_COMMIT" else rng.randint(5, 45)
            used = (remaining * Decimal(share) / 100).quantize(unit)
            if used <= 0:
                continue
            remaining -= used
            self.entries.append(
                LedgerEntry(
                    grant=grant,
                    type=f"{prefix}_AUTOMATED_INVOICE_DEDUCTION",
                    amount=-used,
                    timestamp=start + timedelta(days=day, hours=6),
                )
            )
        if rng.random() < 0.12:
            # Support tops a seat up, or claws back a goodwill grant, by hand.
            change = _money(rng, 5, 50) * rng.choice([1, -1]) * (100 if unit == 1 else 1)
            change = max(change, -remaining)
            remaining += change
            self.entries.append(
                LedgerEntry(
                    grant=grant,
                    type=f"{prefix}_MANUAL",
                    amount=change,
                    timestamp=start + timedelta(hours=12),
                )
            )
        if end is not None and end <= DEMO_AS_OF and remaining > 0:
            self.entries.append(
                LedgerEntry(
                    grant=grant, type=f"{prefix}_EXPIRATION", amount=-remaining, timestamp=end
                )
            )

    def grant(self, seat: Seat, kind: str, credit_type_id: uuid.UUID, start, end, amount) -> None:
        grant = Grant(
            id=_uuid(self.rng),
            seat=seat,
            kind=kind,
            credit_type_id=credit_type_id,
            access_type="SPEND",
            start_date=start,
            end_date=end,
        )
        self.grants.append(grant)
        self.ledger(grant, amount, "PREPAID_COMMIT" if kind == Grant.COMMIT else "CREDIT")


def seed_demo(seed: int = 7) -> dict[str, int]:
    """Build the demo rows in one transaction; the caller makes sure the tables are empty."""
    rng_aliases = sequence_aliases(SHARED_ALIASES)
    b = _Builder(seed)
    rng = b.rng
    with transaction.atomic():
        CreditType.objects.bulk_create(
            [
                CreditType(id=USD_CENTS_ID, name="USD (cents)"),
                CreditType(id=SEAT_CREDITS_ID, name="Seat credits"),
            ]
        )
        used_aliases: set[str] = set()
        seats_total = 0
        for index, company in enumerate(COMPANIES):
            slug = _slug(company)
            customer = Customer.objects.create(
                id=_uuid(rng),
                external_id=f"crm-{1000 + index}",
                name=company,
                created_at=datetime(2025, 1, 6, tzinfo=UTC) + timedelta(days=7 * index),
            )
            aliases = [rng_aliases[index]] if index < len(rng_aliases) else []
            aliases += [slug, f"{slug}.example"]
            aliases = [a for a in dict.fromkeys(aliases) if a not in used_aliases]
            used_aliases.update(aliases)
            IngestAlias.objects.bulk_create(
                [IngestAlias(customer=customer, value=v, position=i) for i, v in enumerate(aliases)]
            )
            terms = [(datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))]
            if index % 3 == 2:
                terms.insert(
                    0, (datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
                )
            for number, (start, end) in enumerate(terms):
                contract = Contract.objects.create(
                    id=_uuid(rng),
                    customer=customer,
                    # One contract without a name, as Metronome allows.
                    name="" if index == 5 else f"{company} {start.year}",
                    starting_at=start,
                    ending_before=end,
                )
                # Customer 1 is the large account whose seats overflow the 100-grant page cap.
                big = index == 1 and number == len(terms) - 1
                seats_total += _subscriptions(b, contract, slug, big=big, with_fee=index == 4)
        seats_total += _many_contracts(b)
        Grant.objects.bulk_create(b.grants, batch_size=1000)
        LedgerEntry.objects.bulk_create(b.entries, batch_size=2000)
    return {
        "customers": len(COMPANIES) + 1,
        "contracts": Contract.objects.count(),
        "seats": seats_total,
        "grants": len(b.grants),
        "ledger_entries": len(b.entries),
        "shared_aliases": len(rng_aliases),
    }


def _subscriptions(b: _Builder, contract: Contract, slug: str, *, big: bool, with_fee: bool) -> int:
    rng = b.rng
    start, end = contract.starting_at, contract.ending_before
    plans = [("Pro seats", 30 if big else rng.randint(3, 9), True)]
    if big or rng.random() < 0.35:
        plans.append(("Viewer seats", rng.randint(2, 6), False))
    numbers = rng.sample(range(1, 10000), k=sum(n for _, n, _ in plans))
    seats = 0
    for product, count, pro in plans:
        sub = Subscription.objects.create(
            id=_uuid(rng),
            contract=contract,
            quantity_management_mode=Subscription.SEAT_BASED,
            seat_group_key="user_id",
            product_id=_uuid(rng),
            product_name=product,
            quantity=count,
            starting_at=start,
        )
        made = Seat.objects.bulk_create(
            [
                Seat(subscription=sub, seat_id=f"user_{numbers.pop():04d}@{slug}.example")
                for _ in range(count)
            ]
        )
        seats += len(made)
        for seat in made:
            if pro:
                # An annual prepaid commit in dollars plus a monthly allowance of seat credits.
                b.grant(seat, Grant.COMMIT, USD_CENTS_ID, start, end, _money(rng, 600, 2400) * 100)
                for month in range(12):
                    month_start = _add_months(start, month)
                    b.grant(
                        seat,
                        Grant.CREDIT,
                        SEAT_CREDITS_ID,
                        month_start,
                        _add_months(start, month + 1),
                        Decimal(500),
                    )
            else:
                for quarter in range(4):
                    q_start = _add_months(start, 3 * quarter)
                    b.grant(
                        seat, Grant.CREDIT, USD_CENTS_ID, q_start, _add_months(q_start, 3),
                        _money(rng, 50, 150) * 100,
                    )  # fmt: skip
    if with_fee:
        Subscription.objects.create(
            id=_uuid(rng),
            contract=contract,
            quantity_management_mode=Subscription.QUANTITY_ONLY,
            product_id=_uuid(rng),
            product_name="Platform fee",
            quantity=1,
            starting_at=start,
        )
    return seats


# The account a real Metronome showed wrongly: more contracts than one contracts/list page (20)
# and one contract larger than an unfiltered seat enumeration returns (see seat_balances.py).
MANY_CONTRACTS_NAME = "Initrode Global"
MANY_CONTRACTS = 22
LARGE_CONTRACT_SEATS = 250


def _many_contracts(b: _Builder) -> int:
    rng = b.rng
    customer = Customer.objects.create(
        id=_uuid(rng),
        external_id="crm-2000",
        name=MANY_CONTRACTS_NAME,
        created_at=datetime(2025, 9, 1, tzinfo=UTC),
    )
    IngestAlias.objects.create(customer=customer, value="initrode-global", position=0)
    seats_total = 0
    for number in range(MANY_CONTRACTS):
        start = _add_months(datetime(2025, 1, 1, tzinfo=UTC), number)
        large = number == MANY_CONTRACTS - 1
        contract = Contract.objects.create(
            id=_uuid(rng),
            customer=customer,
            name=f"Initrode {'Enterprise' if large else f'Team {number + 1:02d}'}",
            starting_at=start,
            ending_before=_add_months(start, 12),
        )
        count = LARGE_CONTRACT_SEATS if large else 2
        sub = Subscription.objects.create(
            id=_uuid(rng),
            contract=contract,
            quantity_management_mode=Subscription.SEAT_BASED,
            seat_group_key="user_id",
            product_id=_uuid(rng),
            product_name="Enterprise seats" if large else "Team seats",
            quantity=count,
            starting_at=start,
        )
        made = Seat.objects.bulk_create(
            [
                Seat(subscription=sub, seat_id=f"user_{n:04d}@initrode.example")
                for n in range(1, count + 1)
            ]
        )
        seats_total += len(made)
        for seat in made:
            # One prepaid dollar commit and the current month's seat credits: enough to total.
            b.grant(
                seat,
                Grant.COMMIT,
                USD_CENTS_ID,
                start,
                contract.ending_before,
                _money(rng, 300, 900) * 100,
            )
            month = _add_months(datetime(2026, 11, 1, tzinfo=UTC), 0)
            b.grant(seat, Grant.CREDIT, SEAT_CREDITS_ID, month, _add_months(month, 1), Decimal(500))
    return seats_total


def reset_demo() -> None:
    with transaction.atomic():
        LedgerEntry.objects.all().delete()
        Grant.objects.all().delete()
        Customer.objects.all().delete()
        CreditType.objects.all().delete()
