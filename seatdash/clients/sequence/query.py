"""The filters of GET /seat-events and the query parameters Sequence's seat endpoints are sent.

Every argument is checked here, before any call is made: a bad one raises ValueError.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

MAX_IDS_PER_CALL = 25
MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class EventQuery:
    """Filters of GET /seat-events. `customer_ids` holds at most 25 IDs (one upstream call)."""

    customer_alias: str | None = None
    customer_ids: tuple[str, ...] = ()
    seat_type: str | None = None
    customer_event_id: str | None = None
    timestamp_after: datetime | None = None
    timestamp_before: datetime | None = None
    sort_order: Literal["ASC", "DESC"] = "DESC"
    sort_by: str | None = None


def unique_values(values: Sequence[str], name: str) -> list[str]:
    """The values stripped, without repeats, in first-seen order; ValueError names `name`."""
    if isinstance(values, str):
        raise ValueError(f"{name} must be a sequence of strings, not one string")
    unique: dict[str, None] = {}
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{name} must hold non-empty strings")
        if "," in value:
            raise ValueError(f"{name} values cannot contain commas (the list separator)")
        unique[value.strip()] = None
    return list(unique)


def chunks(values: list[str], size: int) -> list[list[str]]:
    """`values` in runs of at most `size` (one upstream call each)."""
    return [values[i : i + size] for i in range(0, len(values), size)]


def event_params(
    query: EventQuery, *, limit: int, after: str | None, before: str | None
) -> dict[str, str | int]:
    """The query parameters of one GET /seat-events call."""
    if type(limit) is not int or not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be an int from 1 to {MAX_PAGE_SIZE}")
    if query.sort_order not in ("ASC", "DESC"):
        raise ValueError("sort_order must be 'ASC' or 'DESC'")
    ids = unique_values(query.customer_ids, "customer_ids")
    if len(ids) > MAX_IDS_PER_CALL:
        raise ValueError(f"at most {MAX_IDS_PER_CALL} customer_ids per call")
    params: dict[str, str | int] = {"limit": limit, "sortOrder": query.sort_order}
    optional = {
        "after": after,
        "before": before,
        "sortBy": query.sort_by,
        "customerAlias": query.customer_alias,
        "customerIds": ",".join(ids) or None,
        "seatType": query.seat_type,
        "customerEventId": query.customer_event_id,
        "eventTimestampAfter": iso_utc(query.timestamp_after) if query.timestamp_after else None,
        "eventTimestampBefore": iso_utc(query.timestamp_before) if query.timestamp_before else None,
    }
    params.update({key: value for key, value in optional.items() if value})
    return params


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, as every Sequence example writes it. Naive means UTC."""
    if not isinstance(moment, datetime):
        raise ValueError("timestamps must be datetime objects")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    text = moment.astimezone(UTC).replace(tzinfo=None).isoformat()
    return f"{text}Z"
