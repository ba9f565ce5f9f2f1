"""The Metronome client against a scripted upstream (httpx.MockTransport): no network, no Django."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import parse_qs

import httpx
import pytest

from seatdash.clients.errors import (
    UpstreamBadPayload,
    UpstreamNotFound,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamUnauthorized,
    UpstreamUnavailable,
)
from seatdash.clients.http import RetryPolicy
from seatdash.clients.metronome import (
    DEFAULT_SEAT_LIMIT,
    MAX_CUSTOMER_IDS_PER_CALL,
    MAX_SEAT_LIMIT,
    MetronomeClient,
    MetronomeQueryError,
    SeatBalanceQuery,
)

BASE_URL = "https://metronome.test"
TOKEN = "test-token"
CUSTOMER = "8f0b3a4e-2a8e-4b7a-9d55-0c1e2f3a4b5c"
CONTRACT = "1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
CREDIT_TYPE = "2714e483-4ff1-48e4-9e25-ac732e8f24f2"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class FakeMetronome:
    """Answers only the calls it was told to expect, in order; any other call fails the test."""

    expected: list[tuple[str, str, Callable[[httpx.Request], httpx.Response]]] = field(
        default_factory=list
    )
    requests: list[httpx.Request] = field(default_factory=list)

    def expect(self, method: str, path: str, respond) -> None:
        handler = respond if callable(respond) else (lambda _request, r=respond: r)
        self.expected.append((method, path, handler))

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.expected:
            pytest.fail(f"unexpected call {request.method} {request.url}")
        method, path, handler = self.expected.pop(0)
        raw_path = request.url.raw_path.split(b"?")[0].decode()
        assert (request.method, raw_path) == (method, path)
        return handler(request)

    def bodies(self) -> list[dict]:
        return [json.loads(r.content) for r in self.requests]


@pytest.fixture
def upstream() -> FakeMetronome:
    return FakeMetronome()


@pytest.fixture
def client(upstream):
    sleeps: list[float] = []
    c = MetronomeClient(
        base_url=BASE_URL,
        bearer_token=TOKEN,
        retry=RetryPolicy(max_attempts=2, backoff_base=0, backoff_cap=0, max_retry_after=0),
        transport=httpx.MockTransport(upstream.handle),
        sleep=sleeps.append,
    )
    yield c
    c.close()
    assert not upstream.expected, "expected calls were not made"


def query(**overrides) -> SeatBalanceQuery:
    return SeatBalanceQuery(**{"customer_id": CUSTOMER, "contract_id": CONTRACT, **overrides})


def seat(seat_id: str, *, commits: int = 0, credits: int = 0, balance: float = 100.0) -> dict:
    def grant(prefix: str, i: int) -> dict:
        return {
            "id": f"{prefix}-{seat_id}-{i}",
            "balance": 10,
            "start_date": "2026-01-01T00:00:00Z",
            "end_date": None,
            "ledger_entries": [],
        }

    return {
        "seat_id": seat_id,
        "balances": [{"credit_type_id": CREDIT_TYPE, "balance": balance, "starting_balance": 500}],
        "commits": [grant("commit", i) for i in range(commits)],
        "credits": [grant("credit", i) for i in range(credits)],
    }


def page(seats: list[dict], next_page: str | None = None, remaining: int = 0) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "data": seats,
            "pagination": {
                "seats_included": len(seats),
                "seats_available_for_next_page": remaining,
                "next_page": next_page,
            },
        },
    )


SEAT_BALANCES = "/v1/contracts/seatBalances/list"


# --- Query validation ----------------------------------------------------------------------------


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


# --- Request body and pagination -----------------------------------------------------------------


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


# --- Response shapes -----------------------------------------------------------------------------


def test_list_seat_balances_current_shape_parses_decimals_grants_and_ledgers(client, upstream):
    upstream.expect(
        "POST",
        SEAT_BALANCES,
        httpx.Response(
            200,
            json={
                "data": [
                    {
                        "seat_id": "user_0042@acme.example",
                        "balances": [
                            {
                                "credit_type_id": CREDIT_TYPE,
                                "balance": 300.1,
                                "starting_balance": 500,
                                "access_type": "SPEND",
                            }
                        ],
                        "commits": [
                            {
                                "id": "c-1",
                                "balance": 300.1,
                                "start_date": "2026-01-01T00:00:00.000Z",
                                "end_date": "2027-01-01T00:00:00Z",
                                "credit_type_id": CREDIT_TYPE,
                                "access_type": "SPEND",
                                "ledger_entries": [
                                    {
                                        "type": "PREPAID_COMMIT_SEGMENT_START",
                                        "amount": 500,
                                        "timestamp": "2026-01-01T00:00:00Z",
                                    },
                                    {
                                        "type": "PREPAID_COMMIT_AUTOMATED_INVOICE_DEDUCTION",
                                        "amount": -199.9,
                                        "timestamp": "2026-02-01T00:00:00Z",
                                    },
                                ],
                            }
                        ],
                        "credits": [
                            {"id": "k-1", "balance": "0", "start_date": "2026-01-01T00:00:00Z"}
                        ],
                    }
                ],
                "pagination": {
                    "seats_included": 1,
                    "seats_available_for_next_page": 0,
                    "next_page": None,
                },
            },
        ),
    )
    (record,) = client.list_seat_balances(
        query(include_credits_and_commits=True, include_ledgers=True)
    )
    assert record.seat_id == "user_0042@acme.example"
    (balance,) = record.balances
    assert balance.balance == Decimal("300.1")
    assert balance.starting_balance == Decimal("500")
    assert (balance.credit_type_id, balance.access_type) == (CREDIT_TYPE, "SPEND")
    (commit,) = record.commits
    assert commit.end_date == datetime(2027, 1, 1, tzinfo=UTC)
    assert [e.amount for e in commit.ledger_entries] == [Decimal("500"), Decimal("-199.9")]
    assert sum(e.amount for e in commit.ledger_entries) == commit.balance
    (credit,) = record.credits
    assert (credit.end_date, credit.credit_type_id, credit.ledger_entries) == (None, None, ())


def test_list_seat_balances_older_scalar_shape_maps_to_one_unknown_credit_type(client, upstream):
    upstream.expect(
        "POST",
        SEAT_BALANCES,
        httpx.Response(200, json={"data": [{"seat_id": "user_1", "balance": 42.5}]}),
    )
    (record,) = client.list_seat_balances(query())
    (balance,) = record.balances
    assert balance.balance == Decimal("42.5")
    assert balance.credit_type_id is None
    assert balance.starting_balance is None
    assert record.commits == ()


@pytest.mark.parametrize(
    ("mutate", "field_path"),
    [
        (lambda s: s.pop("seat_id"), "data[0].seat_id"),
        (
            lambda s: s["balances"][0].pop("starting_balance"),
            "data[0].balances[0].starting_balance",
        ),
        (lambda s: s["balances"][0].update(balance="lots"), "data[0].balances[0].balance"),
        (lambda s: s["commits"][0].pop("start_date"), "data[0].commits[0].start_date"),
        (lambda s: s["commits"][0].update(start_date="soon"), "data[0].commits[0].start_date"),
        (lambda s: s.pop("balances"), "data[0].balances"),
    ],
)
def test_list_seat_balances_malformed_field_raises_bad_payload_naming_it(
    client, upstream, mutate, field_path
):
    raw = seat("user_1", commits=1)
    mutate(raw)
    upstream.expect("POST", SEAT_BALANCES, page([raw]))
    with pytest.raises(UpstreamBadPayload) as excinfo:
        client.list_seat_balances(query())
    assert field_path in excinfo.value.message
    assert excinfo.value.endpoint == "POST /v1/contracts/seatBalances/list"
    assert excinfo.value.provider == "Metronome"


def test_list_seat_balances_body_without_data_raises_bad_payload(client, upstream):
    upstream.expect("POST", SEAT_BALANCES, httpx.Response(200, json={"items": []}))
    with pytest.raises(UpstreamBadPayload) as excinfo:
        client.list_seat_balances(query())
    assert "data" in excinfo.value.message


def test_list_seat_balances_non_json_body_raises_bad_payload(client, upstream):
    upstream.expect("POST", SEAT_BALANCES, httpx.Response(200, text="<html>oops</html>"))
    with pytest.raises(UpstreamBadPayload):
        client.list_seat_balances(query())


# --- Error mapping -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 409, 422])
def test_list_seat_balances_rejected_surfaces_metronome_message(client, upstream, status):
    message = f"seat_ids not found on contract (status {status})"
    upstream.expect("POST", SEAT_BALANCES, httpx.Response(status, json={"message": message}))
    with pytest.raises(UpstreamRejected) as excinfo:
        client.list_seat_balances(query(seat_ids=("ghost",)))
    assert message in excinfo.value.message
    assert excinfo.value.status == status
    assert excinfo.value.provider == "Metronome"


@pytest.mark.parametrize(
    ("status", "error_type"),
    [(401, UpstreamUnauthorized), (403, UpstreamUnauthorized), (404, UpstreamNotFound)],
)
def test_list_seat_balances_auth_and_not_found_map_to_their_errors_unretried(
    client, upstream, status, error_type
):
    upstream.expect("POST", SEAT_BALANCES, httpx.Response(status, json={"message": "nope"}))
    with pytest.raises(error_type) as excinfo:
        client.list_seat_balances(query())
    assert excinfo.value.status == status
    assert len(upstream.requests) == 1


def test_list_seat_balances_server_error_after_retries_raises_unavailable(client, upstream):
    for _ in range(2):
        upstream.expect("POST", SEAT_BALANCES, httpx.Response(503, json={"message": "down"}))
    with pytest.raises(UpstreamUnavailable):
        client.list_seat_balances(query())


def test_list_seat_balances_server_error_then_success_returns_data(client, upstream):
    upstream.expect("POST", SEAT_BALANCES, httpx.Response(502, text="bad gateway"))
    upstream.expect("POST", SEAT_BALANCES, page([seat("user_1")]))
    assert [s.seat_id for s in client.list_seat_balances(query())] == ["user_1"]


def test_list_seat_balances_rate_limited_after_retries_raises_rate_limited(client, upstream):
    for _ in range(2):
        upstream.expect("POST", SEAT_BALANCES, httpx.Response(429, json={"message": "slow down"}))
    with pytest.raises(UpstreamRateLimited):
        client.list_seat_balances(query())


def test_list_seat_balances_connection_error_raises_unavailable(client, upstream):
    def refuse(request):
        raise httpx.ConnectError("refused", request=request)

    for _ in range(2):
        upstream.expect("POST", SEAT_BALANCES, refuse)
    with pytest.raises(UpstreamUnavailable):
        client.list_seat_balances(query())


# --- Customers and contracts ---------------------------------------------------------------------


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
