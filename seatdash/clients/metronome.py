"""Typed client for Metronome seat balances, customers and contracts over the shared JsonHttp."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

import httpx

from seatdash.clients.errors import UpstreamBadPayload
from seatdash.clients.http import JsonHttp, RetryPolicy

PROVIDER = "Metronome"
DEFAULT_SEAT_LIMIT = 25
MAX_SEAT_LIMIT = 100
# GET /v1/customers accepts at most 100 `customer_ids` per call.
MAX_CUSTOMER_IDS_PER_CALL = 100
CUSTOMERS_PAGE_SIZE = 100
# A cursor that never ends (an upstream bug) must not hold a page forever; the deadline bounds each
# call, this bounds the number of calls.
MAX_PAGES = 1000

SEAT_BALANCES_ENDPOINT = "POST /v1/contracts/seatBalances/list"
CUSTOMERS_ENDPOINT = "GET /v1/customers"
CUSTOMER_ENDPOINT = "GET /v1/customers/{id}"
CONTRACTS_ENDPOINT = "POST /v1/contracts/list"
CREDIT_TYPES_ENDPOINT = "GET /v1/credit-types/list"


class MetronomeQueryError(ValueError):
    """A seat-balance query Metronome would reject; `field` names the offending query field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# --- Query ---------------------------------------------------------------------------------------


def _ids(value: Iterable[str] | str, name: str) -> tuple[str, ...]:
    # A bare string would otherwise be split into one-character "ids".
    if isinstance(value, str):
        raise MetronomeQueryError(name, "must be a list of ids, not a single string.")
    return tuple(value)


