"""The official metronome-sdk judges our sandbox and our client: every sandbox answer validates
strictly against its response models, every request we send against its params types."""

from __future__ import annotations

import re
from datetime import timedelta

import pydantic
import pytest

from seatdash.clients.metronome import SeatBalanceQuery
from seatdash.sandbox_metronome.models import Contract
from tests.metronome_fixtures import (
    T0,
    CountingTransport,
    build_account,
    build_large_contract,
    counting_client,
)
from tests.metronome_sdk import ENDPOINTS, validate_params, validate_response

pytestmark = pytest.mark.django_db


def _endpoint(path: str) -> str:
    if path in ENDPOINTS:
        return path
    if re.fullmatch(r"/v1/customers/[^/]+", path):
        return "/v1/customers/{id}"
    raise AssertionError(f"no SDK model named for {path}")


def _exercise_every_endpoint(client, account) -> None:
    customer_id, contract_id = account.ids
    client.list_customers()
    client.list_customers(ingest_alias="acme")
    client.list_customers(customer_ids=[customer_id])
    client.get_customer(customer_id)
    client.list_credit_types()
    client.list_contracts(customer_id)
    client.get_seats_history(
        customer_id=customer_id,
        contract_id=contract_id,
        subscription_id=str(account.pro.id),
        covering_date=T0 + timedelta(days=40),
    )
    client.list_seat_balances(
        SeatBalanceQuery(
            customer_id=customer_id,
            contract_id=contract_id,
            subscription_ids=(str(account.pro.id),),
            seat_ids=("alice@acme.example", "bob@acme.example", "ghost"),
            skip_missing_seat_ids=True,
            include_credits_and_commits=True,
            include_ledgers=True,
            covering_date=T0 + timedelta(days=40),
            limit=1,  # several pages: the cursor is sent back and judged too
        )
    )
    client.list_seat_balances(
        SeatBalanceQuery(
            customer_id=customer_id,
            contract_id=contract_id,
            starting_at=T0,
            effective_before=T0 + timedelta(days=90),
            limit=100,
        )
    )


def test_every_sandbox_answer_and_client_request_passes_the_sdk():
    account = build_account()
    for n in range(22):  # two pages of contracts: the cursor request is judged too
        Contract.objects.create(
            customer=account.customer, name=f"Extra {n}", starting_at=T0 + timedelta(days=n)
        )
    transport = CountingTransport()
    _exercise_every_endpoint(counting_client(transport), account)
    judged = set()
    for method, path, sent, status, answer in transport.exchanges:
        endpoint = _endpoint(path)
        want_method, model, params = ENDPOINTS[endpoint]
        assert (method, status) == (want_method, 200), (path, answer)
        validate_response(model, answer)
        if params is not None:
            validate_params(params, sent, strict=method == "POST")
        judged.add(endpoint)
    assert judged == set(ENDPOINTS)
    assert transport.calls["/v1/contracts/list"] == 2
    assert any("cursor" in sent for _, p, sent, _, _ in transport.exchanges if "seatBalances" in p)


def _answer(path: str) -> dict:
    account = build_account()
    transport = CountingTransport()
    _exercise_every_endpoint(counting_client(transport), account)
    return next(a for _, p, _, _, a in transport.exchanges if _endpoint(p) == path)


@pytest.mark.parametrize(
    ("endpoint", "breaks"),
    [
        ("/v1/customers/{id}", lambda a: a["data"].pop("customer_config")),
        ("/v1/contracts/list", lambda a: a["data"][0].pop("amendments")),
        ("/v1/contracts/list", lambda a: a["data"][0].pop("current")),
        ("/v1/contracts/list", lambda a: a["data"][0]["subscriptions"][0].pop("billing_periods")),
        ("/v1/contracts/list", lambda a: a["data"][0]["subscriptions"][0].pop("proration")),
        (
            "/v1/credit-types/list",
            lambda a: a["data"][0].__setitem__(
                "is_currency_based", a["data"][0].pop("is_currency")
            ),
        ),
        ("/v1/contracts/seatBalances/list", lambda a: a.pop("pagination")),
        (
            "/v1/contracts/getSubscriptionSeatsHistory",
            lambda a: a["data"][0].pop("assigned_seat_ids"),
        ),
        ("/v1/contracts/seatBalances/list", lambda a: a["data"][0].__setitem__("seat_id", 7)),
    ],
)
def test_sdk_judge_fails_a_missing_required_or_renamed_field(endpoint, breaks):
    answer = _answer(endpoint)
    validate_response(ENDPOINTS[endpoint][1], answer)  # the untouched answer passes
    breaks(answer)
    with pytest.raises((pydantic.ValidationError, AssertionError)):
        validate_response(ENDPOINTS[endpoint][1], answer)


@pytest.mark.parametrize(
    "body",
    [
        {"contract_id": "c"},  # customer_id is required
        {"customer_id": "a", "contract_id": "c", "ending_before": "2026-01-01T00:00:00Z"},
        {"customer_id": "a", "contract_id": "c", "limit": "25"},
    ],
)
def test_sdk_params_judge_fails_missing_unknown_or_mistyped_fields(body):
    with pytest.raises((pydantic.ValidationError, AssertionError)):
        validate_params(ENDPOINTS["/v1/contracts/seatBalances/list"][2], body)


def test_sandbox_unfiltered_enumeration_stops_early_on_a_large_contract():
    """The field report's quirk, reproduced: the reason the dashboard never trusts it alone."""
    account = build_account()
    contract, _ = build_large_contract(account.customer, seats=250)
    client = counting_client(CountingTransport())
    query = dict(customer_id=str(account.customer.id), contract_id=str(contract.id), limit=100)
    unfiltered = client.list_seat_balances(SeatBalanceQuery(**query))
    assert len(unfiltered) == 150  # and next_page went null: nothing says seats are missing
    ids = tuple(f"u{n:04d}@big.example" for n in range(200, 250))
    by_id = client.list_seat_balances(SeatBalanceQuery(**query, seat_ids=ids))
    assert len(by_id) == 50
