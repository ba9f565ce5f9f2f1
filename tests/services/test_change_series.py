"""The change series held in process agrees with a replay of the held events, at every instant.

The replay below reads the stored events (not the change series): per customer and seat type,
the last effective event (not superseded) at or before the instant, ties by receipt. Superseded
replacements with another timestamp, backdated events, same-timestamp ties, several seat types
and checkpoints every few points (the stride is made tiny) are all in play.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from seatdash.history import queries
from seatdash.history.models import SeatEvent
from seatdash.history.sync import sync_once
from seatdash.services import change_series, seats_over_time
from seatdash.services.mover_filters import MoverFilters
from tests.history.support import api, make_customer, post_event

pytestmark = pytest.mark.django_db
US = timedelta(microseconds=1)

EVENTS = [
    # (alias, total, ISO time, seat type, customer_event_id or "")
    ("acme", 5, "2026-01-03T10:00:00Z", "admin", "order-1"),
    ("acme", 10, "2026-01-10T00:00:00Z", "admin", ""),
    ("acme", 3, "2026-01-05T00:00:00Z", "admin", ""),  # backdated: received after day 10
    ("acme", 4, "2026-01-07T23:00:00Z", "editor", ""),
    ("acme", 6, "2026-01-08T12:00:00Z", "editor", ""),
    ("acme", 9, "2026-01-08T12:00:00Z", "editor", ""),  # same instant: received later wins
    ("acme", 7, "2026-01-04T00:00:00Z", "admin", "order-1"),  # replaces order-1, other time
    ("beta", 2, "2026-01-09T00:00:00Z", "admin", ""),
    ("beta", 2, "2026-01-09T06:00:00Z", "admin", ""),  # same total: no change
    ("beta", 0, "2026-01-11T00:00:00Z", "admin", ""),  # churned to 0
    ("beta", 8, "2026-01-06T00:00:00Z", "viewer", "b-1"),
    ("beta", 1, "2026-01-06T00:00:00Z", "viewer", "b-1"),  # replaces b-1 at the same instant
    ("gamma", 12, "2026-01-12T08:00:00Z", "viewer", ""),  # new late in the history
]


@pytest.fixture
def store(db, monkeypatch, request):
    monkeypatch.setattr(change_series, "_STRIDE", getattr(request, "param", 2))
    for customer_id, name, alias in (("c1", "Acme", "acme"), ("c2", "Beta", "beta")):
        make_customer(customer_id, name, alias)
    make_customer("c3", "Gamma", "gamma")
    with api() as client:
        for alias, total, moment, seat_type, order in EVENTS:
            extra = {"seat_type": seat_type}
            if order:
                extra["customer_event_id"] = order
            assert post_event(client, alias, total, moment, **extra).status_code == 201
    assert sync_once().status == "ok"
    seats_over_time.clear()
    yield
    seats_over_time.clear()


def replay(at: datetime) -> dict[tuple[str, str], int]:
    """(customer, seat type) -> seats at `at` by the balance rule, from the stored events."""
    held: dict[tuple[str, str], tuple[datetime, int, int]] = {}
    rows = SeatEvent.objects.filter(superseded=False, customer_id__isnull=False).values_list(
        "customer_id", "seat_type", "event_timestamp", "position", "total"
    )
    for customer, seat_type, moment, position, total in rows:
        if moment <= at:
            key = (customer, seat_type)
            if key not in held or (moment, position) > held[key][:2]:
                held[key] = (moment, position, total)
    return {key: value[2] for key, value in held.items()}


def instants() -> list[datetime]:
    """Every event's instant, a microsecond either side, before the first and after the last."""
    moments = set(SeatEvent.objects.values_list("event_timestamp", flat=True))
    found = {m + d for m in moments for d in (-US, timedelta(0), US)}
    return sorted(found | {min(moments) - timedelta(days=1), max(moments) + timedelta(days=1)})


def totals(series, position: int) -> dict[tuple[str, str], int]:
    last = series.last_points(position)
    return {
        series.pairs[number]: series.total[index]
        for number, index in enumerate(last)
        if index != change_series.NONE
    }


@pytest.mark.parametrize("store", [1, 2, 3, 32_768], indirect=True)
def test_change_series_seats_at_every_instant_match_a_replay_and_the_sql_as_of(store):
    series = change_series.change_series()
    for moment in instants():
        expected = replay(moment)
        assert totals(series, series.position(moment)) == expected, moment
        sql = queries.balances_as_of(moment)
        assert {(c, t): s.total for c, by in sql.items() for t, s in by.items()} == expected
        by_type: dict[str, int] = defaultdict(int)
        for (_, seat_type), seats in expected.items():
            by_type[seat_type] += seats
        got = series.type_totals_at(series.position(moment))
        assert {t: s for t, s in got.items() if s} == {t: s for t, s in by_type.items() if s}


