"""JSON in and out for the sandbox views, in Metronome's wire formats."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.http import JsonResponse


class ApiError(Exception):
    """Ends a sandbox request with `status` and Metronome's `{"message": ...}` body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_response(status: int, message: str) -> JsonResponse:
    return JsonResponse({"message": message}, status=status)


def timestamp(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def number(value: Decimal) -> int | float:
    # Metronome sends JSON numbers, not strings; demo amounts have at most 4 decimals, which a
    # float carries exactly enough for the client's repr()-based Decimal parsing to round-trip.
    return int(value) if value == value.to_integral_value() else float(value)


def parse_body(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise ApiError(400, "Request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "Request body must be a JSON object.")
    return body


def parse_timestamp(body: dict[str, Any], name: str) -> datetime | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError(400, f"{name} must be an RFC 3339 date-time string.")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ApiError(400, f"{name} must be an RFC 3339 date-time string.") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_bool(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ApiError(400, f"{name} must be a boolean.")
    return value


def parse_string_list(body: dict[str, Any], name: str) -> list[str] | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ApiError(400, f"{name} must be an array of non-empty strings.")
    return value


def encode_cursor(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: Any) -> dict[str, Any]:
    if not isinstance(cursor, str) or not cursor:
        raise ApiError(400, "Invalid cursor.")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
    except ValueError:
        raise ApiError(400, "Invalid cursor.") from None
    if not isinstance(payload, dict):
        raise ApiError(400, "Invalid cursor.")
    return payload
