"""Reconciliation: a planted disagreement is found with both numbers; a race is retried once."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from seatdash.history.models import Difference
from seatdash.history.reconcile import latest_result
from seatdash.history.sync import sync_once
from seatdash.sandbox.models import SeatBalance as SandboxBalance
from tests.history.support import CountingClient, make_customer, sandbox_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_customers(db):
    make_customer("c1", "Acme", "acme")
    make_customer("c2", "Beta", "beta")
    sandbox_events([("acme", 5, 1), ("acme", 2, 3, "editor"), ("beta", 4, 2)])


def test_planted_disagreement_is_reported_with_both_numbers_after_one_retry(two_customers):
    SandboxBalance.objects.filter(customer_id="c1", seat_type="admin").update(total=50)
    client = CountingClient()
    result = sync_once(client=client)
    assert result.status == "ok"
    reconciliation = latest_result()
    assert (reconciliation.customers, reconciliation.agreeing, reconciliation.retried) == (
        2,
        1,
        True,
    )
    (difference,) = Difference.objects.filter(reconciliation=reconciliation)
    assert (difference.customer_id, difference.legal_name, difference.seat_type) == (
        "c1",
        "Acme",
        "admin",
    )
    assert (difference.held_total, difference.sequence_total) == (5, 50)
    assert client.calls["list_seat_balances"] == 2  # the full read, then the re-read of c1


def test_agreeing_store_is_not_retried(two_customers):
    client = CountingClient()
    result = sync_once(client=client)
    assert (result.reconciliation.agreeing, result.reconciliation.retried) == (2, False)
    assert client.calls["list_seat_balances"] == 1


def test_event_received_between_the_two_reads_agrees_after_the_retry(two_customers):
    client = CountingClient()
    sync_once(client=client)

    def event_arrives_just_before_read(result, kwargs):
        if client.calls["list_seat_balances"] == 2:  # the first read of the second sync
            sandbox_events([("beta", 9, 20)])
            return client.inner.list_seat_balances(**kwargs)
        return result

    client.balance_hook = event_arrives_just_before_read
    result = sync_once(client=client)
    assert result.reconciliation.retried
    assert result.reconciliation.agreeing == 2
    assert not result.reconciliation.differences.exists()


def test_change_timestamp_disagreement_counts_as_differing(two_customers):
    from datetime import UTC, datetime

    SandboxBalance.objects.filter(customer_id="c2").update(
        change_timestamp=datetime(2020, 1, 1, tzinfo=UTC)
    )
    result = sync_once()
    (difference,) = result.reconciliation.differences.all()
    assert difference.customer_id == "c2" and difference.held_total == difference.sequence_total


def test_demo_data_all_customers_agree(db):
    call_command("sandbox_seed", "--customers", "60", "--anchor", "2026-06-01", verbosity=0)
    result = sync_once()
    assert (result.reconciliation.customers, result.reconciliation.agreeing) == (60, 60)
