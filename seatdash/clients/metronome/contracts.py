"""Metronome customers, credit types, v1 contracts with their subscriptions, and seat history,
parsed from the shapes of the official SDK's models; anything unexpected is UpstreamBadPayload."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from seatdash.clients.metronome.records import PayloadReader

CUSTOMERS_ENDPOINT = "GET /v1/customers"
CUSTOMER_ENDPOINT = "GET /v1/customers/{id}"
CONTRACTS_ENDPOINT = "POST /v1/contracts/list"
CREDIT_TYPES_ENDPOINT = "GET /v1/credit-types/list"
SEATS_HISTORY_ENDPOINT = "POST /v1/contracts/getSubscriptionSeatsHistory"


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
    is_currency: bool = False


@dataclass(frozen=True, slots=True)
class QuantityPeriod:
    quantity: int
    starting_at: datetime
    ending_before: datetime | None


@dataclass(frozen=True, slots=True)
class Subscription:
    id: str
    quantity_management_mode: str  # SEAT_BASED | QUANTITY_ONLY
    seat_group_key: str | None
    product_name: str | None
    quantity_schedule: tuple[QuantityPeriod, ...] = ()

    @property
    def is_seat_based(self) -> bool:
        return self.quantity_management_mode == "SEAT_BASED"

    def quantity_at(self, when: datetime) -> int | None:
        """The scheduled quantity covering `when`; None when no period covers it."""
        for period in self.quantity_schedule:
            if period.starting_at <= when and (
                period.ending_before is None or when < period.ending_before
            ):
                return period.quantity
        return None


@dataclass(frozen=True, slots=True)
class Contract:
    id: str
    name: str
    starting_at: datetime
    ending_before: datetime | None
    subscriptions: tuple[Subscription, ...] = ()

    @property
    def seat_based_subscriptions(self) -> tuple[Subscription, ...]:
        return tuple(s for s in self.subscriptions if s.is_seat_based)


@dataclass(frozen=True, slots=True)
class SeatPeriod:
    """One period of getSubscriptionSeatsHistory: the seats assigned in it and the total."""

    starting_at: datetime
    ending_before: datetime | None
    total_quantity: int
    assigned_seat_ids: tuple[str, ...]


def parse_customer(r: PayloadReader, raw: Any, path: str) -> MetronomeCustomer:
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


def parse_credit_type(r: PayloadReader, raw: Any, path: str) -> CreditType:
    item = r.obj(raw, path)
    return CreditType(
        id=r.text(item, "id", path),
        name=r.text(item, "name", path),
        is_currency=item.get("is_currency") is True,
    )


def _whole(r: PayloadReader, obj: dict[str, Any], key: str, path: str) -> int:
    value = r.decimal(obj, key, path)
    if value != value.to_integral_value():
        raise r.bad(f"{path}.{key}", "is not a whole number")
    return int(value)


def _parse_subscription(r: PayloadReader, raw: Any, path: str) -> Subscription:
    item = r.obj(raw, path)
    seat_config = item.get("seat_config")
    rate = item.get("subscription_rate")
    product = rate.get("product") if isinstance(rate, dict) else None
    schedule = []
    for i, raw_period in enumerate(r.items(item, "quantity_schedule", path, required=False)):
        where = f"{path}.quantity_schedule[{i}]"
        period = r.obj(raw_period, where)
        schedule.append(
            QuantityPeriod(
                quantity=_whole(r, period, "quantity", where),
                starting_at=r.timestamp(period, "starting_at", where),
                ending_before=r.timestamp(period, "ending_before", where, required=False),
            )
        )
    return Subscription(
        # `id` is optional in the v1 model; without one a subscription cannot be filtered on.
        id=r.text(item, "id", path, required=False) or "",
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
        quantity_schedule=tuple(schedule),
    )


def parse_contract(r: PayloadReader, raw: Any, path: str) -> Contract:
    """A v1 `Contract`: terms in `current`, subscriptions at the top level (v2 is flat)."""
    item = r.obj(raw, path)
    current = item.get("current")
    terms = current if isinstance(current, dict) else item
    terms_path = f"{path}.current" if terms is not item else path
    contract_id = r.text(item, "id", path)
    name = terms.get("name") if isinstance(terms.get("name"), str) else item.get("name")
    subscriptions = r.items(item, "subscriptions", path, required=False)
    return Contract(
        id=contract_id,
        # Contracts need no name in Metronome; a short id still lets staff tell them apart.
        name=name.strip()
        if isinstance(name, str) and name.strip()
        else f"Contract {contract_id[:8]}",
        starting_at=r.timestamp(terms, "starting_at", terms_path),
        ending_before=r.timestamp(terms, "ending_before", terms_path, required=False),
        subscriptions=tuple(
            _parse_subscription(r, s, f"{path}.subscriptions[{i}]")
            for i, s in enumerate(subscriptions)
        ),
    )


def parse_seat_period(r: PayloadReader, raw: Any, path: str) -> SeatPeriod:
    item = r.obj(raw, path)
    ids = r.items(item, "assigned_seat_ids", path)
    if not all(isinstance(i, str) and i for i in ids):
        raise r.bad(f"{path}.assigned_seat_ids", "holds a value that is not a seat ID")
    return SeatPeriod(
        starting_at=r.timestamp(item, "starting_at", path),
        ending_before=r.timestamp(item, "ending_before", path, required=False),
        total_quantity=_whole(r, item, "total_quantity", path),
        assigned_seat_ids=tuple(ids),
    )
