"""The one balance rule (seatdash.balance_rule) on hand-made cases; the sandbox and the seat
history both use these functions, so the cases hold for both."""

from __future__ import annotations

from datetime import UTC, datetime

from seatdash import balance_rule
from seatdash.balance_rule import (
    EventFacts,
    balance_from_series,
    change_series,
    is_effective,
    latest_receipts,
    seat_balance,
    total_at,
)
from seatdash.sandbox import rules as sandbox_rules


def t(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, tzinfo=UTC)


def ev(seq: int, ceid: str, day: int, total: int, hour: int = 0) -> EventFacts:
    return EventFacts(seq, ceid, t(day, hour), total)


def series(events):
    points = change_series(events, latest_seq=latest_receipts(events))
    return [(p.event.seq, p.total, p.change) for p in points]


def test_sandbox_uses_the_same_rule_not_a_copy():
    assert sandbox_rules.seat_balance is balance_rule.seat_balance
    assert sandbox_rules.EventFacts is balance_rule.EventFacts


def test_latest_receipts_keeps_the_highest_seq_per_customer_event_id():
    events = [ev(3, "a", 1, 1), ev(7, "a", 2, 2), ev(5, "a", 3, 3), ev(4, "b", 1, 1)]
    assert latest_receipts(events) == {"a": 7, "b": 4}


def test_superseded_event_is_left_out_even_when_it_is_the_newest_in_time():
    events = [ev(1, "a", 1, 5), ev(2, "b", 9, 20), ev(3, "b", 4, 7)]  # b re-sent, earlier time
    assert series(events) == [(1, 5, 5), (3, 7, 2)]
    assert not is_effective(events[1], latest_receipts(events))
    assert seat_balance(events, latest_seq=latest_receipts(events)) == (7, t(4))


def test_superseder_elsewhere_still_removes_the_event_here():
    here = [ev(1, "a", 1, 5), ev(2, "moved", 3, 9)]
    latest = {"a": 1, "moved": 10}  # re-sent later for another seat type or customer
    assert seat_balance(here, latest_seq=latest) == (5, t(1))


def test_backdated_event_does_not_override_a_newer_one():
    events = [ev(1, "a", 10, 5), ev(2, "b", 3, 9)]  # b received later, dated earlier
    assert series(events) == [(2, 9, 9), (1, 5, -4)]
    assert seat_balance(events, latest_seq=latest_receipts(events)) == (5, t(10))


def test_equal_timestamps_later_received_wins_and_orders_the_series():
    events = [ev(2, "b", 4, 6), ev(1, "a", 4, 3)]
    assert series(events) == [(1, 3, 3), (2, 6, 3)]
    assert seat_balance(events, latest_seq=latest_receipts(events)) == (6, t(4))


def test_change_timestamp_walks_back_over_equal_totals():
    events = [ev(1, "a", 1, 2), ev(2, "b", 3, 8), ev(3, "c", 5, 8), ev(4, "d", 6, 8)]
    assert series(events)[1:] == [(2, 8, 6), (3, 8, 0), (4, 8, 0)]
    assert seat_balance(events, latest_seq=latest_receipts(events)) == (8, t(3))


def test_first_event_of_zero_is_a_zero_change_reached_at_its_time():
    events = [ev(1, "a", 2, 0), ev(2, "b", 3, 0)]
    assert series(events) == [(1, 0, 0), (2, 0, 0)]
    assert seat_balance(events, latest_seq=latest_receipts(events)) == (0, t(2))


def test_before_the_first_event_the_total_is_zero_and_no_events_means_no_balance():
    events = [ev(1, "a", 5, 4), ev(2, "b", 8, 6)]
    points = change_series(events, latest_seq=latest_receipts(events))
    assert total_at(points, t(4)) == 0
    assert total_at(points, t(5)) == 4  # inclusive
    assert total_at(points, t(7, 23)) == 4
    assert total_at(points, t(9)) == 6
    assert seat_balance([], latest_seq={}) is None
    assert balance_from_series([]) is None
