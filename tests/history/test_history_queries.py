"""The history's public queries on hand-made events: as-of, windows, series, the unsynced store."""

from __future__ import annotations

import re

import pytest

from seatdash.history import queries
from seatdash.history.sync import sync_once
from tests.history.support import at, make_customer, sandbox_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced(db):
    make_customer("c1", "Acme", "acme")
    make_customer("c2", "Beta", "beta")
    sandbox_events(
        [
            ("acme", 5, 1),
            ("acme", 8, 5),
            ("c1", 8, 7),  # no change, sent with the customer's ID
            ("acme", 3, 10),
            ("acme", 2, 3, "editor"),
            ("beta", 4, 6),
        ]
    )
    assert sync_once().status == "ok"


def test_queries_before_any_sync_raise_not_synced(db):
    with pytest.raises(
        queries.HistoryNotSynced,
        match=re.escape("not synced yet: run `manage.py sync_seat_events`"),
    ):
        queries.balances_as_of(at(5))
    with pytest.raises(queries.HistoryNotSynced):
        queries.changes_between(at(1), at(9))
    assert queries.synced_at() is None


def test_balances_as_of_takes_latest_point_at_or_before_and_its_reached_time(synced):
    assert queries.balances_as_of(at(4))["c1"]["admin"] == queries.SeatTotal(5, at(1))
    as_of_8 = queries.balances_as_of(at(8))
    assert as_of_8["c1"]["admin"] == queries.SeatTotal(8, at(5))  # day 7 kept the total
    assert as_of_8["c1"]["editor"].total == 2
    assert as_of_8["c2"]["admin"].total == 4
    assert queries.balances_as_of(at(5))["c1"]["admin"].total == 8  # inclusive


def test_balances_as_of_before_first_event_is_absent(synced):
    assert queries.balances_as_of(at(1) - (at(2) - at(1))) == {}
    assert "c2" not in queries.balances_as_of(at(5))


def test_balances_now_matches_as_of_the_end(synced):
    assert queries.balances_now() == queries.balances_as_of(at(28))


def test_changes_between_is_inclusive_skips_unchanged_and_nets_to_difference(synced):
    points = list(queries.changes_between(at(5), at(10), customer_ids=["c1"]))
    assert [(p.event_timestamp, p.change) for p in points] == [(at(5), 3), (at(10), -5)]
    with_unchanged = queries.changes_between(
        at(5), at(10), include_unchanged=True, customer_ids=["c1"]
    )
    assert [p.change for p in with_unchanged] == [3, 0, -5]
    net = queries.net_changes_between(at(2), at(10))
    assert net == {"c1": {"admin": -2, "editor": 2}, "c2": {"admin": 4}}
    before = queries.balances_as_of(at(1))["c1"]["admin"].total
    assert net["c1"]["admin"] == queries.balances_as_of(at(10))["c1"]["admin"].total - before


def test_change_series_per_customer_in_time_order(synced):
    series = queries.change_series("c1", seat_type="admin")
    assert [(p.total, p.change) for p in series] == [(5, 5), (8, 3), (8, 0), (3, -5)]


def test_held_counts_and_names(synced):
    assert queries.held_counts() == (6, 2)
    assert queries.customer_names(["c1", "zz"]) == {"c1": "Acme"}


def test_child_run_is_really_on_postgresql(db):
    import os

    from django.db import connection

    if not os.environ.get("SEATDASH_HISTORY_CHILD"):
        pytest.skip("only in the PostgreSQL run (test_history_postgres.py)")
    assert connection.vendor == "postgresql"
