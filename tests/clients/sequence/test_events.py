"""SequenceClient: seat events listed, walked, fetched one by one, and posted."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from seatdash.clients.errors import (
    UpstreamBadPayload,
    UpstreamNotFound,
    UpstreamRejected,
    UpstreamUnavailable,
)
from seatdash.clients.sequence import (
    MAX_IDS_PER_CALL,
    EventQuery,
    SeatEvent,
)
from tests.clients.sequence.support import (
    event,
    page,
    respond,
)


def test_list_seat_events_encodes_every_filter(fake, client):
    after = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    before = datetime(2024, 2, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    query = EventQuery(
        customer_alias="acme",
        customer_ids=("c1", "c2"),
        seat_type="admin",
        customer_event_id="ce-9",
        timestamp_after=after,
        timestamp_before=before,
        sort_order="ASC",
        sort_by="eventTimestamp",
    )
    fake.expect("GET", "/api/seat-events", page([event(1)], after="next"))

    result = client.list_seat_events(query, limit=7, after="cur-a", before="cur-b")

    assert dict(fake.requests[0].url.params) == {
        "limit": "7",
        "after": "cur-a",
        "before": "cur-b",
        "sortOrder": "ASC",
        "sortBy": "eventTimestamp",
        "customerAlias": "acme",
        "customerIds": "c1,c2",
        "seatType": "admin",
        "customerEventId": "ce-9",
        "eventTimestampAfter": "2024-01-02T03:04:05Z",
        "eventTimestampBefore": "2024-02-01T10:00:00Z",
    }
    assert [e.id for e in result.items] == ["evt-1"]
    assert result.pagination.after == "next"


def test_list_seat_events_defaults_send_only_limit_and_sort_order(fake, client):
    fake.expect("GET", "/api/seat-events", page([]))

    result = client.list_seat_events()

    assert dict(fake.requests[0].url.params) == {"limit": "50", "sortOrder": "DESC"}
    assert result.items == ()
    assert result.pagination.after is None


def test_list_seat_events_parses_event_records(fake, client):
    raw = event(4, eventTimestamp="2022-10-01T02:00:00+02:00", extra=[1])
    fake.expect("GET", "/api/seat-events", page([raw], totalResultSize=1))

    result = client.list_seat_events()

    [parsed] = result.items
    assert isinstance(parsed, SeatEvent)
    assert parsed == SeatEvent(
        id=raw["id"],
        customer_event_id=raw["customerEventId"],
        customer_alias=raw["customerAlias"],
        seat_type=raw["seatType"],
        sequence_account_id=raw["sequenceAccountId"],
        event_timestamp=datetime(2022, 10, 1, tzinfo=UTC),
        total=raw["total"],
    )
    assert result.pagination.total_result_size == 1


@pytest.mark.parametrize("limit", [0, 101, -1, 1.5, True])
def test_list_seat_events_limit_out_of_range_raises_value_error_before_any_call(client, limit):
    with pytest.raises(ValueError, match="limit"):
        client.list_seat_events(limit=limit)


def test_list_seat_events_limit_bounds_accepted(fake, client):
    fake.expect("GET", "/api/seat-events", page([]))
    fake.expect("GET", "/api/seat-events", page([]))

    client.list_seat_events(limit=1)
    client.list_seat_events(limit=100)

    assert [r.url.params["limit"] for r in fake.requests] == ["1", "100"]


def test_list_seat_events_more_than_25_ids_raises_value_error(client):
    query = EventQuery(customer_ids=tuple(f"c{n}" for n in range(MAX_IDS_PER_CALL + 1)))

    with pytest.raises(ValueError, match="customer_ids"):
        client.list_seat_events(query)


def test_list_seat_events_bad_item_names_field(fake, client):
    fake.expect("GET", "/api/seat-events", page([event(0), event(1, total="x")]))

    with pytest.raises(UpstreamBadPayload, match=r"^GET /seat-events: items\[1\]\.total is string"):
        client.list_seat_events()


def test_iter_seat_events_follows_after_to_the_end(fake, client):
    query = EventQuery(seat_type="admin")
    fake.expect("GET", "/api/seat-events", page([event(1), event(2)], after="p2"))
    fake.expect("GET", "/api/seat-events", page([event(3)], after="p3"))
    fake.expect("GET", "/api/seat-events", page([], after=None))

    events = list(client.iter_seat_events(query, limit=2))

    assert [e.id for e in events] == ["evt-1", "evt-2", "evt-3"]
    params = [r.url.params for r in fake.requests]
    assert [p.get("after") for p in params] == [None, "p2", "p3"]
    assert all(p["seatType"] == "admin" and p["limit"] == "2" for p in params)


def test_iter_seat_events_bad_limit_raises_before_any_call(client):
    with pytest.raises(ValueError):
        next(client.iter_seat_events(limit=500))


def test_get_seat_event_quotes_id_in_path(fake, client):
    fake.expect("GET", "/api/seat-events/a%2Fb%3Fc", respond(200, event(1)))

    result = client.get_seat_event("a/b?c")

    assert result.id == "evt-1"


def test_get_seat_event_404_raises_not_found(fake, client):
    fake.expect("GET", "/api/seat-events/nope", respond(404, {"error": {"message": "not found"}}))

    with pytest.raises(UpstreamNotFound) as info:
        client.get_seat_event("nope")

    assert info.value.endpoint == "GET /seat-events/{id}"


def test_get_seat_event_missing_field_raises_bad_payload(fake, client):
    raw = event(1)
    del raw["sequenceAccountId"]
    fake.expect("GET", "/api/seat-events/evt-1", respond(200, raw))

    with pytest.raises(
        UpstreamBadPayload, match=r"GET /seat-events/\{id\}: sequenceAccountId missing"
    ):
        client.get_seat_event("evt-1")


def test_create_seat_event_posts_json_and_returns_event(fake, client):
    fake.expect("POST", "/api/seat-events", respond(201, event(5, customerEventId="mine-1")))
    when = datetime(2024, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=1)))

    created = client.create_seat_event(
        customer_alias="alias-5",
        seat_type="admin",
        total=5,
        event_timestamp=when,
        customer_event_id="mine-1",
    )

    assert json.loads(fake.requests[0].content) == {
        "customerAlias": "alias-5",
        "seatType": "admin",
        "total": 5,
        "eventTimestamp": "2024-03-01T08:30:00Z",
        "customerEventId": "mine-1",
    }
    assert fake.requests[0].headers["content-type"] == "application/json"
    assert created.customer_event_id == "mine-1"


def test_create_seat_event_without_customer_event_id_omits_it(fake, client):
    fake.expect("POST", "/api/seat-events", respond(201, event(1)))

    client.create_seat_event(
        customer_alias="a", seat_type="admin", total=0, event_timestamp=datetime(2024, 1, 1)
    )

    body = json.loads(fake.requests[0].content)
    assert "customerEventId" not in body
    assert body["eventTimestamp"] == "2024-01-01T00:00:00Z"


def test_create_seat_event_200_instead_of_201_raises_bad_payload(fake, client):
    fake.expect("POST", "/api/seat-events", respond(200, event(1)))

    with pytest.raises(UpstreamBadPayload, match="201"):
        client.create_seat_event(
            customer_alias="a", seat_type="admin", total=1, event_timestamp=datetime.now(UTC)
        )


@pytest.mark.parametrize("status", [503, 429])
def test_create_seat_event_never_retried(fake, client, clock, status):
    fake.expect("POST", "/api/seat-events", respond(status))

    with pytest.raises(UpstreamUnavailable):
        client.create_seat_event(
            customer_alias="a", seat_type="admin", total=1, event_timestamp=datetime.now(UTC)
        )

    assert clock.sleeps == []


def test_create_seat_event_400_carries_upstream_message(fake, client):
    fake.expect("POST", "/api/seat-events", respond(400, {"errors": ["seatType unknown"]}))

    with pytest.raises(UpstreamRejected, match="seatType unknown"):
        client.create_seat_event(
            customer_alias="a", seat_type="nope", total=1, event_timestamp=datetime.now(UTC)
        )


@pytest.mark.parametrize("total", [-1, 1.0, "3"])
def test_create_seat_event_bad_total_raises_value_error_before_any_call(client, total):
    with pytest.raises(ValueError):
        client.create_seat_event(
            customer_alias="a", seat_type="admin", total=total, event_timestamp=datetime.now(UTC)
        )
