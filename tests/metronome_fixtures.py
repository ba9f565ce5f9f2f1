"""A small Metronome sandbox account and a client to it that counts calls and fails on command."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx

from seatdash.clients.http import RetryPolicy
from seatdash.clients.metronome import MetronomeClient
from seatdash.sandbox_metronome.auth import sandbox_token
from seatdash.sandbox_metronome.demo import SEAT_CREDITS_ID, USD_CENTS_ID
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
from seatdash.sandbox_metronome.transport import (
    METRONOME_SANDBOX_BASE_URL,
    MetronomeSandboxTransport,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class CountingTransport(httpx.BaseTransport):
    """The sandbox transport, counting calls by path; `failing` answers 503 to everything."""

    def __init__(self) -> None:
        self.inner = MetronomeSandboxTransport()
        self.calls: Counter[str] = Counter()
        self.failing = False
        # (method, path, query or JSON body, status, JSON answer) of every call, for the SDK judge.
        self.exchanges: list[tuple[str, str, dict, int, object]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/sandbox/metronome")
        self.calls[path] += 1
        if self.failing:
            return httpx.Response(503, json={"message": "down (test)"}, request=request)
        response = self.inner.handle_request(request)
        response.read()
        if request.method == "GET":
            sent: dict = {}
            for key, value in request.url.params.multi_items():
                sent.setdefault(key, []).append(value)
            sent = {k: v if k == "customer_ids" else v[0] for k, v in sent.items()}
        else:
            sent = json.loads(request.content or b"{}")
        self.exchanges.append((request.method, path, sent, response.status_code, response.json()))
        return response

    @property
    def seat_calls(self) -> int:
        return self.calls["/v1/contracts/seatBalances/list"]


CLIENT_USERS = (
    "seatdash.services.metronome",
    "seatdash.services.metronome_seats",
    "seatdash.services.metronome_units",
)


def use_client(monkeypatch, factory) -> None:
    """Every Metronome service module builds its client with `factory` for this test."""
    for module in CLIENT_USERS:
        monkeypatch.setattr(f"{module}.metronome_client", factory)


def counting_client(transport: CountingTransport) -> MetronomeClient:
    return MetronomeClient(
        base_url=METRONOME_SANDBOX_BASE_URL,
        bearer_token=sandbox_token(),
        transport=transport,
        retry=RetryPolicy(max_attempts=1, backoff_base=0, backoff_cap=0, max_retry_after=0),
    )


@dataclass
class Account:
    """Acme: one contract with two seat-based subscriptions and a quantity-only one."""

    customer: Customer
    contract: Contract
    pro: Subscription
    viewer: Subscription
    fee: Subscription
    grants: dict[str, Grant] = field(default_factory=dict)

    @property
    def ids(self) -> tuple[str, str]:
        return str(self.customer.id), str(self.contract.id)


def _grant(seat: Seat, kind: str, credit_type_id, start, end, entries) -> Grant:
    grant = Grant.objects.create(
        seat=seat,
        kind=kind,
        credit_type_id=credit_type_id,
        start_date=start,
        end_date=end,
    )
    for entry_type, amount, at in entries:
        LedgerEntry.objects.create(
            grant=grant, type=entry_type, amount=Decimal(amount), timestamp=at
        )
    return grant


def build_account() -> Account:
    CreditType.objects.create(id=USD_CENTS_ID, name="USD (cents)")
    CreditType.objects.create(id=SEAT_CREDITS_ID, name="Seat credits")
    goodwill = CreditType.objects.create(name="Goodwill (EUR)")
    customer = Customer.objects.create(name="Acme", external_id="seq-acme-id", created_at=T0)
    for i, alias in enumerate(("acme", "acme-eu")):
        IngestAlias.objects.create(customer=customer, value=alias, position=i)
    other = Customer.objects.create(name="Globex", external_id="crm-9", created_at=T0)
    IngestAlias.objects.create(customer=other, value="globex")
    contract = Contract.objects.create(
        customer=customer, name="Acme 2026", starting_at=T0, ending_before=T0 + timedelta(days=365)
    )
    subs = {}
    for name, mode in (
        ("Pro seats", "SEAT_BASED"),
        ("Viewer seats", "SEAT_BASED"),
        ("Platform fee", "QUANTITY_ONLY"),
    ):
        subs[name] = Subscription.objects.create(
            contract=contract,
            quantity_management_mode=mode,
            seat_group_key="user_id" if mode == "SEAT_BASED" else "",
            product_name=name,
            starting_at=T0,
        )
    alice = Seat.objects.create(subscription=subs["Pro seats"], seat_id="alice@acme.example")
    bob = Seat.objects.create(subscription=subs["Pro seats"], seat_id="bob@acme.example")
    evil = Seat.objects.create(subscription=subs["Viewer seats"], seat_id="=HYPERLINK(1)")
    account = Account(
        customer, contract, subs["Pro seats"], subs["Viewer seats"], subs["Platform fee"]
    )
    d = timedelta(days=1)
    # Entries are created out of timestamp order: the running balance must sort them.
    account.grants["alice-commit"] = _grant(
        alice,
        "commit",
        USD_CENTS_ID,
        T0,
        T0 + 365 * d,
        [
            ("PREPAID_COMMIT_SEGMENT_START", "1000.00", T0),
            ("PREPAID_COMMIT_AUTOMATED_INVOICE_DEDUCTION", "-150.25", T0 + 60 * d),
            ("PREPAID_COMMIT_AUTOMATED_INVOICE_DEDUCTION", "-100.00", T0 + 31 * d),
            ("PREPAID_COMMIT_MANUAL", "20.00", T0 + 45 * d),
        ],
    )
    account.grants["alice-jan"] = _grant(
        alice,
        "credit",
        SEAT_CREDITS_ID,
        T0,
        T0 + 31 * d,
        [("CREDIT_SEGMENT_START", "500", T0), ("CREDIT_EXPIRATION", "-500", T0 + 31 * d)],
    )
    account.grants["alice-mar"] = _grant(
        alice,
        "credit",
        SEAT_CREDITS_ID,
        T0 + 59 * d,
        T0 + 90 * d,
        [
            ("CREDIT_SEGMENT_START", "500", T0 + 59 * d),
            ("CREDIT_AUTOMATED_INVOICE_DEDUCTION", "-120", T0 + 70 * d),
        ],
    )
    account.grants["bob-commit"] = _grant(
        bob,
        "commit",
        USD_CENTS_ID,
        T0,
        T0 + 365 * d,
        [("PREPAID_COMMIT_SEGMENT_START", "800", T0)],
    )
    account.grants["evil-credit"] = _grant(
        evil,
        "credit",
        goodwill.id,
        T0,
        None,
        [("CREDIT_SEGMENT_START", "75.5", T0)],
    )
    return account


def build_large_contract(
    customer: Customer, *, seats: int = 250, quantity: int | None = None, name: str = "Big 2026"
) -> tuple[Contract, Subscription]:
    """A seat-based contract with `seats` seats (one USD commit each) and the given quantity."""
    contract = Contract.objects.create(
        customer=customer, name=name, starting_at=T0, ending_before=T0 + timedelta(days=365)
    )
    sub = Subscription.objects.create(
        contract=contract,
        quantity_management_mode="SEAT_BASED",
        seat_group_key="user_id",
        product_name="Enterprise seats",
        quantity=seats if quantity is None else quantity,
        starting_at=T0,
    )
    made = Seat.objects.bulk_create(
        [Seat(subscription=sub, seat_id=f"u{n:04d}@big.example") for n in range(seats)]
    )
    grants = Grant.objects.bulk_create(
        [
            Grant(
                seat=seat, kind="commit", credit_type_id=USD_CENTS_ID, start_date=T0, end_date=None
            )
            for seat in made
        ]
    )
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                grant=g, type="PREPAID_COMMIT_SEGMENT_START", amount=Decimal(10000), timestamp=T0
            )
            for g in grants
        ]
    )
    return contract, sub
