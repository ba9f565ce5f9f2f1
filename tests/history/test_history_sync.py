"""The seat-events sync against the sandbox: initial, incremental, resume, idempotence, the lease,
bad payloads, and the balance rule's hard cases (superseded, backdated, ties) end to end."""

from __future__ import annotations

import math

import pytest
from django.core.management import call_command

from seatdash.clients.errors import UpstreamUnavailable
from seatdash.history import queries
from seatdash.history.models import HeldBalance, SeatChange, SeatEvent, SyncChain, SyncState
from seatdash.history.sync import acquire_lease, release_lease, sync_once
from seatdash.sandbox.models import SeatBalance as SandboxBalance
from seatdash.sandbox.models import SeatEvent as SandboxEvent
from tests.history.support import CountingClient, make_customer, sandbox_events, tampering_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("sandbox_seed", "--customers", "40", "--anchor", "2026-06-01", verbosity=0)
    return SandboxEvent.objects.count()


def held_in_receipt_order() -> list[str]:
    return list(SeatEvent.objects.order_by("position").values_list("id", flat=True))


def sandbox_in_receipt_order() -> list[str]:
    return list(SandboxEvent.objects.order_by("seq").values_list("id", flat=True))


def held_balances() -> dict[tuple[str, str], tuple[int, object]]:
    return {
        (b.customer_id, b.seat_type): (b.total, b.changed_at) for b in HeldBalance.objects.all()
    }


def sandbox_balances() -> dict[tuple[str, str], tuple[int, object]]:
    return {
        (b.customer_id, b.seat_type): (b.total, b.change_timestamp)
        for b in SandboxBalance.objects.all()
    }


def test_initial_sync_holds_every_event_field_in_receipt_order_and_agrees(demo):
    client = CountingClient()
    result = sync_once(client=client)
    assert result.status == "ok", result.error
    assert result.new_events == demo
    assert client.calls["list_seat_events"] == math.ceil(demo / 100)
    assert held_in_receipt_order() == sandbox_in_receipt_order()
    source = SandboxEvent.objects.select_related("customer").order_by("?").first()
    held = SeatEvent.objects.get(id=source.id)
    assert (held.customer_event_id, held.customer_alias, held.seat_type, held.total) == (
        source.customer_event_id,
        source.customer_alias,
        source.seat_type,
        source.total,
    )
    assert held.sequence_account_id == source.customer.sequence_account_id
    assert held.event_timestamp == source.event_timestamp.replace(microsecond=0)
    assert held.customer_id == source.customer_id
    assert held_balances() == sandbox_balances()
    reconciliation = result.reconciliation
    assert (reconciliation.customers, reconciliation.agreeing) == (40, 40)
    assert not SyncChain.objects.exists()
    assert queries.synced_at() is not None


def test_incremental_sync_reads_new_pages_plus_one_and_ranks_new_events_above(demo):
    sync_once()
    make_customer("late", "Late Ltd", "late-co")
    sandbox_events([("late-co", i % 7, 1 + i % 27) for i in range(150)])
    client = CountingClient()
    result = sync_once(client=client)
    assert result.new_events == 150
    assert client.calls["list_seat_events"] == math.ceil(150 / 100) + 1
    assert held_in_receipt_order() == sandbox_in_receipt_order()
    assert held_balances() == sandbox_balances()
    assert result.reconciliation.agreeing == result.reconciliation.customers == 41


def test_sync_with_nothing_new_costs_one_events_call_and_stays_identical(demo):
    sync_once()
    before = list(SeatEvent.objects.order_by("id").values())
    changes = SeatChange.objects.count()
    client = CountingClient()
    result = sync_once(client=client)
    assert (result.status, result.new_events, client.calls["list_seat_events"]) == ("ok", 0, 1)
    assert list(SeatEvent.objects.order_by("id").values()) == before
    assert SeatChange.objects.count() == changes


