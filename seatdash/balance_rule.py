"""The balance rule, as pure functions: how a (customer, seat type) balance follows from its events.

One implementation, used by the sandbox (which answers /seat-balances with it) and by the synced
seat history (which replays it into change series and checks it against Sequence's own balances).

- An event's `total` is the absolute seat count for its seat type (not a change).
- A later-received event with the same `customerEventId` supersedes the earlier one: the earlier
  no longer counts, though GET /seat-events still lists it.
- The balance of a (customer, seat type) is the `total` of its latest effective event by
  `eventTimestamp`; on equal timestamps the later-received wins. A backdated event (received after
  a newer one) therefore does not override the newer one.
- Its `changeTimestamp` is the `eventTimestamp` at which the current total was reached: walking
  back over the effective events in time order while the total stays the same.
- A customer's `total` is the sum over its seat types and its `changeTimestamp` the latest of them;
  a customer without events holds 0 seats.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class EventFacts:
    """What the rule needs of one event; `seq` is its receipt order (higher = received later)."""

    seq: int
    customer_event_id: str
    event_timestamp: datetime
    total: int


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    """One effective event in time order: the total it sets and its change from the previous one."""

    event: EventFacts
    total: int
    change: int


def latest_receipts(events: Iterable[EventFacts]) -> dict[str, int]:
    """customerEventId -> receipt order of its latest event, over the events given."""
    latest: dict[str, int] = {}
    for event in events:
        if event.seq > latest.get(event.customer_event_id, event.seq - 1):
            latest[event.customer_event_id] = event.seq
    return latest


def is_effective(event: EventFacts, latest_seq: dict[str, int]) -> bool:
    """False when a later-received event with the same customerEventId supersedes this one."""
    return latest_seq.get(event.customer_event_id, event.seq) == event.seq


def change_series(events: Iterable[EventFacts], *, latest_seq: dict[str, int]) -> list[SeriesPoint]:
    """The effective events of one seat type in time order (ties: receipt order), with changes.

    `latest_seq` maps each customerEventId to the receipt order of its latest event, wherever
    that event is (a re-sent ID may move an event to another seat type or customer). The first
    point's change is from 0 (a customer holds 0 seats before any event).
    """
    effective = sorted(
        (e for e in events if is_effective(e, latest_seq)),
        key=lambda e: (e.event_timestamp, e.seq),
    )
    points = []
    previous = 0
    for event in effective:
        points.append(SeriesPoint(event=event, total=event.total, change=event.total - previous))
        previous = event.total
    return points


def balance_from_series(points: list[SeriesPoint]) -> tuple[int, datetime] | None:
    """(total, change timestamp) at the end of a change series, or None when it is empty."""
    if not points:
        return None
    total = points[-1].total
    changed = points[-1].event.event_timestamp
    for point in reversed(points):
        if point.total != total:
            break
        changed = point.event.event_timestamp
    return total, changed


def seat_balance(
    events: Iterable[EventFacts], *, latest_seq: dict[str, int]
) -> tuple[int, datetime] | None:
    """(total, change timestamp) of one seat type, or None when no event counts."""
    return balance_from_series(change_series(events, latest_seq=latest_seq))


def total_at(points: list[SeriesPoint], moment: datetime) -> int:
    """The total the series holds at `moment` (inclusive): 0 before its first point."""
    total = 0
    for point in points:
        if point.event.event_timestamp > moment:
            break
        total = point.total
    return total
