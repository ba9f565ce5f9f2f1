from __future__ import annotations

from datetime import UTC, datetime

import pytest

from seatdash.sandbox.models import SeatBalance, SeatEvent
from seatdash.sandbox.rules import EventFacts, seat_balance
from tests.sandbox_support import api, make_customer, post_event


def t(day: int) -> datetime:
    return datetime(2026, 1, day, tzinfo=UTC)


def facts(*rows):
    events = [EventFacts(seq, ceid, t(day), total) for seq, ceid, day, total in rows]
    latest = {}
    for e in events:
        latest[e.customer_event_id] = max(latest.get(e.customer_event_id, 0), e.seq)
    return events, latest


def test_seat_balance_latest_event_time_wins_not_latest_received():
    events, latest = facts((1, "a", 10, 5), (2, "b", 3, 9))  # b is backdated
    assert seat_balance(events, latest_seq=latest) == (5, t(10))


def test_seat_balance_resent_customer_event_id_supersedes_earlier():
    events, latest = facts((1, "a", 1, 5), (2, "b", 5, 9), (3, "b", 5, 7))
    assert seat_balance(events, latest_seq=latest) == (7, t(5))


def test_seat_balance_superseded_latest_falls_back_to_previous():
    # the only event on day 9 was re-sent into another seat type (seq 3 lives elsewhere)
    events, _ = facts((1, "a", 1, 5), (2, "b", 9, 8))
    assert seat_balance(events, latest_seq={"a": 1, "b": 3}) == (5, t(1))


def test_seat_balance_change_timestamp_is_when_total_was_reached():
    events, latest = facts((1, "a", 1, 5), (2, "b", 4, 8), (3, "c", 7, 8), (4, "d", 9, 8))
    assert seat_balance(events, latest_seq=latest) == (8, t(4))


def test_seat_balance_equal_times_later_received_wins():
    events, latest = facts((1, "a", 4, 5), (2, "b", 4, 6))
    assert seat_balance(events, latest_seq=latest) == (6, t(4))


def test_seat_balance_no_events_is_none():
    assert seat_balance([], latest_seq={}) is None


@pytest.mark.django_db
def test_stored_balances_follow_posted_events_like_a_recomputation():
    make_customer("c1", "Acme", "acme", "acme-eu")
    make_customer("c2", "Beta", "beta")
    client = api()
    post_event(client, "acme", 5, "2026-01-01T00:00:00Z")
    post_event(client, "acme-eu", 9, "2026-01-05T00:00:00Z", customer_event_id="fix")
    post_event(client, "c1", 2, "2026-01-03T00:00:00Z")  # backdated: does not win
    post_event(client, "acme", 7, "2026-01-05T00:00:00Z", customer_event_id="fix")  # correction
    post_event(client, "beta", 4, "2026-01-02T00:00:00Z", seat_type="viewer")
    # Re-sending "fix" for Beta moves it: Acme's admin balance falls back to its other events.
    post_event(
        client, "beta", 1, "2026-01-06T00:00:00Z", seat_type="viewer", customer_event_id="fix"
    )

    stored = {
        (b.customer_id, b.seat_type): (b.total, b.change_timestamp)
        for b in SeatBalance.objects.all()
    }
    assert stored == {
        ("c1", "admin"): (2, datetime(2026, 1, 3, tzinfo=UTC)),
        ("c2", "viewer"): (1, datetime(2026, 1, 6, tzinfo=UTC)),
    }
    answer = client.get("/seat-balances").json()["items"]
    by_id = {item["id"]: item for item in answer}
    assert by_id["c1"]["total"] == 2
    assert by_id["c1"]["customerAliases"] == ["acme", "acme-eu"]
    assert SeatEvent.objects.count() == 6  # superseded events are still listed
