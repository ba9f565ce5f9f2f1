"""Shared set-up for benchmarks: an in-memory database, a logged-in client, a fake upstream."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from seatdash.services import balances


class StaticSequence:
    """Answers the balances call with prepared customers and counts how often it was asked."""

    def __init__(self, customers):
        self.customers = customers
        self.calls = 0

    def list_seat_balances(self, **_filters):
        self.calls += 1
        return self.customers


_migrated = False


def logged_in_client() -> Client:
    global _migrated
    if not _migrated:
        call_command("migrate", verbosity=0)
        _migrated = True
    user, _ = get_user_model().objects.get_or_create(username="bench")
    user.groups.add(Group.objects.get(name="exporter"))
    client = Client()
    client.force_login(user)
    return client


def use_upstream(fake) -> None:
    cache.clear()
    balances.forget_decoded_snapshots()
    balances.sequence_client = lambda: fake


def timed(fn: Callable[[], object], *, repeat: int) -> tuple[float, float]:
    """Median and minimum wall time of `fn` in milliseconds."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), min(samples)


def row(label: str, median_ms: float, min_ms: float) -> None:
    print(f"  {label:<58} median {median_ms:8.1f} ms   min {min_ms:8.1f} ms")
