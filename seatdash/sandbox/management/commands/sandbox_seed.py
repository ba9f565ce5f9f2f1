"""Load the sandbox's deterministic demo data."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from seatdash.sandbox import demo
from seatdash.sandbox.models import Customer, CustomerAlias, SeatBalance, SeatEvent

BATCH = 5_000


class Command(BaseCommand):
    help = "Fill the Sequence sandbox with demo customers, aliases, seat events and balances."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=300, help="How many (default 300).")
        parser.add_argument(
            "--seed", type=int, default=42, help="Same seed, same data (default 42)."
        )
        parser.add_argument(
            "--anchor",
            type=date.fromisoformat,
            default=None,
            help="Last day of the history, YYYY-MM-DD (default: today, UTC).",
        )
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when data exists.")
        parser.add_argument(
            "--reset", action="store_true", help="Delete existing sandbox data first."
        )

    def handle(self, *args, customers, seed, anchor, if_empty, reset, **options):
        if customers < 1 or customers > 1_000_000:
            raise CommandError("--customers must be between 1 and 1,000,000.")
        if Customer.objects.exists():
            if if_empty:
                self.stdout.write("Sandbox already has data; leaving it as it is.")
                return
            if not reset:
                raise CommandError("The sandbox already has data: add --reset to replace it.")
        started = time.perf_counter()
        data = demo.build(customers=customers, seed=seed, anchor=anchor or datetime.now(UTC).date())
        with transaction.atomic():
            for model in (SeatBalance, SeatEvent, CustomerAlias, Customer):
                model.objects.all().delete()
            Customer.objects.bulk_create(
                (
                    Customer(
                        id=c.id,
                        sequence_account_id=data.account_id,
                        legal_name=c.legal_name,
                        created_at=c.created_at,
                    )
                    for c in data.customers
                ),
                batch_size=BATCH,
            )
            CustomerAlias.objects.bulk_create(
                (
                    CustomerAlias(customer_id=c.id, value=a)
                    for c in data.customers
                    for a in c.aliases
                ),
                batch_size=BATCH,
            )
            SeatEvent.objects.bulk_create(
                (
                    SeatEvent(
                        id=e.id,
                        seq=e.seq,
                        customer_id=e.customer_id,
                        customer_alias=e.customer_alias,
                        customer_event_id=e.customer_event_id,
                        seat_type=e.seat_type,
                        event_timestamp=e.event_timestamp,
                        total=e.total,
                        received_at=e.received_at,
                    )
                    for e in data.events()
                ),
                batch_size=BATCH,
            )
            SeatBalance.objects.bulk_create(
                (
                    SeatBalance(customer_id=cid, seat_type=t, total=n, change_timestamp=at)
                    for cid, t, n, at in data.balances()
                ),
                batch_size=BATCH,
            )
        if options["verbosity"] == 0:
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Sandbox seeded: {len(data.customers):,} customers, "
                f"{SeatEvent.objects.count():,} seat events, {SeatBalance.objects.count():,} balances "
                f"(seed {seed}) in {time.perf_counter() - started:.1f} s."
            )
        )
