"""The seat-balance query Metronome accepts, validated on creation, and its request body."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

DEFAULT_SEAT_LIMIT = 25
MAX_SEAT_LIMIT = 100


class MetronomeQueryError(ValueError):
    """A seat-balance query Metronome would reject; `field` names the offending query field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


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
                raise MetronomeQueryError("covering_date", "cannot be combined with starting_at.")
            if self.effective_before is not None:
                raise MetronomeQueryError(
                    "covering_date", "cannot be combined with effective_before."
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
