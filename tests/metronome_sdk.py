"""The official metronome-sdk as judge: strict validation of sandbox answers against its response
models (every required field, no unknown ones) and of our request bodies against its params."""

from __future__ import annotations

import json
from typing import Any, get_type_hints

import pydantic
from metronome.types.shared.contract import Contract
from metronome.types.v1.contract_get_subscription_seats_history_params import (
    ContractGetSubscriptionSeatsHistoryParams,
)
from metronome.types.v1.contract_get_subscription_seats_history_response import (
    ContractGetSubscriptionSeatsHistoryResponse,
)
from metronome.types.v1.contract_list_params import ContractListParams
from metronome.types.v1.contract_list_seat_balances_params import ContractListSeatBalancesParams
from metronome.types.v1.contract_list_seat_balances_response import (
    ContractListSeatBalancesResponse,
)
from metronome.types.v1.customer_detail import CustomerDetail
from metronome.types.v1.customer_list_params import CustomerListParams
from metronome.types.v1.customer_retrieve_response import CustomerRetrieveResponse
from metronome.types.v1.pricing_unit_list_params import PricingUnitListParams
from metronome.types.v1.pricing_unit_list_response import PricingUnitListResponse


class _Page(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")


class CustomersPage(_Page):
    """GET /v1/customers: the SDK's SyncCursorPage[CustomerDetail]."""

    data: list[CustomerDetail]
    next_page: str | None


class CreditTypesPage(_Page):
    data: list[PricingUnitListResponse]
    next_page: str | None


class ContractsPage(_Page):
    """POST /v1/contracts/list: the SDK's SyncBodyCursorPageCursorField[Contract]."""

    data: list[Contract]
    cursor: str | None = None


# Our path -> (method, the SDK's response model, its request params TypedDict).
ENDPOINTS: dict[str, tuple[str, type[pydantic.BaseModel], Any]] = {
    "/v1/customers": ("GET", CustomersPage, CustomerListParams),
    "/v1/customers/{id}": ("GET", CustomerRetrieveResponse, None),
    "/v1/credit-types/list": ("GET", CreditTypesPage, PricingUnitListParams),
    "/v1/contracts/list": ("POST", ContractsPage, ContractListParams),
    "/v1/contracts/seatBalances/list": (
        "POST",
        ContractListSeatBalancesResponse,
        ContractListSeatBalancesParams,
    ),
    "/v1/contracts/getSubscriptionSeatsHistory": (
        "POST",
        ContractGetSubscriptionSeatsHistoryResponse,
        ContractGetSubscriptionSeatsHistoryParams,
    ),
}


def _unknown_fields(value: Any, where: str) -> list[str]:
    """Keys the SDK's models do not know (Stainless models keep them as extras): renames show here."""
    found: list[str] = []
    if isinstance(value, pydantic.BaseModel):
        found += [f"{where}.{k}" for k in (value.model_extra or {})]
        for name in type(value).model_fields:
            found += _unknown_fields(getattr(value, name), f"{where}.{name}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _unknown_fields(item, f"{where}[{i}]")
    return found


def validate_response(model: type[pydantic.BaseModel], payload: Any) -> pydantic.BaseModel:
    """Strict JSON-mode validation (required fields, exact types; ISO timestamps allowed as JSON
    has no other way), then no field the model does not declare, at any depth."""
    parsed = model.model_validate_json(json.dumps(payload), strict=True)
    unknown = _unknown_fields(parsed, model.__name__)
    assert not unknown, f"fields the SDK does not know: {unknown}"
    return parsed


def validate_params(params_type: Any, body: dict[str, Any], *, strict: bool = True) -> None:
    """A request body against the SDK's params TypedDict: required keys present, no unknown key,
    each value of the declared type (strict for JSON; a query string is all text, so lax)."""
    required = params_type.__required_keys__
    known = set(get_type_hints(params_type))
    missing = required - body.keys()
    unknown = body.keys() - known
    assert not missing, f"{params_type.__name__} needs {sorted(missing)}"
    assert not unknown, f"{params_type.__name__} has no {sorted(unknown)}"
    pydantic.TypeAdapter(params_type).validate_python(body, strict=strict)