@pytest.mark.parametrize("store", [1, 3, 32_768], indirect=True)
def test_net_between_every_window_matches_the_replay_difference(store):
    series = change_series.change_series()
    moments = instants()
    for i, start in enumerate(moments):
        for end in moments[i:]:
            before, after = replay(start - US), replay(end)
            expected = {
                key: (before.get(key, 0), after.get(key, 0))
                for key in set(before) | set(after)
                if before.get(key, 0) != after.get(key, 0)
            }
            low, high = series.position_before(start), series.position(end)
            moved = {series.pairs[n]: pair for n, pair in series.net_between(low, high).items()}
            assert moved == expected, (start, end)


@pytest.mark.parametrize("store", [2], indirect=True)
def test_per_day_totals_match_the_replay_at_each_days_end(store):
    series = change_series.change_series()
    day = datetime(2026, 1, 1, tzinfo=UTC)
    while day < datetime(2026, 1, 14, tzinfo=UTC):
        end = day + timedelta(days=1) - US
        by_type: dict[str, int] = defaultdict(int)
        for (_, seat_type), seats in replay(end).items():
            by_type[seat_type] += seats
        got = series.type_totals_at(series.day_end_position(day.date()))
        assert {t: s for t, s in got.items() if s} == {t: s for t, s in by_type.items() if s}
        day += timedelta(days=1)


def test_movers_and_chart_over_a_window_match_the_replay(store):
    start, end = datetime(2026, 1, 4, tzinfo=UTC), datetime(2026, 1, 11, 23, tzinfo=UTC)
    listing = seats_over_time.movers(MoverFilters(start=start, end=end))
    before, after = replay(start - US), replay(end)
    got = {
        (mover.id, move.seat_type): (move.seats_from, move.seats_to)
        for mover in listing.movers
        for move in mover.moves
    }
    assert got == {
        key: (before.get(key, 0), after.get(key, 0))
        for key in set(before) | set(after)
        if before.get(key, 0) != after.get(key, 0)
    }
    assert ("c2", "admin") not in got  # 0 -> 2 -> 0 nets out
    assert got[("c1", "admin")] == (0, 10)  # order-1's day-3 version never counted
    for point in listing.chart:
        day_end = datetime.combine(point.day, datetime.max.time(), UTC)
        held = replay(min(day_end, end) if point is not listing.chart[0] else start - US)
        by_type: dict[str, int] = defaultdict(int)
        for (_, seat_type), seats in held.items():
            by_type[seat_type] += seats
        assert {t: point.totals.get(t, 0) for t in by_type} == dict(by_type), point.day


def test_a_new_sync_is_a_new_version_and_new_answers(store):
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 20, tzinfo=UTC)
    first = seats_over_time.movers(MoverFilters(start=start, end=end))
    assert "c3" in {m.id for m in first.movers}
    with api() as client:
        response = post_event(client, "gamma", 30, "2026-01-13T00:00:00Z", seat_type="viewer")
        assert response.status_code == 201
    assert sync_once().status == "ok"
    again = seats_over_time.movers(MoverFilters(start=start, end=end))
    assert {m.id: m.seats_to for m in again.movers}["c3"] == 30
    as_of = seats_over_time.balances_as_of(end)
    assert as_of.index.find("c3").total == 30


@pytest.mark.parametrize("seat_types", [(), ("editor",), ("viewer", "admin")])
def test_as_of_csv_rows_read_from_the_packed_snapshot_match_the_balances_csv_rule(
    store, seat_types
):
    from seatdash.web.exports import balance_csv_rows, csv_lines

    for moment in (datetime(2026, 1, 2, tzinfo=UTC), datetime(2026, 1, 8, 12, tzinfo=UTC)):
        snapshot = seats_over_time.balances_as_of(moment)
        positions = list(range(len(snapshot.index)))
        fast = seats_over_time.balance_csv_rows_as_of(snapshot, positions, seat_types=seat_types)
        rule = balance_csv_rows(
            (snapshot.index.customer(i) for i in positions),
            seat_types=seat_types,
            fetched_at=snapshot.at,
        )
        fast_lines, rule_lines = list(csv_lines("h", fast)), list(csv_lines("h", rule))
        assert fast_lines == rule_lines
        assert len(rule_lines) > len(positions) if not seat_types else len(rule_lines) > 1


def test_a_sync_that_found_nothing_new_keeps_the_loaded_series(store):
    loaded = change_series.change_series()
    synced_before = queries.require_synced()

    assert sync_once().status == "ok"

    assert queries.require_synced() > synced_before  # the sync ran and finished
    assert change_series.version() == loaded.version
    assert change_series.change_series() is loaded  # not loaded again: nothing changed
