"""MetronomeClient: the seat-balance query, its request body and its pagination."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from seatdash.clients.errors import UpstreamUnavailable
from seatdash.clients.http import RetryPolicy
from seatdash.clients.metronome import (
    DEFAULT_SEAT_LIMIT,
    MAX_SEAT_LIMIT,
    MetronomeClient,
    MetronomeQueryError,
)
from tests.clients.metronome.support import (
    BASE_URL,
    CONTRACT,
    CUSTOMER,
    SEAT_BALANCES,
    T0,
    TOKEN,
    page,
    query,
    seat,
)


@pytest.mark.parametrize(
    ("overrides", "field_name"),
    [
        ({"covering_date": T0, "starting_at": T0}, "covering_date"),
        ({"covering_date": T0, "effective_before": T0}, "covering_date"),
        ({"include_ledgers": True}, "include_ledgers"),
        ({"limit": 0}, "limit"),
        ({"limit": MAX_SEAT_LIMIT + 1}, "limit"),
        ({"limit": True}, "limit"),
        ({"customer_id": ""}, "customer_id"),
        ({"contract_id": "  "}, "contract_id"),
        ({"seat_ids": ("user_1@acme.example", "")}, "seat_ids"),
        ({"subscription_ids": (" ",)}, "subscription_ids"),
        ({"seat_ids": "user_1@acme.example"}, "seat_ids"),
        ({"starting_at": datetime(2026, 1, 1)}, "starting_at"),
        ({"starting_at": T0, "effective_before": T0 - timedelta(days=1)}, "effective_before"),
    ],
)
def test_seat_balance_query_invalid_raises_query_error_naming_field(overrides, field_name):
    with pytest.raises(MetronomeQueryError) as excinfo:
        query(**overrides)
    assert excinfo.value.field == field_name
    assert excinfo.value.message


def test_seat_balance_query_valid_combinations_are_accepted():
    window = query(starting_at=T0, effective_before=T0 + timedelta(days=30))
    assert (window.starting_at, window.effective_before) == (T0, T0 + timedelta(days=30))
    covering = query(covering_date=T0, include_credits_and_commits=True, include_ledgers=True)
    assert covering.covering_date == T0 and covering.include_ledgers
    assert [query(limit=n).limit for n in (1, MAX_SEAT_LIMIT)] == [1, MAX_SEAT_LIMIT]


def test_seat_balance_query_lists_become_tuples_so_queries_hash():
    q = query(seat_ids=["a", "b"], subscription_ids=["s"])
    assert q.seat_ids == ("a", "b")
    assert hash(q) == hash(query(seat_ids=("a", "b"), subscription_ids=("s",)))


def test_list_seat_balances_invalid_query_makes_no_call(client, upstream):
    with pytest.raises(MetronomeQueryError):
        client.list_seat_balances(query(limit=500))
    assert upstream.requests == []


def test_list_seat_balances_minimal_query_sends_required_fields_and_default_limit(client, upstream):
    upstream.expect("POST", SEAT_BALANCES, page([seat("user_1")]))
    client.list_seat_balances(query())
    (body,) = upstream.bodies()
    assert body == {"customer_id": CUSTOMER, "contract_id": CONTRACT, "limit": DEFAULT_SEAT_LIMIT}
    request = upstream.requests[0]
    assert request.headers["authorization"] == f"Bearer {TOKEN}"


def test_list_seat_balances_full_query_sends_every_field_with_utc_timestamps(client, upstream):
    upstream.expect("POST", SEAT_BALANCES, page([]))
    paris = timezone(timedelta(hours=1))
    client.list_seat_balances(
        query(
            subscription_ids=("sub-1",),
            seat_ids=("user_1", "user_2"),
            skip_missing_seat_ids=True,
            include_credits_and_commits=True,
            include_ledgers=True,
            starting_at=datetime(2026, 2, 1, 1, 0, tzinfo=paris),
            effective_before=datetime(2026, 3, 1, tzinfo=UTC),
            limit=10,
        )
    )
    (body,) = upstream.bodies()
    assert body["subscription_ids"] == ["sub-1"]
    assert body["seat_ids"] == ["user_1", "user_2"]
    assert body["skip_missing_seat_ids"] is True
    assert body["include_credits_and_commits"] is True
    assert body["include_ledgers"] is True
    assert body["starting_at"] == "2026-02-01T00:00:00Z"
    assert body["effective_before"] == "2026-03-01T00:00:00Z"
    assert body["limit"] == 10
    assert "covering_date" not in body
    assert "cursor" not in body


def test_list_seat_balances_several_pages_follows_cursor_to_the_end(client, upstream):
    upstream.expect("POST", SEAT_BALANCES, page([seat("user_1"), seat("user_2")], "c1", 3))
    upstream.expect("POST", SEAT_BALANCES, page([seat("user_3"), seat("user_4")], "c2", 1))
    upstream.expect("POST", SEAT_BALANCES, page([seat("user_5")]))
    seats = client.list_seat_balances(query(limit=2))
    assert [s.seat_id for s in seats] == ["user_1", "user_2", "user_3", "user_4", "user_5"]
    cursors = [b.get("cursor") for b in upstream.bodies()]
    assert cursors == [None, "c1", "c2"]
    # The query itself is re-sent unchanged with every cursor.
    assert {b["limit"] for b in upstream.bodies()} == {2}


def test_list_seat_balances_greedy_cap_short_pages_are_followed(client, upstream):
    # limit 25, yet the 100-commit cap ends the first page after two whole seats (98 + 10).
    upstream.expect(
        "POST",
        SEAT_BALANCES,
        page([seat("user_1", commits=98), seat("user_2", commits=10)], "c1", 2),
    )
    upstream.expect(
        "POST", SEAT_BALANCES, page([seat("user_3", credits=3), seat("user_4", commits=1)])
    )
    seats = client.list_seat_balances(query(include_credits_and_commits=True))
    assert [s.seat_id for s in seats] == ["user_1", "user_2", "user_3", "user_4"]
    assert len(seats[0].commits) == 98
    assert len(seats[2].credits) == 3


def test_list_seat_balances_repeated_cursor_stops_and_keeps_what_arrived(client, upstream):
    upstream.expect("POST", SEAT_BALANCES, page([seat("user_1")], "same"))
    upstream.expect("POST", SEAT_BALANCES, page([seat("user_2")], "same"))
    seats = client.list_seat_balances(query())
    assert [s.seat_id for s in seats] == ["user_1", "user_2"]
    assert len(upstream.requests) == 2  # no third call for a cursor already followed


def test_paging_past_its_time_budget_is_unavailable_not_a_silent_cut(upstream):
    ticks = iter(range(0, 10_000, 20))  # every clock read is 20 s later
    c = MetronomeClient(
        base_url=BASE_URL,
        bearer_token=TOKEN,
        retry=RetryPolicy(max_attempts=1, backoff_base=0, backoff_cap=0, max_retry_after=0),
        transport=httpx.MockTransport(upstream.handle),
        clock=lambda: float(next(ticks)),
    )
    for n in range(5):
        upstream.expect("POST", SEAT_BALANCES, page([seat(f"user_{n}")], f"c{n}"))
    with pytest.raises(UpstreamUnavailable):
        c.list_seat_balances(query())
