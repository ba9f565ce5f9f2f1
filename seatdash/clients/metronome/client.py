"""Typed client for Metronome seat balances, customers and contracts over the shared JsonHttp."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from seatdash.clients.errors import UpstreamUnavailable
from seatdash.clients.http import JsonHttp, RetryPolicy
from seatdash.clients.metronome.contracts import (
    CONTRACTS_ENDPOINT,
    CREDIT_TYPES_ENDPOINT,
    CUSTOMER_ENDPOINT,
    CUSTOMERS_ENDPOINT,
    SEATS_HISTORY_ENDPOINT,
    Contract,
    CreditType,
    MetronomeCustomer,
    SeatPeriod,
    parse_contract,
    parse_credit_type,
    parse_customer,
    parse_seat_period,
)
from seatdash.clients.metronome.query import MetronomeQueryError, SeatBalanceQuery, format_timestamp
from seatdash.clients.metronome.records import (
    PROVIDER,
    SEAT_BALANCES_ENDPOINT,
    PayloadReader,
    SeatBalanceRecord,
    parse_seat_balances_page,
)

logger = logging.getLogger(__name__)

# GET /v1/customers accepts at most 100 `customer_ids` per call.
MAX_CUSTOMER_IDS_PER_CALL = 100
CUSTOMERS_PAGE_SIZE = 100
# v1 contracts/list: "Range: 1-20. Default: 20."
CONTRACTS_PAGE_SIZE = 20
# A cursor that never ends (an upstream bug) must not hold a page forever: the deadline bounds
# each call, these bound one paged fetch as a whole.
MAX_PAGES = 1000
FETCH_BUDGET_SECONDS = 30.0

T = TypeVar("T")


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
        self._clock = clock

    def _follow(
        self, endpoint: str, fetch_page: Callable[[str | None], tuple[list[T], str | None]]
    ) -> list[T]:
        """Every item of a paged list, following its cursor to the end.

        A cursor seen before (an upstream loop) ends the walk with what arrived, logged; more than
        MAX_PAGES pages or FETCH_BUDGET_SECONDS in all is UpstreamUnavailable, never a silent cut.
        """
        started = self._clock()
        items: list[T] = []
        cursor: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            page, cursor = fetch_page(cursor)
            items.extend(page)
            if cursor is None:
                return items
            if cursor in seen:
                logger.warning("%s repeated a page cursor; keeping %d items", endpoint, len(items))
                return items
            seen.add(cursor)
            if self._clock() - started > FETCH_BUDGET_SECONDS:
                break
        raise UpstreamUnavailable(
            f"Metronome's {endpoint} did not finish paging within its budget.",
            provider=PROVIDER,
            endpoint=endpoint,
        )

    def list_seat_balances(self, query: SeatBalanceQuery) -> list[SeatBalanceRecord]:
        """Every seat matching the query, following `pagination.next_page` (sent as `cursor`).

        A page may hold fewer than `limit` seats: with commits and credits included, Metronome caps
        a page at about 100 of them (whole seats, greedily), so only the cursor says we are done.
        """
        query.validate()

        def page(cursor: str | None) -> tuple[list[SeatBalanceRecord], str | None]:
            body = self._http.request_json(
                "POST",
                "/v1/contracts/seatBalances/list",
                endpoint=SEAT_BALANCES_ENDPOINT,
                json=query.body(cursor),
                idempotent=True,  # a read sent as POST: safe to retry
            )
            return parse_seat_balances_page(body)

        return self._follow(SEAT_BALANCES_ENDPOINT, page)

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
            params: dict[str, Any] = {"limit": CUSTOMERS_PAGE_SIZE}
            if ingest_alias:
                params["ingest_alias"] = ingest_alias
            if batch:
                params["customer_ids"] = batch
            for customer in self._get_list(
                CUSTOMERS_ENDPOINT, "/v1/customers", params, parse_customer
            ):
                customers.setdefault(customer.id, customer)
        return list(customers.values())

    def _get_list(
        self,
        endpoint: str,
        path: str,
        params: dict[str, Any],
        parse: Callable[[PayloadReader, Any, str], T],
    ) -> list[T]:
        """A GET list: `{data, next_page}`, the cursor sent back as the `next_page` parameter."""
        r = PayloadReader(endpoint)

        def page(cursor: str | None) -> tuple[list[T], str | None]:
            query = {**params, "next_page": cursor} if cursor else params
            body = r.obj(
                self._http.request_json("GET", path, endpoint=endpoint, params=query), "body"
            )
            items = [parse(r, raw, f"data[{i}]") for i, raw in enumerate(r.items(body, "data", ""))]
            return items, r.text(body, "next_page", "", required=False) or None

        return self._follow(endpoint, page)

    def get_customer(self, customer_id: str) -> MetronomeCustomer:
        """One customer; UpstreamNotFound when Metronome does not know the id."""
        if not customer_id.strip():
            raise MetronomeQueryError("customer_id", "is required.")
        r = PayloadReader(CUSTOMER_ENDPOINT)
        body = self._http.request_json(
            "GET", f"/v1/customers/{quote(customer_id, safe='')}", endpoint=CUSTOMER_ENDPOINT
        )
        return parse_customer(r, r.get(r.obj(body, "body"), "data", ""), "data")

    def list_contracts(self, customer_id: str) -> list[Contract]:
        """Every contract of the customer (20 a page, following the body `cursor` to the end)."""
        if not customer_id.strip():
            raise MetronomeQueryError("customer_id", "is required.")
        r = PayloadReader(CONTRACTS_ENDPOINT)

        def page(cursor: str | None) -> tuple[list[Contract], str | None]:
            request: dict[str, Any] = {"customer_id": customer_id, "limit": CONTRACTS_PAGE_SIZE}
            if cursor:
                request["cursor"] = cursor
            body = r.obj(
                self._http.request_json(
                    "POST",
                    "/v1/contracts/list",
                    endpoint=CONTRACTS_ENDPOINT,
                    json=request,
                    idempotent=True,
                ),
                "body",
            )
            items = [
                parse_contract(r, c, f"data[{i}]") for i, c in enumerate(r.items(body, "data", ""))
            ]
            return items, r.text(body, "cursor", "", required=False) or None

        return self._follow(CONTRACTS_ENDPOINT, page)

    def get_seats_history(
        self, *, customer_id: str, contract_id: str, subscription_id: str, covering_date: datetime
    ) -> list[SeatPeriod]:
        """The seat periods of a SEAT_BASED subscription covering the date, with assigned seats."""
        r = PayloadReader(SEATS_HISTORY_ENDPOINT)

        def page(cursor: str | None) -> tuple[list[SeatPeriod], str | None]:
            request: dict[str, Any] = {
                "customer_id": customer_id,
                "contract_id": contract_id,
                "subscription_id": subscription_id,
                "covering_date": format_timestamp(covering_date),
            }
            if cursor:
                request["cursor"] = cursor
            body = r.obj(
                self._http.request_json(
                    "POST",
                    "/v1/contracts/getSubscriptionSeatsHistory",
                    endpoint=SEATS_HISTORY_ENDPOINT,
                    json=request,
                    idempotent=True,
                ),
                "body",
            )
            items = [
                parse_seat_period(r, p, f"data[{i}]")
                for i, p in enumerate(r.items(body, "data", ""))
            ]
            return items, r.text(body, "next_page", "", required=False) or None

        return self._follow(SEATS_HISTORY_ENDPOINT, page)

    def list_credit_types(self) -> list[CreditType]:
        """Every credit type (pricing unit) with its name and whether it is a currency."""
        return self._get_list(
            CREDIT_TYPES_ENDPOINT,
            "/v1/credit-types/list",
            {"limit": CUSTOMERS_PAGE_SIZE},
            parse_credit_type,
        )

    def close(self) -> None:
        self._http.close()
