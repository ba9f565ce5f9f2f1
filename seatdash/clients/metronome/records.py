"""Metronome's seat-balance records, parsed from its JSON; anything unexpected is
UpstreamBadPayload. Customers, contracts and credit types are in contracts.py."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from seatdash.clients.errors import UpstreamBadPayload

PROVIDER = "Metronome"

SEAT_BALANCES_ENDPOINT = "POST /v1/contracts/seatBalances/list"

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


# --- Parsing -------------------------------------------------------------------------------------

_MISSING = object()


class PayloadReader:
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


def _parse_ledger(r: PayloadReader, raw: Any, path: str) -> LedgerEntry:
    item = r.obj(raw, path)
    return LedgerEntry(
        type=r.text(item, "type", path),
        amount=r.decimal(item, "amount", path),
        timestamp=r.timestamp(item, "timestamp", path),
    )


def _parse_commit_or_credit(r: PayloadReader, raw: Any, path: str) -> CommitOrCredit:
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


def _parse_credit_type_balance(r: PayloadReader, raw: Any, path: str) -> CreditTypeBalance:
    item = r.obj(raw, path)
    return CreditTypeBalance(
        balance=r.decimal(item, "balance", path),
        starting_balance=r.decimal(item, "starting_balance", path),
        credit_type_id=r.text(item, "credit_type_id", path),
        access_type=r.text(item, "access_type", path, required=False),
    )


def _parse_seat(r: PayloadReader, raw: Any, path: str) -> SeatBalanceRecord:
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
    r = PayloadReader(SEAT_BALANCES_ENDPOINT)
    page = r.obj(body, "body")
    seats = [_parse_seat(r, s, f"data[{i}]") for i, s in enumerate(r.items(page, "data", ""))]
    # The older shape has no pagination at all: it is one complete page.
    pagination = page.get("pagination")
    if pagination is None:
        return seats, None
    next_page = r.text(r.obj(pagination, "pagination"), "next_page", "pagination", required=False)
    return seats, next_page or None
