"""Typed client for Metronome seat balances, customers and contracts over the shared JsonHttp."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import quote

import httpx

from seatdash.clients.http import JsonHttp, RetryPolicy
from seatdash.clients.metronome_query import MetronomeQueryError, SeatBalanceQuery
from seatdash.clients.metronome_records import (
    CONTRACTS_ENDPOINT,
    CREDIT_TYPES_ENDPOINT,
    CUSTOMER_ENDPOINT,
    CUSTOMERS_ENDPOINT,
    PROVIDER,
    SEAT_BALANCES_ENDPOINT,
    Contract,
    CreditType,
    MetronomeCustomer,
    SeatBalanceRecord,
    _parse_contract,
    _parse_customer,
    _Reader,
    parse_seat_balances_page,
)

# GET /v1/customers accepts at most 100 `customer_ids` per call.
MAX_CUSTOMER_IDS_PER_CALL = 100
CUSTOMERS_PAGE_SIZE = 100
# A cursor that never ends (an upstream bug) must not hold a page forever; the deadline bounds each
# call, this bounds the number of calls.
MAX_PAGES = 1000


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
        params: dict[str, Any] = {"limit": CUSTOMERS_PAGE_SIZE}
        if ingest_alias:
            params["ingest_alias"] = ingest_alias
        if ids:
            params["customer_ids"] = ids
        return [
            _parse_customer(r, c, f"data[{i}]")
            for body in self._get_pages(r, "/v1/customers", params)
            for i, c in enumerate(r.items(body, "data", ""))
        ]

    def _get_pages(self, r: _Reader, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Each page body of a GET list, following `next_page` to the end (at most MAX_PAGES)."""
        next_page: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            query = {**params, "next_page": next_page} if next_page else params
            body = r.obj(
                self._http.request_json("GET", path, endpoint=r.endpoint, params=query), "body"
            )
            yield body
            next_page = r.text(body, "next_page", "", required=False) or None
            if next_page is None:
                return
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
        for body in self._get_pages(r, "/v1/credit-types/list", {"limit": CUSTOMERS_PAGE_SIZE}):
            for i, raw in enumerate(r.items(body, "data", "")):
                item = r.obj(raw, f"data[{i}]")
                found.append(
                    CreditType(
                        id=r.text(item, "id", f"data[{i}]"), name=r.text(item, "name", f"data[{i}]")
                    )
                )
        return found

    def close(self) -> None:
        self._http.close()
