"""The held-event listing: keyset pages over ties, cursors, the capped count, not-synced."""

from __future__ import annotations

import pytest

from seatdash.history.event_listing import (
    BadCursor,
    HeldEventQuery,
    held_event_count,
    held_event_page,
)
from seatdash.history.queries import HistoryNotSynced
from seatdash.history.sync import sync_once
from seatdash.services import balances
from seatdash.services.event_history import held_event_search
from seatdash.services.events import EventFilters, PageLinkExpired
from tests.history.support import make_customer, sandbox_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def ties(db):
    make_customer("c1", "Acme", "acme")
    make_customer("c2", "Beta", "beta")
    # (alias, total, day): three events share day 5; receipt order breaks the tie.
    ids = sandbox_events(
        [("acme", 1, 5), ("beta", 2, 5), ("acme", 3, 2), ("beta", 4, 5), ("acme", 5, 9)]
    )
    assert sync_once().status == "ok"
    balances.forget_decoded_snapshots()
    return ids


def walk(query: HeldEventQuery) -> list[str]:
    """Every event, one per page, following `after`; then back again following `before`."""
    page = held_event_page(query, size=1)
    forward = [page.events[0].id]
    while page.after:
        page = held_event_page(query, size=1, after=page.after)
        forward.append(page.events[0].id)
    backward = [page.events[0].id]
    while page.before:
        page = held_event_page(query, size=1, before=page.before)
        backward.append(page.events[0].id)
    assert backward == list(reversed(forward))
    return forward


def test_event_time_pages_break_ties_by_receipt(ties):
    r1, r2, r3, r4, r5 = ties
    assert walk(HeldEventQuery(order="event_time")) == [r5, r4, r2, r1, r3]


def test_received_pages_both_directions(ties):
    r1, r2, r3, r4, r5 = ties
    assert walk(HeldEventQuery()) == [r5, r4, r3, r2, r1]
    assert walk(HeldEventQuery(ascending=True)) == [r1, r2, r3, r4, r5]


def test_cursor_of_another_order_is_refused(ties):
    page = held_event_page(HeldEventQuery(), size=2)
    with pytest.raises(BadCursor):
        held_event_page(HeldEventQuery(order="event_time"), size=2, after=page.after)
    with pytest.raises(PageLinkExpired):
        held_event_search(filters=EventFilters(by="event_time", after="not-a-cursor"))


def test_count_stops_past_the_cap(ties):
    assert held_event_count(HeldEventQuery(), most=10) == 5
    assert held_event_count(HeldEventQuery(), most=2) == 3


def test_not_synced_store_is_never_read_as_empty(db):
    with pytest.raises(HistoryNotSynced):
        held_event_page(HeldEventQuery(), size=25)
