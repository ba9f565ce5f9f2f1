"""SequenceClient: GET /seat-balances filters, ID batches, cursor walks and the fetch budget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from seatdash.clients.errors import UpstreamUnavailable
from seatdash.clients.sequence import (
    MAX_IDS_PER_CALL,
    CustomerBalances,
)
from tests.clients.sequence.support import (
    customer,
    event,
    page,
    respond,
)


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
