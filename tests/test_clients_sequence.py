"""SequenceClient: the wire format it sends, the records it builds, and how it fails."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from seatdash.clients.errors import (
    UpstreamBadPayload,
    UpstreamError,
    UpstreamNotFound,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamUnauthorized,
    UpstreamUnavailable,
)
from seatdash.clients.http import RetryPolicy
from seatdash.clients.sequence import (
    MAX_IDS_PER_CALL,
    PROVIDER,
    CustomerBalances,
    EventQuery,
    SeatEvent,
    SequenceClient,
)

BASE_URL = "https://eu.sequencehq.com/api"
CLIENT_ID = "seq-client-id"
SECRET = "seq-Secret-0123456789abcdef"
VERSION = "2024-07-30"

Route = tuple[str, str, Callable[[httpx.Request], httpx.Response]]


class FakeSequence:
    """Answers only the calls it was told to expect, in order; anything else fails the test."""

    def __init__(self) -> None:
        self.expected: list[Route] = []
        self.requests: list[httpx.Request] = []

    def expect(
        self, method: str, path: str, respond: Callable[[httpx.Request], httpx.Response]
    ) -> None:
        self.expected.append((method, path, respond))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.expected:
            pytest.fail(f"unexpected call: {request.method} {request.url}")
        method, path, respond = self.expected.pop(0)
        if (request.method, request.url.raw_path.split(b"?")[0].decode()) != (method, path):
            pytest.fail(f"expected {method} {path}, got {request.method} {request.url}")
        return respond(request)

    def assert_done(self) -> None:
        assert self.expected == [], "expected calls never made"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake() -> FakeSequence:
    upstream = FakeSequence()
    yield upstream
    upstream.assert_done()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(fake: FakeSequence, clock: Clock) -> SequenceClient:
    with SequenceClient(
        base_url=BASE_URL,
        client_id=CLIENT_ID,
        client_secret=SECRET,
        transport=httpx.MockTransport(fake),
        sleep=clock.sleep,
        clock=clock,
    ) as sequence:
        yield sequence


def customer(n: int, **overrides) -> dict:
    body = {
        "id": f"cust-{n}",
        "sequenceAccountId": "acct-1",
        "legalName": f"Customer {n}",
        "customerAliases": [f"alias-{n}", f"alt-{n}"],
        "total": n + 1,
        "changeTimestamp": "2022-06-28T16:47:00Z",
        "balances": [
            {"seatType": "admin", "total": n + 1, "changeTimestamp": "2022-06-28T16:47:00Z"}
        ],
    }
    body.update(overrides)
    return body


def event(n: int, **overrides) -> dict:
    body = {
        "id": f"evt-{n}",
        "customerEventId": f"ce-{n}",
        "customerAlias": f"alias-{n}",
        "seatType": "admin",
        "sequenceAccountId": "acct-1",
        "eventTimestamp": "2022-10-01T00:00:00Z",
        "total": n,
    }
    body.update(overrides)
    return body


def page(
    items: list[dict], after: object = None, **extra
) -> Callable[[httpx.Request], httpx.Response]:
    pagination = {"after": after, "before": None, "totalResultSize": None} | extra
    return lambda request: httpx.Response(200, json={"items": items, "pagination": pagination})


def respond(
    status: int, body: object = None, **kwargs
) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, json=body, **kwargs)


# --- headers, auth, paths -----------------------------------------------------------------------


def test_client_every_call_sends_basic_auth_and_version_header(fake, client):
    fake.expect("GET", "/api/seat-balances", page([]))
    fake.expect("GET", "/api/seat-events", page([]))
    fake.expect("GET", "/api/seat-events/evt-1", respond(200, event(1)))
    fake.expect("POST", "/api/seat-events", respond(201, event(2)))

    client.list_seat_balances()
    client.list_seat_events()
    client.get_seat_event("evt-1")
    client.create_seat_event(
        customer_alias="a", seat_type="admin", total=2, event_timestamp=datetime.now(UTC)
    )

    token = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
    assert len(fake.requests) == 4
    for request in fake.requests:
        assert request.headers["Authorization"] == f"Basic {token}"
        assert request.headers["Sequence-Version"] == VERSION
        assert request.url.host == "eu.sequencehq.com"


def test_client_api_version_is_configurable(fake, clock):
    fake.expect("GET", "/api/seat-balances", page([]))
    with SequenceClient(
        base_url=BASE_URL,
        client_id=CLIENT_ID,
        client_secret=SECRET,
        api_version="2024-05-09",
        transport=httpx.MockTransport(fake),
    ) as sequence:
        sequence.list_seat_balances()

    assert fake.requests[0].headers["Sequence-Version"] == "2024-05-09"


# --- seat balances ------------------------------------------------------------------------------


def test_list_seat_balances_parses_records_and_ignores_unknown_fields(fake, client):
    raw = customer(1, newField={"x": 1}, changeTimestamp="2022-06-28T18:47:00+02:00")
    raw["balances"][0]["surprise"] = True
    fake.expect("GET", "/api/seat-balances", page([raw]))

    [result] = client.list_seat_balances()

    assert isinstance(result, CustomerBalances)
    assert result.id == raw["id"]
    assert result.sequence_account_id == raw["sequenceAccountId"]
    assert result.legal_name == raw["legalName"]
    assert result.aliases == tuple(raw["customerAliases"])
    assert result.total == raw["total"]
    assert result.changed_at == datetime(2022, 6, 28, 16, 47, tzinfo=UTC)
    assert result.changed_at.utcoffset() == timedelta(0)
    [balance] = result.balances
    assert (balance.seat_type, balance.total) == ("admin", raw["balances"][0]["total"])
    assert balance.changed_at.tzinfo is not None


def test_list_seat_balances_naive_timestamp_taken_as_utc(fake, client):
    fake.expect(
        "GET", "/api/seat-balances", page([customer(1, changeTimestamp="2022-06-28T16:47:00")])
    )

    [result] = client.list_seat_balances()

    assert result.changed_at == datetime(2022, 6, 28, 16, 47, tzinfo=UTC)


def test_list_seat_balances_no_filters_sends_no_filter_params(fake, client):
    fake.expect("GET", "/api/seat-balances", page([customer(1)]))

    client.list_seat_balances()

    assert dict(fake.requests[0].url.params) == {}


def test_list_seat_balances_filters_encoded_comma_separated(fake, client):
    fake.expect("GET", "/api/seat-balances", page([customer(1)]))
    fake.expect("GET", "/api/seat-balances", page([customer(2)]))

    client.list_seat_balances(
        customer_ids=["cust-1", "cust 2"], customer_aliases=["a&b", "c"], exclude_zero=True
    )

    by_ids, by_aliases = (request.url.params for request in fake.requests)
    assert by_ids["customerIds"] == "cust-1,cust 2"
    assert by_ids["excludeZeroQuantity"] == "true"
    assert "customerAliases" not in by_ids
    assert by_aliases["customerAliases"] == "a&b,c"
    assert by_aliases["excludeZeroQuantity"] == "true"


def test_list_seat_balances_60_ids_make_3_calls_merged_without_duplicates(fake, client):
    ids = [f"cust-{n}" for n in range(60)]
    calls: list[list[str]] = []

    def echo(request: httpx.Request) -> httpx.Response:
        asked = request.url.params["customerIds"].split(",")
        calls.append(asked)
        # Every answer also repeats customer 0, as an overlapping filter upstream could.
        items = [customer(0)] + [customer(int(i.split("-")[1])) for i in asked]
        return httpx.Response(200, json={"items": items, "pagination": {"after": None}})

    for _ in range(3):
        fake.expect("GET", "/api/seat-balances", echo)

    results = client.list_seat_balances(customer_ids=ids + ids[:5])

    assert len(calls) == 3
    assert all(len(batch) <= MAX_IDS_PER_CALL for batch in calls)
    assert sorted(i for batch in calls for i in batch) == sorted(ids)
    assert [r.id for r in results] == ids


def test_list_seat_balances_many_aliases_chunked_too(fake, client):
    aliases = [f"alias-{n}" for n in range(MAX_IDS_PER_CALL + 1)]
    fake.expect("GET", "/api/seat-balances", page([customer(1)]))
    fake.expect("GET", "/api/seat-balances", page([customer(1), customer(2)]))

    results = client.list_seat_balances(customer_aliases=aliases)

    sent = [r.url.params["customerAliases"].split(",") for r in fake.requests]
    assert [len(batch) for batch in sent] == [MAX_IDS_PER_CALL, 1]
    assert [r.id for r in results] == ["cust-1", "cust-2"]


def test_list_seat_balances_follows_after_cursor_until_exhausted(fake, client):
    fake.expect("GET", "/api/seat-balances", page([customer(1)], after="c1"))
    fake.expect("GET", "/api/seat-balances", page([customer(2)], after="c2"))
    fake.expect("GET", "/api/seat-balances", page([customer(3)], after=""))

    results = client.list_seat_balances(exclude_zero=True)

    assert [r.id for r in results] == ["cust-1", "cust-2", "cust-3"]
    params = [r.url.params for r in fake.requests]
    assert [p.get("after") for p in params] == [None, "c1", "c2"]
    assert all(p["excludeZeroQuantity"] == "true" for p in params)


@pytest.mark.parametrize("pagination", [{}, {"after": None}, {"after": ""}, None])
def test_list_seat_balances_missing_null_or_empty_cursor_means_last_page(fake, client, pagination):
    body = {"items": [customer(1)]}
    if pagination is not None:
        body["pagination"] = pagination
    fake.expect("GET", "/api/seat-balances", respond(200, body))

    assert [r.id for r in client.list_seat_balances()] == ["cust-1"]


def test_list_seat_balances_repeated_cursor_stops_and_keeps_what_arrived(fake, client):
    fake.expect("GET", "/api/seat-balances", page([customer(1)], after="same"))
    fake.expect("GET", "/api/seat-balances", page([customer(2)], after="same"))

    found = client.fetch_seat_balances()

    assert [c.id for c in found.customers] == ["cust-1", "cust-2"]
    assert found.pages == 2


def test_list_seat_balances_page_with_nobody_new_stops_and_keeps_what_arrived(fake, client):
    # A server that ignores `after` sends the same page, with a fresh cursor each time.
    fake.expect("GET", "/api/seat-balances", page([customer(1)], after="c1", totalResultSize=10))
    fake.expect("GET", "/api/seat-balances", page([customer(1)], after="c2", totalResultSize=10))

    found = client.fetch_seat_balances()

    assert [c.id for c in found.customers] == ["cust-1"]
    assert found.reported_total == 10
    assert found.incomplete


def test_list_seat_balances_reports_progress_per_page(fake, client):
    fake.expect("GET", "/api/seat-balances", page([customer(1)], after="c1", totalResultSize=2))
    fake.expect("GET", "/api/seat-balances", page([customer(2)], totalResultSize=2))
    seen = []

    found = client.fetch_seat_balances(on_page=lambda done, total: seen.append((done, total)))

    assert seen == [(1, 2), (2, 2)]
    assert not found.incomplete


def test_list_seat_balances_budget_ends_a_long_walk(fake, client, clock):
    def slow(after):
        def respond_slowly(request):
            clock.now += 4.0
            return page([customer(len(fake.requests))], after=after)(request)

        return respond_slowly

    fake.expect("GET", "/api/seat-balances", slow("c1"))
    fake.expect("GET", "/api/seat-balances", slow("c2"))

    with pytest.raises(UpstreamUnavailable, match="budget"):
        client.fetch_seat_balances(budget=5.0)


def test_iter_seat_events_repeated_cursor_stops_and_keeps_what_arrived(fake, client):
    fake.expect("GET", "/api/seat-events", page([event(1)], after="same"))
    fake.expect("GET", "/api/seat-events", page([event(1)], after="same"))

    assert [e.id for e in client.iter_seat_events()] == ["evt-1"]


@pytest.mark.parametrize(
    "bad", [["a,b"], [""], "cust-1", [None]], ids=["comma", "empty", "bare-string", "none"]
)
def test_list_seat_balances_bad_ids_raise_value_error_before_any_call(client, bad):
    with pytest.raises(ValueError):
        client.list_seat_balances(customer_ids=bad)


# --- payload validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "field", "problem"),
    [
        (lambda c: c["balances"][0].pop("total"), "items[3].balances[0].total", "missing"),
        (lambda c: c.pop("legalName"), "items[3].legalName", "missing"),
        (lambda c: c.update(total="10"), "items[3].total", "is string, expected integer"),
        (lambda c: c.update(total=True), "items[3].total", "expected integer"),
        (lambda c: c.update(total=1.5), "items[3].total", "expected integer"),
        (lambda c: c.update(id=None), "items[3].id", "is null"),
        (lambda c: c.update(balances={}), "items[3].balances", "expected array"),
        (lambda c: c.update(customerAliases=[1]), "items[3].customerAliases[0]", "not a string"),
        (lambda c: c.update(changeTimestamp="yesterday"), "items[3].changeTimestamp", "ISO 8601"),
        (lambda c: c["balances"].append("x"), "items[3].balances[1]", "not an object"),
    ],
)
def test_list_seat_balances_bad_item_raises_bad_payload_naming_endpoint_and_field(
    fake, client, mutate, field, problem
):
    items = [customer(n) for n in range(5)]
    mutate(items[3])
    fake.expect("GET", "/api/seat-balances", page(items))

    with pytest.raises(UpstreamBadPayload) as info:
        client.list_seat_balances()

    message = str(info.value)
    assert message.startswith(f"GET /seat-balances: {field} ")
    assert problem in message
    assert (info.value.provider, info.value.endpoint) == (PROVIDER, "GET /seat-balances")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"pagination": {}}, "items missing"),
        ({"items": {}, "pagination": {}}, "items is object"),
        ({"items": [], "pagination": {"after": 5}}, "pagination.after is integer"),
        ({"items": [], "pagination": []}, "pagination is not an object"),
        ([], "body is not an object"),
    ],
)
def test_list_seat_balances_bad_envelope_raises_bad_payload(fake, client, body, field):
    fake.expect("GET", "/api/seat-balances", respond(200, body))

    with pytest.raises(UpstreamBadPayload, match=field):
        client.list_seat_balances()


def test_list_seat_balances_malformed_json_raises_bad_payload_naming_endpoint(fake, client):
    fake.expect("GET", "/api/seat-balances", lambda r: httpx.Response(200, content=b'{"items": [{'))

    with pytest.raises(UpstreamBadPayload, match="GET /seat-balances") as info:
        client.list_seat_balances()

    assert info.value.status == 200


# --- status mapping through the client ----------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "error_class"),
    [
        (
            400,
            {"error": {"type": "UnrecognisedApiVersion", "message": "No match"}},
            UpstreamRejected,
        ),
        (400, {"errors": [{"message": "bad customerIds"}]}, UpstreamRejected),
        (400, None, UpstreamRejected),
        (401, None, UpstreamUnauthorized),
        (403, None, UpstreamUnauthorized),
        (404, None, UpstreamNotFound),
        (500, None, UpstreamUnavailable),
    ],
)
def test_list_seat_balances_error_status_maps_without_retry(
    fake, client, clock, status, body, error_class
):
    fake.expect("GET", "/api/seat-balances", respond(status, body))

    with pytest.raises(error_class) as info:
        client.list_seat_balances()

    assert (info.value.provider, info.value.endpoint, info.value.status) == (
        PROVIDER,
        "GET /seat-balances",
        status,
    )
    assert clock.sleeps == []
    if body:
        assert "No match" in info.value.message or "bad customerIds" in info.value.message


@pytest.mark.parametrize("status", [502, 503, 504])
def test_list_seat_balances_transient_status_retried_then_succeeds(fake, client, clock, status):
    fake.expect("GET", "/api/seat-balances", respond(status))
    fake.expect("GET", "/api/seat-balances", respond(status))
    fake.expect("GET", "/api/seat-balances", page([customer(1)]))

    assert [r.id for r in client.list_seat_balances()] == ["cust-1"]
    assert len(clock.sleeps) == 2


def test_list_seat_balances_429_retried_after_seconds_then_succeeds(fake, client, clock):
    fake.expect("GET", "/api/seat-balances", respond(429))
    fake.expect("GET", "/api/seat-balances", page([customer(1)]))

    assert [r.id for r in client.list_seat_balances()] == ["cust-1"]
    assert len(clock.sleeps) == 1
    assert 2.0 <= clock.sleeps[0] <= 4.0


def test_list_seat_balances_429_with_long_retry_after_raises_rate_limited(fake, client, clock):
    fake.expect("GET", "/api/seat-balances", respond(429, headers={"Retry-After": "120"}))

    with pytest.raises(UpstreamRateLimited) as info:
        client.list_seat_balances()

    assert info.value.retry_after == 120
    assert clock.sleeps == []


def test_list_seat_balances_connection_error_every_time_raises_unavailable(fake, client):
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    for _ in range(RetryPolicy().max_attempts):
        fake.expect("GET", "/api/seat-balances", refuse)

    with pytest.raises(UpstreamUnavailable) as info:
        client.list_seat_balances()

    assert info.value.status is None


def test_list_seat_balances_read_timeout_raises_unavailable(fake, client):
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow")

    for _ in range(RetryPolicy().max_attempts):
        fake.expect("GET", "/api/seat-balances", slow)

    with pytest.raises(UpstreamUnavailable):
        client.list_seat_balances()


# --- seat events --------------------------------------------------------------------------------


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


# --- lifecycle and secrets ----------------------------------------------------------------------


def test_client_closed_later_call_raises_runtime_error_before_any_request(fake):
    sequence = SequenceClient(
        base_url=BASE_URL,
        client_id=CLIENT_ID,
        client_secret=SECRET,
        transport=httpx.MockTransport(fake),
    )
    sequence.close()

    with pytest.raises(RuntimeError, match="closed"):
        sequence.list_seat_balances()


def test_client_secret_never_in_repr_errors_or_logs(fake, client, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "seatdash"):
        caplog.set_level(logging.DEBUG, logger=name)
    token = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()

    def echo_auth(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400,
            json={"error": {"type": "Bad", "message": f"got {request.headers['Authorization']}"}},
        )

    fake.expect("GET", "/api/seat-balances", respond(503))
    fake.expect("GET", "/api/seat-balances", echo_auth)
    fake.expect("GET", "/api/seat-events/x", respond(401, {"message": f"bad secret {SECRET}"}))

    errors = []
    for call in (client.list_seat_balances, lambda: client.get_seat_event("x")):
        with pytest.raises(UpstreamError) as info:
            call()
        errors.append(info.value)

    texts = [repr(client), *(str(e) for e in errors), *(repr(e) for e in errors)]
    texts += [r.getMessage() for r in caplog.records]
    assert any(r.levelno == logging.WARNING for r in caplog.records)  # the 503 retry was logged
    for text in texts:
        assert SECRET not in text
        assert token not in text