@dataclass(frozen=True, slots=True)
class SeatBalanceQuery:
    """The body of POST /v1/contracts/seatBalances/list, minus the cursor. Validated on creation."""

    customer_id: str
    contract_id: str
    subscription_ids: tuple[str, ...] = ()
    seat_ids: tuple[str, ...] = ()
    skip_missing_seat_ids: bool = False
    include_credits_and_commits: bool = False
    include_ledgers: bool = False
    starting_at: datetime | None = None
    effective_before: datetime | None = None
    covering_date: datetime | None = None
    limit: int = DEFAULT_SEAT_LIMIT

    def __post_init__(self) -> None:
        # Tuples keep the query hashable, so services can use it in cache keys.
        object.__setattr__(
            self, "subscription_ids", _ids(self.subscription_ids, "subscription_ids")
        )
        object.__setattr__(self, "seat_ids", _ids(self.seat_ids, "seat_ids"))
        self.validate()

    def validate(self) -> None:
        """Raise MetronomeQueryError for the first rule broken (one Metronome would 400 on)."""
        for name in ("customer_id", "contract_id"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise MetronomeQueryError(name, "is required.")
        for name in ("subscription_ids", "seat_ids"):
            for item in getattr(self, name):
                if not isinstance(item, str) or not item.strip():
                    raise MetronomeQueryError(name, "must not contain empty ids.")
        for name in ("starting_at", "effective_before", "covering_date"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
                raise MetronomeQueryError(name, "must be a date and time with a time zone.")
        if self.covering_date is not None:
            if self.starting_at is not None:
                raise MetronomeQueryError(
                    "covering_date", "cannot be combined with a start date (starting_at)."
                )
            if self.effective_before is not None:
                raise MetronomeQueryError(
                    "covering_date", "cannot be combined with an end date (effective_before)."
                )
        if (
            self.starting_at is not None
            and self.effective_before is not None
            and self.effective_before < self.starting_at
        ):
            raise MetronomeQueryError("effective_before", "must not be before starting_at.")
        if self.include_ledgers and not self.include_credits_and_commits:
            # Metronome silently ignores the flag; saying so beats an empty ledger column.
            raise MetronomeQueryError(
                "include_ledgers", "needs include_credits_and_commits (ledgers belong to them)."
            )
        if (
            isinstance(self.limit, bool)
            or not isinstance(self.limit, int)
            or not 1 <= self.limit <= MAX_SEAT_LIMIT
        ):
            raise MetronomeQueryError(
                "limit", f"must be a whole number from 1 to {MAX_SEAT_LIMIT}."
            )

    def body(self, cursor: str | None = None) -> dict[str, Any]:
        """The JSON request body; optional fields are sent only when set."""
        body: dict[str, Any] = {
            "customer_id": self.customer_id,
            "contract_id": self.contract_id,
            "limit": self.limit,
        }
        if self.subscription_ids:
            body["subscription_ids"] = list(self.subscription_ids)
        if self.seat_ids:
            body["seat_ids"] = list(self.seat_ids)
        if self.skip_missing_seat_ids:
            body["skip_missing_seat_ids"] = True
        if self.include_credits_and_commits:
            body["include_credits_and_commits"] = True
        if self.include_ledgers:
            body["include_ledgers"] = True
        for name in ("starting_at", "effective_before", "covering_date"):
            value = getattr(self, name)
            if value is not None:
                body[name] = format_timestamp(value)
        if cursor is not None:
            body["cursor"] = cursor
        return body


def format_timestamp(value: datetime) -> str:
    """RFC 3339 in UTC with a `Z`, as Metronome's examples write it."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# --- Records -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    type: str
    amount: Decimal  # signed: deductions and expirations are negative
    timestamp: datetime


@dataclass(frozen=True, slots=True)
class CommitOrCredit:
    """One commit or credit as it applies to one seat; `balance` is this seat's share."""

    id: str
    balance: Decimal
    start_date: datetime
    end_date: datetime | None
    credit_type_id: str | None
    access_type: str | None
    ledger_entries: tuple[LedgerEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class CreditTypeBalance:
    """A seat's balance in one credit type. The older response shape knows neither the credit type
    nor the starting balance, so both may be None."""

    balance: Decimal
    starting_balance: Decimal | None
    credit_type_id: str | None
    access_type: str | None = None


@dataclass(frozen=True, slots=True)
class SeatBalanceRecord:
    seat_id: str
    balances: tuple[CreditTypeBalance, ...]
    commits: tuple[CommitOrCredit, ...] = ()
    credits: tuple[CommitOrCredit, ...] = ()


@dataclass(frozen=True, slots=True)
class MetronomeCustomer:
    id: str
    name: str
    external_id: str | None
    ingest_aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CreditType:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Subscription:
    id: str
    quantity_management_mode: str  # SEAT_BASED | QUANTITY_ONLY
    seat_group_key: str | None
    product_name: str | None

    @property
    def is_seat_based(self) -> bool:
        return self.quantity_management_mode == "SEAT_BASED"


@dataclass(frozen=True, slots=True)
class Contract:
    id: str
    name: str
    starting_at: datetime
    ending_before: datetime | None
    subscriptions: tuple[Subscription, ...] = field(default=())

    @property
    def seat_based_subscriptions(self) -> tuple[Subscription, ...]:
        return tuple(s for s in self.subscriptions if s.is_seat_based)


# --- Parsing -------------------------------------------------------------------------------------

_MISSING = object()


class _Reader:
    """Reads one response body; every failure names the endpoint and the JSON path of the field."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint

    def bad(self, path: str, problem: str) -> UpstreamBadPayload:
        return UpstreamBadPayload(
            f"Metronome returned an unexpected response from {self.endpoint}: {path} {problem}.",
            provider=PROVIDER,
            endpoint=self.endpoint,
        )

    def obj(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.bad(path, "is not an object")
        return value

    def get(self, obj: dict[str, Any], key: str, path: str, *, required: bool = True) -> Any:
        value = obj.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                raise self.bad(f"{path}.{key}" if path else key, "is missing")
            return None
        return value

    def items(self, obj: dict[str, Any], key: str, path: str, *, required: bool = True) -> list:
        value = self.get(obj, key, path, required=required)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.bad(f"{path}.{key}" if path else key, "is not a list")
        return value

    def text(
        self, obj: dict[str, Any], key: str, path: str, *, required: bool = True
    ) -> str | None:
        value = self.get(obj, key, path, required=required)
        if value is None:
            return None
        if not isinstance(value, str) or (required and not value):
            raise self.bad(f"{path}.{key}" if path else key, "is not a non-empty string")
        return value

    def decimal(
        self, obj: dict[str, Any], key: str, path: str, *, required: bool = True
    ) -> Decimal | None:
        value = self.get(obj, key, path, required=required)
        if value is None:
            return None
        where = f"{path}.{key}" if path else key
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self.bad(where, "is not a number")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.bad(where, "is not a finite number")
        try:
            # repr() of a float is its shortest round-tripping text: 0.1 stays 0.1, not 0.1000…0555.
            number = Decimal(repr(value) if isinstance(value, float) else value)
        except InvalidOperation:
            raise self.bad(where, "is not a number") from None
        if not number.is_finite():
            raise self.bad(where, "is not a finite number")
        return number

    def timestamp(
        self, obj: dict[str, Any], key: str, path: str, *, required: bool = True
    ) -> datetime | None:
        value = self.get(obj, key, path, required=required)
        if value is None:
            return None
        where = f"{path}.{key}" if path else key
        if not isinstance(value, str):
            raise self.bad(where, "is not a timestamp")
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise self.bad(where, "is not an ISO 8601 timestamp") from None
        # Metronome always writes UTC; a zone-less value is read as UTC rather than as local time.
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _parse_ledger(r: _Reader, raw: Any, path: str) -> LedgerEntry:
    item = r.obj(raw, path)
    return LedgerEntry(
        type=r.text(item, "type", path),
        amount=r.decimal(item, "amount", path),
        timestamp=r.timestamp(item, "timestamp", path),
    )


def _parse_commit_or_credit(r: _Reader, raw: Any, path: str) -> CommitOrCredit:
    item = r.obj(raw, path)
    return CommitOrCredit(
        id=r.text(item, "id", path),
        balance=r.decimal(item, "balance", path),
        start_date=r.timestamp(item, "start_date", path),
        end_date=r.timestamp(item, "end_date", path, required=False),
        credit_type_id=r.text(item, "credit_type_id", path, required=False),
        access_type=r.text(item, "access_type", path, required=False),
        ledger_entries=tuple(
            _parse_ledger(r, entry, f"{path}.ledger_entries[{i}]")
            for i, entry in enumerate(r.items(item, "ledger_entries", path, required=False))
        ),
    )


def _parse_credit_type_balance(r: _Reader, raw: Any, path: str) -> CreditTypeBalance:
    item = r.obj(raw, path)
    return CreditTypeBalance(
        balance=r.decimal(item, "balance", path),
        starting_balance=r.decimal(item, "starting_balance", path),
        credit_type_id=r.text(item, "credit_type_id", path),
        access_type=r.text(item, "access_type", path, required=False),
    )


def _parse_seat(r: _Reader, raw: Any, path: str) -> SeatBalanceRecord:
    item = r.obj(raw, path)
    if "balances" not in item and "balance" in item:
        # The older response shape: one number per seat, credit type and allocation unknown.
        balances: tuple[CreditTypeBalance, ...] = (
            CreditTypeBalance(
                balance=r.decimal(item, "balance", path), starting_balance=None, credit_type_id=None
            ),
        )
    else:
        balances = tuple(
            _parse_credit_type_balance(r, b, f"{path}.balances[{i}]")
            for i, b in enumerate(r.items(item, "balances", path))
        )
    return SeatBalanceRecord(
        seat_id=r.text(item, "seat_id", path),
        balances=balances,
        commits=tuple(
            _parse_commit_or_credit(r, c, f"{path}.commits[{i}]")
            for i, c in enumerate(r.items(item, "commits", path, required=False))
        ),
        credits=tuple(
            _parse_commit_or_credit(r, c, f"{path}.credits[{i}]")
            for i, c in enumerate(r.items(item, "credits", path, required=False))
        ),
    )


def parse_seat_balances_page(body: Any) -> tuple[list[SeatBalanceRecord], str | None]:
    """One response page: its seats and the cursor of the next page (None when it is the last)."""
    r = _Reader(SEAT_BALANCES_ENDPOINT)
    page = r.obj(body, "body")
    seats = [_parse_seat(r, s, f"data[{i}]") for i, s in enumerate(r.items(page, "data", ""))]
    # The older shape has no pagination at all: it is one complete page.
    pagination = page.get("pagination")
    if pagination is None:
        return seats, None
    next_page = r.text(r.obj(pagination, "pagination"), "next_page", "pagination", required=False)
    return seats, next_page or None


def _parse_customer(r: _Reader, raw: Any, path: str) -> MetronomeCustomer:
    item = r.obj(raw, path)
    aliases = r.items(item, "ingest_aliases", path, required=False)
    if not all(isinstance(a, str) for a in aliases):
        raise r.bad(f"{path}.ingest_aliases", "holds a value that is not a string")
    return MetronomeCustomer(
        id=r.text(item, "id", path),
        name=r.text(item, "name", path),
        external_id=r.text(item, "external_id", path, required=False),
        ingest_aliases=tuple(aliases),
    )


def _parse_subscription(r: _Reader, raw: Any, path: str) -> Subscription:
    item = r.obj(raw, path)
    seat_config = item.get("seat_config")
    rate = item.get("subscription_rate")
    product = rate.get("product") if isinstance(rate, dict) else None
    return Subscription(
        id=r.text(item, "id", path),
        quantity_management_mode=r.text(item, "quantity_management_mode", path),
        seat_group_key=(
            r.text(seat_config, "seat_group_key", f"{path}.seat_config", required=False)
            if isinstance(seat_config, dict)
            else None
        ),
        product_name=(
            r.text(product, "name", f"{path}.subscription_rate.product", required=False)
            if isinstance(product, dict)
            else None
        ),
    )


def _parse_contract(r: _Reader, raw: Any, path: str) -> Contract:
    item = r.obj(raw, path)
    # v1 contracts nest their terms under `current` (with `initial` as the original); v2 is flat.
    terms = item.get("current") if isinstance(item.get("current"), dict) else item
    terms_path = f"{path}.current" if terms is not item else path
    contract_id = r.text(item, "id", path)
    name = terms.get("name") if isinstance(terms.get("name"), str) else item.get("name")
    return Contract(
        id=contract_id,
        # Contracts need no name in Metronome; a short id still lets staff tell them apart.
        name=name.strip()
        if isinstance(name, str) and name.strip()
        else f"Contract {contract_id[:8]}",
        starting_at=r.timestamp(terms, "starting_at", terms_path),
        ending_before=r.timestamp(terms, "ending_before", terms_path, required=False),
        subscriptions=tuple(
            _parse_subscription(r, s, f"{terms_path}.subscriptions[{i}]")
            for i, s in enumerate(r.items(terms, "subscriptions", terms_path, required=False))
        ),
    )


def metronome_error_message(body: Any) -> str | None:
    """Metronome's error bodies are `{"message": "..."}`; that text is what users should see."""
    if isinstance(body, dict):
        message = body.get("message")
        if isinstance(message, str) and message.strip():
            return message.strip()
    return None


# --- Client --------------------------------------------------------------------------------------


class MetronomeClient:
    """Metronome's seat balances, customers and contracts. Thread-safe: keep one per process."""

    def __init__(
        self,
        *,
        base_url: str,
        bearer_token: str,
        timeout: httpx.Timeout | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = JsonHttp(
            provider=PROVIDER,
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {bearer_token}", "Accept": "application/json"},
            timeout=timeout,
            retry=retry,
            transport=transport,
            sleep=sleep,
            clock=clock,
            error_message=metronome_error_message,
        )

    def list_seat_balances(self, query: SeatBalanceQuery) -> list[SeatBalanceRecord]:
        """Every seat matching the query, following `pagination.next_page` to the end.

        A page may hold fewer than `limit` seats: with commits and credits included, Metronome caps
        a page at about 100 of them (whole seats, greedily), so only the cursor says we are done.
        """
        query.validate()
        reader = _Reader(SEAT_BALANCES_ENDPOINT)
        seats: list[SeatBalanceRecord] = []
        cursor: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            body = self._http.request_json(
                "POST",
                "/v1/contracts/seatBalances/list",
                endpoint=SEAT_BALANCES_ENDPOINT,
                json=query.body(cursor),
                # A read sent as POST: safe to retry.
                idempotent=True,
            )
            page, cursor = parse_seat_balances_page(body)
            seats.extend(page)
            if cursor is None:
                return seats
            if cursor in seen:
                raise reader.bad("pagination.next_page", "repeats a cursor")
            seen.add(cursor)
        raise reader.bad("pagination.next_page", f"exceeds {MAX_PAGES} pages")

    def list_customers(
        self, *, ingest_alias: str | None = None, customer_ids: Iterable[str] = ()
    ) -> list[MetronomeCustomer]:
        """Every matching customer; ids are sent 100 per call and the results merged in order."""
        ids = list(dict.fromkeys(customer_ids))
        batches: list[list[str]] = [
            ids[i : i + MAX_CUSTOMER_IDS_PER_CALL]
            for i in range(0, len(ids), MAX_CUSTOMER_IDS_PER_CALL)
        ] or [[]]
        customers: dict[str, MetronomeCustomer] = {}
        for batch in batches:
            for customer in self._customer_pages(ingest_alias, batch):
                customers.setdefault(customer.id, customer)
        return list(customers.values())

    def _customer_pages(self, ingest_alias: str | None, ids: list[str]) -> list[MetronomeCustomer]:
        r = _Reader(CUSTOMERS_ENDPOINT)
        found: list[MetronomeCustomer] = []
        next_page: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            params: dict[str, Any] = {"limit": CUSTOMERS_PAGE_SIZE}
            if ingest_alias:
                params["ingest_alias"] = ingest_alias
            if ids:
                params["customer_ids"] = ids
            if next_page:
                params["next_page"] = next_page
            body = r.obj(
                self._http.request_json(
                    "GET", "/v1/customers", endpoint=CUSTOMERS_ENDPOINT, params=params
                ),
                "body",
            )
            found.extend(
                _parse_customer(r, c, f"data[{i}]") for i, c in enumerate(r.items(body, "data", ""))
            )
            next_page = r.text(body, "next_page", "", required=False) or None
            if next_page is None:
                return found
            if next_page in seen:
                raise r.bad("next_page", "repeats a cursor")
            seen.add(next_page)
        raise r.bad("next_page", f"exceeds {MAX_PAGES} pages")

    def get_customer(self, customer_id: str) -> MetronomeCustomer:
        """One customer; UpstreamNotFound when Metronome does not know the id."""
        if not customer_id.strip():
            raise MetronomeQueryError("customer_id", "is required.")
        r = _Reader(CUSTOMER_ENDPOINT)
        body = self._http.request_json(
            "GET", f"/v1/customers/{quote(customer_id, safe='')}", endpoint=CUSTOMER_ENDPOINT
        )
        return _parse_customer(r, r.get(r.obj(body, "body"), "data", ""), "data")

    def list_contracts(self, customer_id: str) -> list[Contract]:
        """The customer's contracts with their subscriptions (what the seat pages need of them)."""
        if not customer_id.strip():
            raise MetronomeQueryError("customer_id", "is required.")
        r = _Reader(CONTRACTS_ENDPOINT)
        body = self._http.request_json(
            "POST",
            "/v1/contracts/list",
            endpoint=CONTRACTS_ENDPOINT,
            json={"customer_id": customer_id},
            idempotent=True,
        )
        return [
            _parse_contract(r, c, f"data[{i}]")
            for i, c in enumerate(r.items(r.obj(body, "body"), "data", ""))
        ]

    def list_credit_types(self) -> list[CreditType]:
        """Every credit type (pricing units) with its name, following `next_page` to the end."""
        r = _Reader(CREDIT_TYPES_ENDPOINT)
        found: list[CreditType] = []
        next_page: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            params: dict[str, Any] = {"limit": CUSTOMERS_PAGE_SIZE}
            if next_page:
                params["next_page"] = next_page
            body = r.obj(
                self._http.request_json(
                    "GET", "/v1/credit-types/list", endpoint=CREDIT_TYPES_ENDPOINT, params=params
                ),
                "body",
            )
            for i, raw in enumerate(r.items(body, "data", "")):
                item = r.obj(raw, f"data[{i}]")
                found.append(
                    CreditType(
                        id=r.text(item, "id", f"data[{i}]"), name=r.text(item, "name", f"data[{i}]")
                    )
                )
            next_page = r.text(body, "next_page", "", required=False) or None
            if next_page is None:
                return found
            if next_page in seen:
                raise r.bad("next_page", "repeats a cursor")
            seen.add(next_page)
        raise r.bad("next_page", f"exceeds {MAX_PAGES} pages")

    def close(self) -> None:
        self._http.close()
