"""`manage.py sandbox_metronome_seed`: fill the Metronome sandbox with deterministic demo data."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from seatdash.sandbox_metronome.demo import reset_demo, seed_demo
from seatdash.sandbox_metronome.models import Customer


class Command(BaseCommand):
    help = "Create the Metronome sandbox's demo customers, contracts, seats, commits and credits."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=7, help="Random seed (default 7).")
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--if-empty", action="store_true", help="Do nothing when demo data already exists."
        )
        group.add_argument(
            "--reset", action="store_true", help="Delete existing sandbox data first."
        )

    def handle(self, *args, seed: int, if_empty: bool, reset: bool, **options):
        if Customer.objects.exists():
            if if_empty:
                self.stdout.write("Metronome sandbox already has data; nothing to do.")
                return
            if not reset:
                raise CommandError(
                    "The Metronome sandbox already has data: use --reset to replace it "
                    "or --if-empty to keep it."
                )
            reset_demo()
        counts = seed_demo(seed)
        summary = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Metronome sandbox seeded (seed {seed}): {summary}."))
