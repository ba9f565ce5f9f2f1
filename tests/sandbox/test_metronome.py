"""The Metronome sandbox API over its in-process transport: auth, greedy pages, filters, errors."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from django.core.signals import request_finished
from django.test import Client

from seatdash.clients.errors import UpstreamNotFound, UpstreamRejected, UpstreamUnauthorized
from seatdash.clients.metronome import MetronomeClient, SeatBalanceQuery
from seatdash.sandbox_metronome.auth import sandbox_token
from seatdash.sandbox_metronome.models import (
    Contract,
    CreditType,
    Customer,
    Grant,
    IngestAlias,
    LedgerEntry,
    Seat,
    Subscription,
)
from seatdash.sandbox_metronome.seat_balances import MAX_GRANTS_PER_PAGE
from seatdash.sandbox_metronome.transport import (
    METRONOME_SANDBOX_BASE_URL,
    MetronomeSandboxTransport,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 1, tzinfo=UTC)
SEAT_BALANCES = "/v1/contracts/seatBalances/list"


@pytest.fixture
def http():
    with httpx.Client(
        base_url=METRONOME_SANDBOX_BASE_URL,
        transport=MetronomeSandboxTransport(),
        headers={"Authorization": f"Bearer {sandbox_token()}"},
    ) as c:
        yield c


class Account:
    """One customer with one contract: a SEAT_BASED subscription and a QUANTITY_ONLY one."""

    def __init__(self, grants_per_seat: dict[str, int], *, name: str = "Acme") -> None:
        self.credit_type = CreditType.objects.get_or_create(name="Seat credits")[0]
        self.customer = Customer.objects.create(name=name, created_at=T0)
        IngestAlias.objects.create(customer=self.customer, value=f"{name.lower()}-alias")
        self.contract = Contract.objects.create(
            customer=self.customer, name=f"{name} 2026", starting_at=T0
        )
        self.seats_sub = Subscription.objects.create(
            contract=self.contract,
            quantity_management_mode="SEAT_BASED",
            seat_group_key="user_id",
            product_name="Pro seats",
            starting_at=T0,
        )
        self.qty_sub = Subscription.objects.create(
            contract=self.contract,
            quantity_management_mode="QUANTITY_ONLY",
            product_name="Platform fee",
            starting_at=T0,
        )
        for seat_id, count in grants_per_seat.items():
            seat = Seat.objects.create(subscription=self.seats_sub, seat_id=seat_id)
            for month in range(count):
                self.add_grant(seat, T0 + timedelta(days=30 * month), Decimal("50.25"))

    def add_grant(self, seat, start, amount, *, end=None, kind="credit", spent=Decimal(0)):
        grant = Grant.objects.create(
            seat=seat,
            kind=kind,
            credit_type=self.credit_type,
            start_date=start,
            end_date=end if end is not None else start + timedelta(days=30),
        )
        LedgerEntry.objects.create(
            grant=grant, type="CREDIT_SEGMENT_START", amount=amount, timestamp=start
        )
        if spent:
            LedgerEntry.objects.create(
                grant=grant,
                type="CREDIT_AUTOMATED_INVOICE_DEDUCTION",
                amount=-spent,
                timestamp=start + timedelta(days=1),
            )
        return grant

    def body(self, **fields) -> dict:
        return {
            "customer_id": str(self.customer.id),
            "contract_id": str(self.contract.id),
            **fields,
        }


def seat_ids(response: httpx.Response) -> list[str]:
    return [s["seat_id"] for s in response.json()["data"]]


# --- Auth ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {'x' * 10}"])
def test_sandbox_missing_or_wrong_token_returns_401_with_message(header):
    Account({"u1": 1})
    headers = {"Authorization": header} if header else {}
    with httpx.Client(transport=MetronomeSandboxTransport(), headers=headers) as c:
        response = c.get(f"{METRONOME_SANDBOX_BASE_URL}/v1/customers")
    assert response.status_code == 401
    assert response.json()["message"]


def test_sandbox_token_derives_from_secret_key_unless_configured(settings):
    settings.METRONOME_BEARER_TOKEN = ""
    settings.SECRET_KEY = "one-secret-key-for-this-test"
    derived = sandbox_token()
    assert settings.SECRET_KEY not in derived
    settings.SECRET_KEY = "another-secret-key-for-this-test"
    assert sandbox_token() != derived
    settings.METRONOME_BEARER_TOKEN = "configured-token"
    assert sandbox_token() == "configured-token"


def test_sandbox_over_django_http_needs_no_login_or_csrf():
    account = Account({"u1": 1})
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/sandbox/metronome{SEAT_BALANCES}",
        data=account.body(),
        content_type="application/json",
        headers={"Authorization": f"Bearer {sandbox_token()}"},
    )
    assert response.status_code == 200
    assert [s["seat_id"] for s in response.json()["data"]] == ["u1"]


# --- Greedy cap and pagination -------------------------------------------------------------------


def test_seat_balances_greedy_cap_returns_whole_seats_past_100(http):
    account = Account({"u1": 98, "u2": 10, "u3": 5})
    response = http.post(SEAT_BALANCES, json=account.body(include_credits_and_commits=True))
    assert response.status_code == 200
    page = response.json()
    assert seat_ids(response) == ["u1", "u2"]
    assert sum(len(s["credits"]) for s in page["data"]) > MAX_GRANTS_PER_PAGE
    assert page["pagination"]["seats_included"] == 2
    assert page["pagination"]["seats_available_for_next_page"] == 1
    rest = http.post(
        SEAT_BALANCES,
        json=account.body(include_credits_and_commits=True, cursor=page["pagination"]["next_page"]),
    )
    assert seat_ids(rest) == ["u3"]
    assert rest.json()["pagination"]["next_page"] is None


def test_seat_balances_without_commits_ignores_the_grant_cap(http):
    account = Account({"u1": 98, "u2": 10, "u3": 5})
    response = http.post(SEAT_BALANCES, json=account.body())
    assert seat_ids(response) == ["u1", "u2", "u3"]
    assert "commits" not in response.json()["data"][0]


def test_seat_balances_default_limit_is_25_and_cursor_reaches_the_rest(http):
    account = Account({f"user_{i:04d}@acme.example": 0 for i in range(30)})
    first = http.post(SEAT_BALANCES, json=account.body()).json()
    assert len(first["data"]) == 25
    assert first["pagination"]["seats_available_for_next_page"] == 5
    second = http.post(
        SEAT_BALANCES, json=account.body(cursor=first["pagination"]["next_page"])
    ).json()
    ids = [s["seat_id"] for s in first["data"] + second["data"]]
    assert len(ids) == len(set(ids)) == 30
    assert second["pagination"]["next_page"] is None


@pytest.mark.parametrize("limit", [0, 101, "10", True])
def test_seat_balances_limit_out_of_range_returns_400(http, limit):
    account = Account({"u1": 1})
    response = http.post(SEAT_BALANCES, json=account.body(limit=limit))
    assert response.status_code == 400
    assert "limit" in response.json()["message"]


def test_seat_balances_cursor_of_another_query_returns_400(http):
    account = Account({"u1": 0, "u2": 0, "u3": 0})
    cursor = http.post(SEAT_BALANCES, json=account.body(limit=1)).json()["pagination"]["next_page"]
    response = http.post(SEAT_BALANCES, json=account.body(limit=2, cursor=cursor))
    assert response.status_code == 400
    assert http.post(SEAT_BALANCES, json=account.body(cursor="garbage!")).status_code == 400


# --- Seat and subscription filters --------------------------------------------------------------


def test_seat_balances_unknown_seat_id_returns_400_naming_it(http):
    account = Account({"u1": 1, "u2": 1})
    response = http.post(SEAT_BALANCES, json=account.body(seat_ids=["u1", "ghost"]))
    assert response.status_code == 400
    assert "ghost" in response.json()["message"]


def test_seat_balances_unknown_seat_id_with_skip_is_omitted(http):
    account = Account({"u1": 1, "u2": 1})
    response = http.post(
        SEAT_BALANCES, json=account.body(seat_ids=["u2", "ghost"], skip_missing_seat_ids=True)
    )
    assert response.status_code == 200
    assert seat_ids(response) == ["u2"]


def test_seat_balances_quantity_only_subscription_returns_400(http):
    account = Account({"u1": 1})
    response = http.post(
        SEAT_BALANCES, json=account.body(subscription_ids=[str(account.qty_sub.id)])
    )
    assert response.status_code == 400
    assert "SEAT_BASED" in response.json()["message"]


def test_seat_balances_subscription_filter_keeps_only_its_seats(http):
    account = Account({"u1": 1})
    other = Subscription.objects.create(
        contract=account.contract,
        quantity_management_mode="SEAT_BASED",
        product_name="Viewer seats",
        starting_at=T0,
    )
    Seat.objects.create(subscription=other, seat_id="viewer1")
    everyone = http.post(SEAT_BALANCES, json=account.body())
    assert seat_ids(everyone) == ["u1", "viewer1"]
    viewers = http.post(SEAT_BALANCES, json=account.body(subscription_ids=[str(other.id)]))
    assert seat_ids(viewers) == ["viewer1"]


@pytest.mark.parametrize(
    "body",
    [
        {"customer_id": "00000000-0000-4000-8000-000000000000"},
        {"contract_id": "00000000-0000-4000-8000-000000000000"},
        {"customer_id": "not-a-uuid"},
    ],
)
def test_seat_balances_unknown_customer_or_contract_returns_404(http, body):
    account = Account({"u1": 1})
    response = http.post(SEAT_BALANCES, json=account.body(**body))
    assert response.status_code == 404
    assert response.json()["message"]


def test_seat_balances_contract_of_another_customer_returns_404(http):
    mine, theirs = Account({"u1": 1}, name="Mine"), Account({"u2": 1}, name="Theirs")
    response = http.post(SEAT_BALANCES, json=mine.body(contract_id=str(theirs.contract.id)))
    assert response.status_code == 404


@pytest.mark.parametrize("other", ["starting_at", "effective_before"])
def test_seat_balances_covering_date_with_range_returns_400(http, other):
    account = Account({"u1": 1})
    stamp = "2026-02-01T00:00:00Z"
    response = http.post(SEAT_BALANCES, json=account.body(covering_date=stamp, **{other: stamp}))
    assert response.status_code == 400
    assert "covering_date" in response.json()["message"]


def test_seat_balances_malformed_body_returns_400(http):
    response = http.post(SEAT_BALANCES, content=b"{not json")
    assert response.status_code == 400
    assert "JSON" in response.json()["message"]


# --- Date filters, ledgers and balances ----------------------------------------------------------


@pytest.fixture
def dated(http):
    """One seat with credits starting Jan 1, Feb 1 and Mar 1 (each lasting one month)."""
    account = Account({})
    seat = Seat.objects.create(subscription=account.seats_sub, seat_id="u1")
    grants = {
        month: account.add_grant(
            seat,
            datetime(2026, month, 1, tzinfo=UTC),
            Decimal(100),
            end=datetime(2026, month + 1, 1, tzinfo=UTC),
            spent=Decimal("12.5") * month,
        )
        for month in (1, 2, 3)
    }
    return account, grants


def credit_ids(http, account, **filters) -> set[str]:
    body = account.body(include_credits_and_commits=True, **filters)
    (seat,) = http.post(SEAT_BALANCES, json=body).json()["data"]
    return {c["id"] for c in seat["credits"]}


def test_seat_balances_starting_at_is_on_or_after(http, dated):
    account, grants = dated
    got = credit_ids(http, account, starting_at="2026-02-01T00:00:00Z")
    assert got == {str(grants[2].id), str(grants[3].id)}


def test_seat_balances_effective_before_is_on_or_before(http, dated):
    account, grants = dated
    got = credit_ids(http, account, effective_before="2026-02-01T00:00:00Z")
    assert got == {str(grants[1].id), str(grants[2].id)}


def test_seat_balances_covering_date_keeps_the_covering_grant(http, dated):
    account, grants = dated
    assert credit_ids(http, account, covering_date="2026-02-15T00:00:00Z") == {str(grants[2].id)}
    # end_date is exclusive: on Mar 1 the March credit covers, the February one has ended.
    assert credit_ids(http, account, covering_date="2026-03-01T00:00:00Z") == {str(grants[3].id)}


def test_seat_balances_ledgers_sum_to_balances(http, dated):
    account, _ = dated
    body = account.body(include_credits_and_commits=True, include_ledgers=True)
    (seat,) = http.post(SEAT_BALANCES, json=body).json()["data"]
    for credit in seat["credits"]:
        amounts = [Decimal(str(e["amount"])) for e in credit["ledger_entries"]]
        assert sum(amounts) == Decimal(str(credit["balance"]))
    (balance,) = seat["balances"]
    total = sum(Decimal(str(c["balance"])) for c in seat["credits"])
    assert Decimal(str(balance["balance"])) == total
    assert Decimal(str(balance["starting_balance"])) == Decimal(300)


def test_seat_balances_ledgers_without_commits_are_not_included(http, dated):
    account, _ = dated
    (seat,) = http.post(SEAT_BALANCES, json=account.body(include_ledgers=True)).json()["data"]
    assert "credits" not in seat
    assert seat["balances"]


# --- Customers, contracts and the transport ------------------------------------------------------


def test_customers_filter_by_alias_and_ids_and_paginate(http):
    accounts = [Account({}, name=f"Co{i}") for i in range(5)]
    by_alias = http.get("/v1/customers", params={"ingest_alias": "co3-alias"}).json()
    assert [c["id"] for c in by_alias["data"]] == [str(accounts[3].customer.id)]
    wanted = [str(accounts[1].customer.id), str(accounts[4].customer.id)]
    by_ids = http.get("/v1/customers", params={"customer_ids": wanted}).json()
    assert {c["id"] for c in by_ids["data"]} == set(wanted)
    seen, next_page = [], None
    while True:
        params = {"limit": 2, **({"next_page": next_page} if next_page else {})}
        page = http.get("/v1/customers", params=params).json()
        seen += [c["id"] for c in page["data"]]
        next_page = page["next_page"]
        if not next_page:
            break
    assert sorted(seen) == sorted(str(a.customer.id) for a in accounts)


def test_customer_detail_unknown_returns_404(http):
    response = http.get("/v1/customers/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert response.json()["message"]


def test_contracts_list_nameless_contract_omits_name(http):
    account = Account({"u1": 0})
    Contract.objects.filter(pk=account.contract.pk).update(name="")
    (contract,) = http.post(
        "/v1/contracts/list", json={"customer_id": str(account.customer.id)}
    ).json()["data"]
    assert "name" not in contract
    modes = {s["quantity_management_mode"] for s in contract["subscriptions"]}
    assert modes == {"SEAT_BASED", "QUANTITY_ONLY"}


def test_transport_unknown_route_returns_404_json(http):
    response = http.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["message"]


def test_transport_does_not_fire_request_finished(http):
    # request_finished would close the dashboard request's DB connection mid-request.
    fired = []

    def receiver(**kwargs):
        fired.append(kwargs)

    request_finished.connect(receiver)
    try:
        Account({"u1": 1})
        assert http.get("/v1/customers").status_code == 200
    finally:
        request_finished.disconnect(receiver)
    assert fired == []


def test_sandbox_wrong_method_returns_405(http):
    response = http.get(SEAT_BALANCES)
    assert response.status_code == 405


# --- The client against the sandbox ---------------------------------------------------------------


@pytest.fixture
def metronome():
    c = MetronomeClient(
        base_url=METRONOME_SANDBOX_BASE_URL,
        bearer_token=sandbox_token(),
        transport=MetronomeSandboxTransport(),
    )
    yield c
    c.close()


def test_client_on_sandbox_greedy_pages_are_all_followed(metronome):
    account = Account({f"u{i:02d}": 30 for i in range(12)})  # 360 credits: at least four pages
    customer = metronome.get_customer(str(account.customer.id))
    (contract,) = metronome.list_contracts(customer.id)
    assert [s.product_name for s in contract.seat_based_subscriptions] == ["Pro seats"]
    seats = metronome.list_seat_balances(
        SeatBalanceQuery(
            customer_id=customer.id,
            contract_id=contract.id,
            include_credits_and_commits=True,
            include_ledgers=True,
        )
    )
    assert [s.seat_id for s in seats] == [f"u{i:02d}" for i in range(12)]
    for seat in seats:
        assert len(seat.credits) == 30
        (balance,) = seat.balances
        assert balance.balance == sum(c.balance for c in seat.credits)
        for credit in seat.credits:
            assert credit.balance == sum(e.amount for e in credit.ledger_entries)


def test_client_on_sandbox_unknown_seat_surfaces_sandbox_message(metronome):
    account = Account({"u1": 1})
    query = SeatBalanceQuery(
        customer_id=str(account.customer.id),
        contract_id=str(account.contract.id),
        seat_ids=("u1", "ghost@acme.example"),
    )
    with pytest.raises(UpstreamRejected) as excinfo:
        metronome.list_seat_balances(query)
    assert "ghost@acme.example" in excinfo.value.message
    skipped = metronome.list_seat_balances(replace(query, skip_missing_seat_ids=True))
    assert [s.seat_id for s in skipped] == ["u1"]


def test_client_on_sandbox_unknown_contract_raises_not_found(metronome):
    account = Account({"u1": 1})
    with pytest.raises(UpstreamNotFound):
        metronome.list_seat_balances(
            SeatBalanceQuery(
                customer_id=str(account.customer.id),
                contract_id="00000000-0000-4000-8000-000000000000",
            )
        )


def test_client_on_sandbox_wrong_token_raises_unauthorized():
    client = MetronomeClient(
        base_url=METRONOME_SANDBOX_BASE_URL,
        bearer_token="not-the-token",
        transport=MetronomeSandboxTransport(),
    )
    with pytest.raises(UpstreamUnauthorized):
        client.list_customers()


def test_client_on_sandbox_customers_by_alias(metronome):
    accounts = [Account({}, name=f"Co{i}") for i in range(3)]
    (found,) = metronome.list_customers(ingest_alias="co2-alias")
    assert found.id == str(accounts[2].customer.id)
    assert found.ingest_aliases == ("co2-alias",)
