from __future__ import annotations

from seatdash.services.events import build_timeline
from tests.fakes import at, event


def effects(events):
    timeline = build_timeline(events)
    return {
        e.id: (row.previous_total, row.change, row.superseded_by, row.backdated, row.no_change)
        for e in events
        for row in [timeline.rows[e.id]]
    }


def test_timeline_change_is_from_previous_total_of_same_seat_type():
    got = effects(
        [
            event("e1", total=5, at=at(1)),
            event("e2", total=3, at=at(1), seat_type="viewer"),
            event("e3", total=8, at=at(2)),
            event("e4", total=6, at=at(3)),
        ]
    )
    assert got["e1"][:2] == (None, 5)
    assert got["e2"][:2] == (None, 3)
    assert got["e3"][:2] == (5, 3)
    assert got["e4"][:2] == (8, -2)


def test_timeline_resent_customer_event_id_supersedes_earlier_one():
    got = effects(
        [
            event("e1", total=5, at=at(1)),
            event("e2", total=9, at=at(2), customer_event_id="dup"),
            event("e3", total=7, at=at(2), customer_event_id="dup"),
            event("e4", total=10, at=at(3)),
        ]
    )
    assert got["e2"][2] == "e3"
    assert got["e3"][2] is None
    # e4 follows e3 (the effective one), not the superseded e2
    assert got["e4"][:2] == (7, 3)


def test_timeline_backdated_event_is_flagged_and_slots_in_by_event_time():
    got = effects(
        [
            event("e1", total=5, at=at(1)),
            event("e2", total=9, at=at(10)),
            event("e3", total=7, at=at(5)),  # received after e2, but happened before it
        ]
    )
    assert got["e3"][3] is True
    assert got["e2"][3] is False
    assert got["e3"][:2] == (5, 2)


def test_timeline_same_total_again_is_no_change():
    got = effects([event("e1", total=5, at=at(1)), event("e2", total=5, at=at(2))])
    assert got["e2"][4] is True
    assert got["e1"][4] is False


def test_timeline_event_at_the_same_time_received_later_is_not_backdated():
    """Equal event times: the later-received wins (the balance rule), so it is not backdated."""
    got = effects([event("e1", total=5, at=at(3)), event("e2", total=7, at=at(3))])

    assert got["e2"][3] is False
    assert got["e2"][:2] == (5, 2)


def test_timeline_event_one_instant_earlier_than_one_received_before_is_backdated():
    from datetime import timedelta

    got = effects(
        [event("e1", total=5, at=at(3)), event("e2", total=7, at=at(3) - timedelta(seconds=1))]
    )

    assert got["e2"][3] is True
