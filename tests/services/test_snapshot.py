"""The balances snapshot: one live copy in the cache, decoded once, recovered when evicted,
fetched whole from a paged upstream, and the timeline's cap."""

from __future__ import annotations

import threading

import pytest
from django.core.cache import caches
from django.test import override_settings

from seatdash.services import balances as balance_service
from seatdash.services import events as event_service
from seatdash.services.balances import balance_snapshot, balance_snapshot_refresh
from tests.fakes import at, customer, event

pytestmark = pytest.mark.django_db


def _snapshot_data_keys() -> list[str]:
    store = caches["default"]._cache  # local memory: a dict of every key
    return [key for key in store if ":balances:all:data:" in key]


@pytest.fixture
def two_customers(fake_sequence):
    fake_sequence.customers = [customer("c-1", "Acme", {"admin": 1}), customer("c-2", "Zeta", {})]
    return fake_sequence


def test_snapshot_after_20_refreshes_the_cache_holds_at_most_two(two_customers):
    balance_snapshot()
    for _ in range(20):
        assert balance_snapshot_refresh(older_than=0) is not None
    assert two_customers.calls["fetch_seat_balances"] == 21
    assert 1 <= len(_snapshot_data_keys()) <= 2
    assert len(balance_snapshot().value) == 2


def test_snapshot_data_evicted_is_refetched_not_an_error(two_customers):
    balance_snapshot()
    for key in _snapshot_data_keys():
        caches["default"].delete(key.split(":", 2)[2])  # locmem keys are ":version:key"
    balance_service.forget_decoded_snapshots()
    assert _snapshot_data_keys() == []

    again = balance_snapshot()

    assert len(again.value) == 2
    assert two_customers.calls["fetch_seat_balances"] == 2


def test_snapshot_version_decoded_once_per_process_under_concurrency(two_customers, monkeypatch):
    balance_snapshot()
    balance_service.forget_decoded_snapshots()
    decodes = []
    real_index = balance_service.BalanceIndex

    def slow_index(packed):
        decodes.append(1)
        threading.Event().wait(0.2)
        return real_index(packed)

    monkeypatch.setattr(balance_service, "BalanceIndex", slow_index)
    threads = [threading.Thread(target=balance_snapshot) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(decodes) == 1


def test_balance_list_reports_fewer_received_than_sequence_reported(two_customers):
    from seatdash.services.balance_index import BalanceFilters

    two_customers.reported_total = 10
    listing = balance_service.balance_list(filters=BalanceFilters()).value
    assert listing.customers_reported == 10
    assert listing.customer_count == 2


def test_balance_list_says_nothing_when_all_arrived(two_customers):
    from seatdash.services.balance_index import BalanceFilters

    two_customers.reported_total = 2
    assert balance_service.balance_list(filters=BalanceFilters()).value.customers_reported is None


def test_customer_timeline_stops_at_5000_events(fake_sequence):
    fake_sequence.customers = [customer("c-1", "Acme", {"admin": 1}, aliases=("acme",))]
    fake_sequence.events = [event(f"e{n}", total=n, at=at(n)) for n in range(5_001)]

    timeline = event_service.customer_timeline(customer_id="c-1").value

    assert not timeline.complete
    assert len(timeline.rows) == 5_000


@override_settings(SANDBOX_BALANCES_PAGE_SIZE=7)
def test_snapshot_from_a_paged_sandbox_holds_every_customer(settings):
    from django.core.management import call_command

    from seatdash.services.providers import sequence_client

    call_command("sandbox_seed", "--customers", "30", "--anchor", "2026-06-01", verbosity=0)
    pages = []
    found = sequence_client().fetch_seat_balances(on_page=lambda done, total: pages.append(done))

    assert len(found.customers) == 30 == found.reported_total
    assert len({c.id for c in found.customers}) == 30
    assert pages == [7, 14, 21, 28, 30]
    assert len(balance_snapshot().value) == 30