def test_interrupted_initial_sync_resumes_without_rereading(demo):
    failing = CountingClient(
        fail_on_events_call=3, error=UpstreamUnavailable("boom", provider="Sequence")
    )
    first = sync_once(client=failing)
    assert first.status == "failed"
    assert SeatEvent.objects.count() == 200  # two complete pages, nothing of the third
    state = SyncState.objects.get(pk=1)
    assert "boom" in state.error and state.synced_at is None and not state.running
    assert queries.synced_at() is None

    sandbox_events([(SandboxEvent.objects.first().customer_alias, 99, 20)])  # arrives meanwhile
    client = CountingClient()
    second = sync_once(client=client)
    assert second.status == "ok"
    assert second.new_events == demo + 1 - 200
    # head: the new event's page and one page of held events; then the rest of the old chain
    assert client.calls["list_seat_events"] == (1 + 1) + math.ceil((demo - 200) / 100)
    assert held_in_receipt_order() == sandbox_in_receipt_order()
    assert held_balances() == sandbox_balances()
    assert second.reconciliation.agreeing == 40


def test_ctrl_c_mid_sync_releases_the_lease_and_the_next_run_resumes(demo):
    failing = CountingClient(fail_on_events_call=2, error=KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        sync_once(client=failing)
    state = SyncState.objects.get(pk=1)
    assert state.lease_owner == "" and "Interrupted" in state.error
    assert SeatEvent.objects.count() == 100
    assert sync_once().status == "ok"
    assert held_in_receipt_order() == sandbox_in_receipt_order()


def test_a_page_written_twice_stores_each_event_once(demo):
    def repeat_first_item(request, body):
        if request.url.path.endswith("/seat-events") and body.get("items"):
            body["items"].append(body["items"][0])
        return body

    result = sync_once(client=tampering_client(repeat_first_item))
    assert result.status == "ok"
    assert SeatEvent.objects.count() == demo
    sync_once(full=False)
    assert SeatEvent.objects.count() == demo


def test_concurrent_sync_is_refused_while_one_holds_the_lease(demo):
    seen = {}
    client = CountingClient()

    def second_sync_during_first(result, kwargs):
        seen["inner"] = sync_once()
        return result

    client.balance_hook = second_sync_during_first
    outer = sync_once(client=client)
    assert outer.status == "ok"
    assert seen["inner"].status == "busy"
    assert acquire_lease("someone-else")
    assert sync_once().status == "busy"
    release_lease("someone-else")
    assert sync_once().status == "ok"


def test_expired_lease_of_a_killed_sync_is_taken_over(demo, settings):
    settings.HISTORY_SYNC_LEASE_SECONDS = -1  # every lease is already expired
    assert acquire_lease("killed-process")
    settings.HISTORY_SYNC_LEASE_SECONDS = 300
    assert sync_once().status == "ok"


def test_bad_payload_mid_sync_names_event_and_field_and_keeps_complete_pages(demo):
    calls = {"n": 0}

    def break_third_page(request, body):
        if request.url.path.endswith("/seat-events"):
            calls["n"] += 1
            if calls["n"] == 3:
                body["items"][7]["total"] = "lots"
        return body

    result = sync_once(client=tampering_client(break_third_page))
    assert result.status == "failed"
    broken = SandboxEvent.objects.order_by("-seq")[207].id
    assert "items[7].total" in result.error and broken in result.error
    assert SeatEvent.objects.count() == 200
    assert broken in SyncState.objects.get(pk=1).error
    assert sync_once().status == "ok"
    assert held_in_receipt_order() == sandbox_in_receipt_order()


def test_superseded_backdated_and_tied_events_follow_the_rule(db):
    make_customer("c1", "Acme", "acme", "acme-eu")
    make_customer("c2", "Beta", "beta")
    ids = sandbox_events(
        [
            ("acme", 5, 1, "admin", "e1"),
            ("acme", 9, 10, "admin", "e2"),
            ("acme", 3, 4, "admin", "e3"),  # backdated: does not override day 10
            ("acme-eu", 7, 10, "admin", "e4"),  # tie with e2 at day 10: later received wins
            ("acme", 2, 6, "editor", "e5"),
            ("beta", 6, 3, "admin", "e5"),  # re-sent e5 moves it to another customer
            ("beta", 1, 2, "admin", "b1"),
        ]
    )
    sync_once()
    assert held_balances() == sandbox_balances()
    assert queries.balances_now()["c1"]["admin"].total == 7
    assert "editor" not in queries.balances_now()["c1"]
    superseded = SeatEvent.objects.get(id=ids[4])
    assert superseded.superseded and superseded.superseded_by_id == ids[5]
    assert not SeatEvent.objects.get(id=ids[5]).superseded
    series = queries.change_series("c1", seat_type="admin")
    assert [(p.total, p.change) for p in series] == [(5, 5), (3, -2), (9, 6), (7, -2)]
    assert queries.balances_as_of(series[2].event_timestamp)["c1"]["admin"].total == 7


def test_later_correction_supersedes_a_held_event_in_an_incremental_sync(db):
    make_customer("c1", "Acme", "acme")
    ids = sandbox_events([("acme", 5, 1, "admin", "x"), ("acme", 8, 2, "admin", "y")])
    sync_once()
    later = sandbox_events([("acme", 6, 2, "admin", "y")])
    result = sync_once()
    assert result.reconciliation.agreeing == 1
    assert SeatEvent.objects.get(id=ids[1]).superseded_by_id == later[0]
    assert queries.balances_now()["c1"]["admin"].total == 6


def test_full_rebuild_repairs_a_drifted_store(demo):
    sync_once()
    HeldBalance.objects.filter(pk=HeldBalance.objects.first().pk).update(total=12345)
    SeatChange.objects.filter(pk__in=SeatChange.objects.values("pk")[:5]).delete()
    drifted = sync_once().reconciliation
    assert drifted.agreeing < drifted.customers
    call_command("sync_seat_events", "--full", verbosity=0)
    assert held_balances() == sandbox_balances()
    assert held_in_receipt_order() == sandbox_in_receipt_order()
    assert queries.sync_state().full


def test_two_syncs_in_two_threads_never_run_at_once(transactional_db):
    import threading

    from django.db import connection

    make_customer("c1", "Acme", "acme")
    sandbox_events([("acme", 5, 1)])
    entered, release = threading.Event(), threading.Event()
    blocking = CountingClient()
    real_list = blocking.list_seat_events

    def list_and_wait(*args, **kwargs):
        entered.set()
        assert release.wait(timeout=30)
        return real_list(*args, **kwargs)

    blocking.list_seat_events = list_and_wait
    results = {}

    def first():
        try:
            results["first"] = sync_once(client=blocking)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert entered.wait(timeout=30)
    results["second"] = sync_once()
    release.set()
    thread.join(timeout=60)
    assert results["second"].status == "busy"
    assert results["first"].status == "ok"
    assert SeatEvent.objects.count() == 1


@pytest.mark.parametrize("threshold", [0, 10**9], ids=["one-pass rebuild", "per-customer"])
def test_both_rebuild_paths_give_the_sandbox_balances(demo, monkeypatch, threshold):
    from seatdash.history import sync as sync_module

    monkeypatch.setattr(sync_module, "FULL_REBUILD_PAIRS", threshold)
    monkeypatch.setattr(sync_module, "FULL_REBUILD_CUSTOMERS", 7)  # several ranges
    first, last = SandboxEvent.objects.order_by("seq").first(), SandboxEvent.objects.last()
    assert first.customer_id != last.customer_id
    # "moved" is sent for one customer, then re-sent for another: the first no longer counts.
    sandbox_events([(first.customer_alias, 3, 9, "admin", "moved")])
    sandbox_events([(last.customer_alias, 4, 9, "viewer", "moved")])
    result = sync_once()
    assert result.reconciliation.agreeing == result.reconciliation.customers == 40
    assert held_balances() == sandbox_balances()
    changes = SeatChange.objects.count()
    assert changes == SeatEvent.objects.filter(superseded=False).count()
