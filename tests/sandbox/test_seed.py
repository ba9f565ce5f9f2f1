from __future__ import annotations

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from seatdash.sandbox import demo
from seatdash.sandbox.models import Customer, CustomerAlias, SeatBalance, SeatEvent
from seatdash.sandbox.rules import refresh_balances

ANCHOR = date(2026, 6, 1)


def fingerprint(data: demo.Demo) -> list:
    return [
        (
            c.id,
            c.legal_name,
            tuple(c.aliases),
            [(e.id, e.total, e.event_timestamp) for e in c.events],
        )
        for c in data.customers
    ]


def test_demo_same_seed_same_data_other_seed_other_data():
    one = demo.build(customers=50, seed=1, anchor=ANCHOR)
    assert fingerprint(one) == fingerprint(demo.build(customers=50, seed=1, anchor=ANCHOR))
    assert fingerprint(one) != fingerprint(demo.build(customers=50, seed=2, anchor=ANCHOR))


def test_demo_covers_the_cases_a_cs_person_meets():
    data = demo.build(customers=400, seed=42, anchor=ANCHOR)
    events = list(data.events())
    by_ceid: dict[str, int] = {}
    for e in events:
        by_ceid[e.customer_event_id] = by_ceid.get(e.customer_event_id, 0) + 1
    assert any(n > 1 for n in by_ceid.values()), "superseded events"
    assert any(not c.isascii() for c in "".join(c.legal_name for c in data.customers)), (
        "non-ASCII names"
    )
    assert any(len(c.aliases) > 1 for c in data.customers), "several aliases"
    assert any(not c.events for c in data.customers), "customers without seats"
    balances = list(data.balances())
    assert any(total == 0 for _, _, total, _ in balances), "churn to zero"
    backdated = 0
    latest: dict[tuple[str, str], object] = {}
    for e in sorted(events, key=lambda e: e.seq):
        key = (e.customer_id, e.seat_type)
        if key in latest and e.event_timestamp < latest[key]:
            backdated += 1
        latest[key] = max(latest.get(key, e.event_timestamp), e.event_timestamp)
    assert backdated, "backdated events"
    aliases = [a for c in data.customers for a in c.aliases]
    assert len(aliases) == len(set(aliases)), "aliases are globally unique"


@pytest.mark.django_db
def test_seed_command_stores_balances_that_match_a_recomputation():
    call_command("sandbox_seed", "--customers", "60", "--anchor", "2026-06-01", verbosity=0)
    assert Customer.objects.count() == 60
    stored = set(
        SeatBalance.objects.values_list("customer_id", "seat_type", "total", "change_timestamp")
    )
    refresh_balances(SeatEvent.objects.values_list("customer_id", "seat_type").distinct())
    assert (
        set(
            SeatBalance.objects.values_list("customer_id", "seat_type", "total", "change_timestamp")
        )
        == stored
    )


@pytest.mark.django_db
def test_seed_command_if_empty_keeps_data_and_reset_replaces_it():
    call_command("sandbox_seed", "--customers", "10", "--anchor", "2026-06-01", verbosity=0)
    first = set(CustomerAlias.objects.values_list("value", flat=True))
    call_command("sandbox_seed", "--customers", "30", "--if-empty", verbosity=0)
    assert Customer.objects.count() == 10
    with pytest.raises(CommandError, match="--reset"):
        call_command("sandbox_seed", "--customers", "30", verbosity=0)
    call_command(
        "sandbox_seed",
        "--customers",
        "30",
        "--seed",
        "9",
        "--reset",
        "--anchor",
        "2026-06-01",
        verbosity=0,
    )
    assert Customer.objects.count() == 30
    assert set(CustomerAlias.objects.values_list("value", flat=True)) != first
