"""The Metronome sandbox's demo data: deterministic, consistent ledgers, the greedy cap visible."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from seatdash.sandbox_metronome import demo
from seatdash.sandbox_metronome.models import (
    Contract,
    Customer,
    Grant,
    IngestAlias,
    LedgerEntry,
    Subscription,
)
from seatdash.sandbox_metronome.seat_balances import MAX_GRANTS_PER_PAGE

pytestmark = pytest.mark.django_db


def digest() -> str:
    rows = LedgerEntry.objects.order_by("grant_id", "timestamp", "type", "amount").values_list(
        "grant__seat__seat_id", "grant_id", "type", "amount", "timestamp"
    )
    aliases = IngestAlias.objects.order_by("value").values_list("value", "customer_id")
    return hashlib.sha256(repr((list(rows), list(aliases))).encode()).hexdigest()


def test_seed_same_seed_builds_the_same_rows():
    call_command("sandbox_metronome_seed", "--seed", "3")
    first = digest()
    call_command("sandbox_metronome_seed", "--seed", "3", "--reset")
    assert digest() == first
    call_command("sandbox_metronome_seed", "--seed", "4", "--reset")
    assert digest() != first


def test_seed_existing_data_needs_reset_or_if_empty():
    call_command("sandbox_metronome_seed")
    before = Customer.objects.count()
    with pytest.raises(CommandError):
        call_command("sandbox_metronome_seed")
    call_command("sandbox_metronome_seed", "--if-empty")
    assert Customer.objects.count() == before


def test_seed_demo_data_has_the_shapes_the_pages_need():
    call_command("sandbox_metronome_seed")
    assert 25 <= Customer.objects.count() <= 40
    assert not Customer.objects.filter(aliases__isnull=True).exists()
    modes = Subscription.objects.values_list("quantity_management_mode", flat=True)
    assert "QUANTITY_ONLY" in modes
    assert Contract.objects.filter(name="").exists()
    per_contract = Grant.objects.values("seat__subscription__contract").annotate(n=Count("id"))
    assert max(row["n"] for row in per_contract) > MAX_GRANTS_PER_PAGE
    assert len(set(Grant.objects.values_list("credit_type_id", flat=True))) == 2
    types = set(LedgerEntry.objects.values_list("type", flat=True))
    for suffix in ("SEGMENT_START", "AUTOMATED_INVOICE_DEDUCTION", "EXPIRATION", "MANUAL"):
        assert any(t.endswith(suffix) for t in types), suffix


def test_seed_ledgers_never_go_negative_and_expired_grants_are_empty():
    call_command("sandbox_metronome_seed")
    # Summed in Python: SQLite's SUM over decimals goes through floats.
    balances: dict[object, Decimal] = defaultdict(Decimal)
    expired: set[object] = set()
    for grant_id, kind, amount in LedgerEntry.objects.values_list("grant_id", "type", "amount"):
        balances[grant_id] += amount
        if kind.endswith("_EXPIRATION"):
            expired.add(grant_id)
    assert len(balances) == Grant.objects.count()
    assert min(balances.values()) >= 0
    assert expired
    assert {balances[g] for g in expired} == {Decimal(0)}


def test_seed_shares_sequence_aliases_when_there_are_some(monkeypatch):
    # The Sequence sandbox's first aliases, one of which collides with a generated slug.
    monkeypatch.setattr(demo, "sequence_aliases", lambda limit: ["seq-customer-1", "acme-corp"])
    call_command("sandbox_metronome_seed")
    assert IngestAlias.objects.get(value="seq-customer-1").customer.name == "Acme Corp"
    assert IngestAlias.objects.get(value="acme-corp").customer.name == "Acme Corp"
    assert IngestAlias.objects.values("value").distinct().count() == IngestAlias.objects.count()


def test_sequence_aliases_without_sequence_data_is_empty():
    assert demo.sequence_aliases(5) == []
