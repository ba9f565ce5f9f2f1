"""MetronomeClient: customers, credit types, contracts and seat history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import httpx
import pytest

from seatdash.clients.errors import (
    UpstreamBadPayload,
    UpstreamNotFound,
)
from seatdash.clients.metronome import (
    MAX_CUSTOMER_IDS_PER_CALL,
    MetronomeQueryError,
)
from tests.clients.metronome.support import (
    CONTRACT,
    CUSTOMER,
    T0,
)


def customer(i: int) -> dict:
    return {
        "id": f"cust-{i:03d}",
        "external_id": f"ext-{i}",
        "ingest_aliases": [f"alias-{i}", f"acme-{i}.example"],
        "name": f"Customer {i}",
        "custom_fields": {},
    }


def test_list_customers_follows_next_page_and_sends_alias(client, upstream):
    upstream.expect(
        "GET", "/v1/customers", httpx.Response(200, json={"data": [customer(1)], "next_page": "p2"})
    )
    upstream.expect(
        "GET", "/v1/customers", httpx.Response(200, json={"data": [customer(2)], "next_page": None})
    )
    found = client.list_customers(ingest_alias="alias-1")
    assert [c.id for c in found] == ["cust-001", "cust-002"]
    assert found[0].ingest_aliases == ("alias-1", "acme-1.example")
    assert found[0].external_id == "ext-1"
    first, second = (parse_qs(r.url.query.decode()) for r in upstream.requests)
    assert first["ingest_alias"] == ["alias-1"]
    assert "next_page" not in first
    assert second["next_page"] == ["p2"]


def test_list_customers_many_ids_are_batched_and_merged(client, upstream):
    ids = [f"cust-{i:03d}" for i in range(MAX_CUSTOMER_IDS_PER_CALL + 20)]

    def echo(request):
        asked = parse_qs(request.url.query.decode())["customer_ids"]
        assert len(asked) <= MAX_CUSTOMER_IDS_PER_CALL
        return httpx.Response(
            200, json={"data": [customer(int(i.split("-")[1])) for i in asked], "next_page": None}
        )

    upstream.expect("GET", "/v1/customers", echo)
    upstream.expect("GET", "/v1/customers", echo)
    found = client.list_customers(customer_ids=ids + ids[:5])
    assert [c.id for c in found] == ids


def test_get_customer_unwraps_data_and_quotes_the_id(client, upstream):
    upstream.expect("GET", "/v1/customers/a%2Fb", httpx.Response(200, json={"data": customer(7)}))
    got = client.get_customer("a/b")
    assert (got.id, got.name) == ("cust-007", "Customer 7")


def test_get_customer_unknown_raises_not_found(client, upstream):
    upstream.expect(
        "GET", "/v1/customers/nope", httpx.Response(404, json={"message": "Customer not found"})
    )
    with pytest.raises(UpstreamNotFound) as excinfo:
        client.get_customer("nope")
    assert excinfo.value.endpoint == "GET /v1/customers/{id}"


def test_get_customer_missing_name_raises_bad_payload(client, upstream):
    raw = customer(1)
    del raw["name"]
    upstream.expect("GET", "/v1/customers/cust-001", httpx.Response(200, json={"data": raw}))
    with pytest.raises(UpstreamBadPayload) as excinfo:
        client.get_customer("cust-001")
    assert "data.name" in excinfo.value.message


def contract_json(**overrides) -> dict:
    return {
        "id": CONTRACT,
        "customer_id": CUSTOMER,
        "name": "Enterprise 2026",
        "starting_at": "2026-01-01T00:00:00Z",
        "ending_before": None,
        "subscriptions": [
            {
                "id": "sub-seats",
                "quantity_management_mode": "SEAT_BASED",
                "seat_config": {"seat_group_key": "user_id"},
                "subscription_rate": {"billing_frequency": "MONTHLY", "product": {"name": "Pro"}},
            },
            {
                "id": "sub-qty",
                "quantity_management_mode": "QUANTITY_ONLY",
                "subscription_rate": {"product": {"id": "p", "name": "Platform fee"}},
            },
        ],
        **overrides,
    }


def test_list_contracts_parses_subscriptions_and_posts_customer(client, upstream):
    upstream.expect(
        "POST", "/v1/contracts/list", httpx.Response(200, json={"data": [contract_json()]})
    )
    (contract,) = client.list_contracts(CUSTOMER)
    assert upstream.bodies() == [{"customer_id": CUSTOMER, "limit": 20}]
    assert contract.name == "Enterprise 2026"
    assert contract.starting_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert contract.ending_before is None
    seats, qty = contract.subscriptions
    assert (seats.seat_group_key, seats.product_name, seats.is_seat_based) == (
        "user_id",
        "Pro",
        True,
    )
    assert (qty.seat_group_key, qty.product_name, qty.is_seat_based) == (
        None,
        "Platform fee",
        False,
    )
    assert contract.seat_based_subscriptions == (seats,)


def test_list_contracts_missing_name_falls_back_to_short_id(client, upstream):
    raw = contract_json()
    del raw["name"]
    upstream.expect("POST", "/v1/contracts/list", httpx.Response(200, json={"data": [raw]}))
    (contract,) = client.list_contracts(CUSTOMER)
    assert CONTRACT[:8] in contract.name


def test_list_contracts_v1_terms_from_current_subscriptions_from_the_top_level(client, upstream):
    flat = contract_json()
    terms = {k: v for k, v in flat.items() if k not in ("id", "customer_id", "subscriptions")}
    # v1: `current`/`initial` are ContractWithoutAmendments, which has no subscriptions.
    v1 = {
        "id": CONTRACT,
        "customer_id": CUSTOMER,
        "amendments": [],
        "initial": {**terms, "name": "Original name"},
        "current": terms,
        "subscriptions": flat["subscriptions"],
    }
    upstream.expect("POST", "/v1/contracts/list", httpx.Response(200, json={"data": [v1]}))
    (contract,) = client.list_contracts(CUSTOMER)
    assert contract.name == "Enterprise 2026"
    assert [s.id for s in contract.subscriptions] == ["sub-seats", "sub-qty"]
    assert [s.id for s in contract.seat_based_subscriptions] == ["sub-seats"]


def test_list_contracts_follows_the_cursor_past_twenty(client, upstream):
    first = [contract_json(id=f"c-{n:02d}") for n in range(20)]
    second = [contract_json(id=f"c-{n:02d}") for n in range(20, 22)]
    upstream.expect(
        "POST", "/v1/contracts/list", httpx.Response(200, json={"data": first, "cursor": "p2"})
    )
    upstream.expect(
        "POST", "/v1/contracts/list", httpx.Response(200, json={"data": second, "cursor": None})
    )
    contracts = client.list_contracts(CUSTOMER)
    assert [c.id for c in contracts] == [f"c-{n:02d}" for n in range(22)]
    assert upstream.bodies() == [
        {"customer_id": CUSTOMER, "limit": 20},
        {"customer_id": CUSTOMER, "limit": 20, "cursor": "p2"},
    ]


def test_subscription_quantity_schedule_gives_the_quantity_covering_a_date(client, upstream):
    raw = contract_json()
    raw["subscriptions"][0]["quantity_schedule"] = [
        {
            "quantity": 10,
            "starting_at": "2026-01-01T00:00:00Z",
            "ending_before": "2026-03-01T00:00:00Z",
        },
        {"quantity": 250, "starting_at": "2026-03-01T00:00:00Z"},
    ]
    upstream.expect("POST", "/v1/contracts/list", httpx.Response(200, json={"data": [raw]}))
    sub = client.list_contracts(CUSTOMER)[0].subscriptions[0]
    assert sub.quantity_at(T0 + timedelta(days=30)) == 10
    assert sub.quantity_at(datetime(2026, 3, 1, tzinfo=UTC)) == 250
    assert sub.quantity_at(T0 - timedelta(days=1)) is None


def test_get_seats_history_sends_covering_date_and_reads_assigned_seats(client, upstream):
    period = {
        "starting_at": "2026-01-01T00:00:00Z",
        "ending_before": None,
        "total_quantity": 3,
        "assigned_seat_ids": ["a", "b"],
    }
    upstream.expect(
        "POST",
        "/v1/contracts/getSubscriptionSeatsHistory",
        httpx.Response(200, json={"data": [period], "next_page": None}),
    )
    (got,) = client.get_seats_history(
        customer_id=CUSTOMER, contract_id=CONTRACT, subscription_id="sub-seats", covering_date=T0
    )
    assert (got.total_quantity, got.assigned_seat_ids) == (3, ("a", "b"))
    assert upstream.bodies() == [
        {
            "customer_id": CUSTOMER,
            "contract_id": CONTRACT,
            "subscription_id": "sub-seats",
            "covering_date": "2026-01-01T00:00:00Z",
        }
    ]


def test_list_contracts_subscription_without_mode_raises_bad_payload(client, upstream):
    raw = contract_json()
    del raw["subscriptions"][0]["quantity_management_mode"]
    upstream.expect("POST", "/v1/contracts/list", httpx.Response(200, json={"data": [raw]}))
    with pytest.raises(UpstreamBadPayload) as excinfo:
        client.list_contracts(CUSTOMER)
    assert "subscriptions[0].quantity_management_mode" in excinfo.value.message


@pytest.mark.parametrize("call", ["get_customer", "list_contracts"])
def test_customer_calls_blank_id_raise_query_error_without_a_call(client, upstream, call):
    with pytest.raises(MetronomeQueryError) as excinfo:
        getattr(client, call)("  ")
    assert excinfo.value.field == "customer_id"
    assert upstream.requests == []
