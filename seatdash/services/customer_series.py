"""One customer over time: its seat history per seat type (the customer chart), its seats as of
an instant, and what one event did to them; read from the store's change series, never replayed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from seatdash.history import queries
from seatdash.history.models import SeatChange, SeatEvent


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    event_timestamp: datetime
    total: int
    change: int
    event_id: str = ""


@dataclass(slots=True)
class CustomerHistory:
    """One customer's seats per seat type over a window, and its seats as of one instant."""

    customer_id: str
    synced_at: datetime
    start: datetime
    end: datetime
    series: dict[str, list[SeriesPoint]]
    as_of: datetime | None = None
    as_of_seats: dict[str, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"Seats per seat type from {self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}"

    @property
    def as_of_total(self) -> int:
        return sum(self.as_of_seats.values())

    @property
    def table(self) -> list[tuple[SeriesPoint, str]]:
        """Every step of every series, oldest first, for the data table beside the chart."""
        rows = [(point, seat_type) for seat_type, points in self.series.items() for point in points]
        return sorted(rows, key=lambda row: (row[0].event_timestamp, row[1]))


def customer_history(
    customer_id: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    as_of: datetime | None = None,
) -> CustomerHistory:
    """The customer's change series per seat type, within [start, end] when given.

    A window that starts after a series began opens with the total held at its start, so each line
    starts at its true height. Without a window: the whole history up to now.
    """
    synced = queries.require_synced()
    now = datetime.now(UTC)
    points = queries.change_series(customer_id)
    end = end or max([now, *(p.event_timestamp for p in points)])
    start = start or min([p.event_timestamp for p in points] or [end - timedelta(days=30)])
    series: dict[str, list[SeriesPoint]] = {}
    for point in points:
        steps = series.setdefault(point.seat_type, [])
        if point.event_timestamp < start:
            steps[:] = [SeriesPoint(start, point.total, 0)]
        elif point.event_timestamp <= end:
            steps.append(
                SeriesPoint(point.event_timestamp, point.total, point.change, point.event_id)
            )
    series = {seat_type: steps for seat_type, steps in series.items() if steps}
    history = CustomerHistory(customer_id, synced, start, end, series, as_of=as_of)
    if as_of is not None:
        held = queries.balances_as_of(as_of, customer_ids=[customer_id]).get(customer_id, {})
        history.as_of_seats = {seat_type: held[seat_type].total for seat_type in sorted(held)}
    return history


@dataclass(frozen=True, slots=True)
class EventEffect:
    """What one event did to its customer's seats of its type, by the balance rule."""

    counts: bool  # False when a later event with the same customerEventId replaced it
    seat_type: str
    seats_before: int | None  # for a counted event: the total just before it
    seats_after: int | None  # for a counted event: the total it set
    held_then: int  # the seats of that type held at the event's time (effective history)
    replaced_by: SeatEvent | None
    resolved: bool  # False while its alias matched no customer

    @property
    def change(self) -> int:
        return (self.seats_after or 0) - (self.seats_before or 0)


def event_effect(event_id: str) -> EventEffect | None:
    """The event's effect from the store; None when the store does not hold the event."""
    queries.require_synced()
    event = SeatEvent.objects.filter(id=event_id).select_related("superseded_by").first()
    if event is None:
        return None
    point = SeatChange.objects.filter(event_id=event.id).first()
    held_then = 0
    if event.customer_id:
        held = queries.balances_as_of(event.event_timestamp, customer_ids=[event.customer_id])
        seat = held.get(event.customer_id, {}).get(event.seat_type)
        held_then = seat.total if seat else 0
    return EventEffect(
        counts=point is not None,
        seat_type=event.seat_type,
        seats_before=None if point is None else point.total - point.change,
        seats_after=None if point is None else point.total,
        held_then=held_then,
        replaced_by=event.superseded_by if event.superseded else None,
        resolved=event.customer_id is not None,
    )
