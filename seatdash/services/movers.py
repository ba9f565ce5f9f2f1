"""Who moved between two instants: customers ranked by their seat change, with the window's chart.

Read from the store's change series held in process (services.change_series): seats at `from` and
at `to` are each pair's last point before `from` and at or before `to`, found by bisect, so a
window of ten years costs about what a week does. A ranked answer is kept per store version and
window (the points it covers, not the clock), so paging, re-sorting and the CSV read it again.

Over 300 lines: the listing, its kept answers and the sorts are one concern; the filters, the
customer selection and the chart already live beside it (mover_filters, mover_selection,
movers_chart).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from seatdash.services import change_series as series_store
from seatdash.services.mover_filters import MoverFilters
from seatdash.services.mover_selection import selection_in_series
from seatdash.services.movers_chart import ChartPoint, window_chart
from seatdash.services.paste_match import MatchReport

MOVERS_PER_PAGE = 50
_KEPT = 16  # ranked answers kept per process (each up to one Mover per customer)


@dataclass(slots=True)
class SeatMove:
    seat_type: str
    seats_from: int
    seats_to: int

    @property
    def change(self) -> int:
        return self.seats_to - self.seats_from


@dataclass(slots=True)
class Mover:
    id: str
    legal_name: str = ""
    aliases: tuple[str, ...] = ()
    moves: list[SeatMove] = field(default_factory=list)
    seats_from: int = 0
    seats_to: int = 0

    @property
    def change(self) -> int:
        return self.seats_to - self.seats_from

    @property
    def pct(self) -> float | None:
        """Change in percent of the seats at the start; None for a customer that started at 0."""
        return None if self.seats_from == 0 else 100.0 * self.change / self.seats_from

    @property
    def is_new(self) -> bool:
        return self.seats_from == 0 and self.seats_to > 0

    @property
    def churned(self) -> bool:
        return self.seats_from > 0 and self.seats_to == 0


@dataclass(slots=True)
class MoversListing:
    filters: MoverFilters
    synced_at: datetime
    movers: list[Mover]
    rows: list[Mover]
    seat_types: list[str]
    chart: list[ChartPoint]
    page: int
    pages: int
    grew: int = 0
    shrank: int = 0
    net_change: int = 0
    chart_rows: list[ChartPoint] = field(default_factory=list)
    # The chart and its table as drawn (by the template tags), kept with the answer they draw:
    # a ten-year window has thousands of points, and drawing them is most of a warm page.
    drawn: dict[str, str] = field(default_factory=dict)
    match_report: MatchReport | None = None
    errors: dict[str, str] = field(default_factory=dict)  # seat_type: nothing listed; page: a note
    nobody_selected: bool = False  # q/alias/ids matched no customer

    @property
    def matched(self) -> int:
        return len(self.movers)

    @property
    def sort(self) -> str:
        return self.filters.sort

    @property
    def first_row_number(self) -> int:
        return (self.page - 1) * MOVERS_PER_PAGE + 1

    @property
    def last_row_number(self) -> int:
        return self.first_row_number + len(self.rows) - 1


@dataclass(frozen=True, slots=True)
class _Answer:
    """One window's movers (filtered, every sort asked so far) and its chart, for one version."""

    movers: list[Mover]
    seat_types: list[str]
    chart: list[ChartPoint]
    chart_rows: list[ChartPoint]
    orders: dict[str, list[Mover]]
    grew: int
    shrank: int
    net_change: int
    drawn: dict[str, str]  # what the page drew of this answer's chart, drawn once


_answers: OrderedDict[tuple, _Answer] = OrderedDict()
_lock = threading.Lock()


def movers(filters: MoverFilters) -> MoversListing:
    """Customers ranked by their seat change between `start` and `end` (both inclusive).

    Seats "at from" are the seats held just before `start`; seats "at to" those held at `end`.
    A customer is listed when one of its (selected) seat types changed in the window.
    """
    current = series_store.version()
    series = series_store.change_series(current)
    picked = selection_in_series(current, series, filters)
    chosen = picked.customer_ids
    if picked.errors or chosen == set():  # fail closed; nobody selected: no chart of zeros
        return MoversListing(
            filters=filters,
            synced_at=current.synced_at,
            movers=[],
            rows=[],
            seat_types=list(picked.seat_types),
            chart=[],
            page=1,
            pages=1,
            match_report=picked.match_report,
            errors=picked.errors,
            nobody_selected=chosen == set(),
        )
    low, high = series.position_before(filters.start), series.position(filters.end)
    selection = (filters.q, filters.aliases, filters.ids)
    key = (
        current,
        low,
        high,
        filters.start.date(),
        filters.end.date(),
        selection,
        tuple(sorted(filters.seat_types)),
        filters.direction,
        filters.min_change,
    )
    with _lock:
        answer = _answers.get(key)
        if answer is not None:
            _answers.move_to_end(key)
    if answer is None:
        listed = _movers(series, current, filters, low, high, chosen)
        seat_types, chart = window_chart(series, filters, low, high, chosen)
        answer = _Answer(
            listed,
            seat_types,
            chart,
            _changed_days(chart),
            {},
            grew=sum(1 for m in listed if m.seats_to > m.seats_from),
            shrank=sum(1 for m in listed if m.seats_to < m.seats_from),
            net_change=sum(m.seats_to - m.seats_from for m in listed),
            drawn={},
        )
        with _lock:
            _answers[key] = answer
            while len(_answers) > _KEPT:
                _answers.popitem(last=False)
    ordered = _ordered(answer, filters.sort)
    pages = max(1, math.ceil(len(ordered) / MOVERS_PER_PAGE))
    page = min(filters.page, pages)
    errors = {}
    if filters.page > pages:  # as on `/`: the last page, with a note, rather than nothing
        errors["page"] = f"There is no page {filters.page}; the last page is {pages}."
    return MoversListing(
        filters=filters,
        synced_at=current.synced_at,
        movers=ordered,
        rows=ordered[(page - 1) * MOVERS_PER_PAGE : page * MOVERS_PER_PAGE],
        seat_types=answer.seat_types,
        chart=answer.chart,
        chart_rows=answer.chart_rows,
        page=page,
        pages=pages,
        grew=answer.grew,
        shrank=answer.shrank,
        net_change=answer.net_change,
        drawn=answer.drawn,
        match_report=picked.match_report,
        errors=errors,
    )


def _movers(series, current, filters, low, high, chosen) -> list[Mover]:
    wanted = set(filters.seat_types)
    pairs = series.pairs
    by_customer: dict[str, Mover] = {}
    for number, (seats_from, seats_to) in series.net_between(low, high).items():
        customer, seat_type = pairs[number]
        if (wanted and seat_type not in wanted) or (chosen is not None and customer not in chosen):
            continue
        mover = by_customer.get(customer)
        if mover is None:
            mover = by_customer[customer] = Mover(id=customer)
        mover.moves.append(SeatMove(seat_type, seats_from, seats_to))
        mover.seats_from += seats_from
        mover.seats_to += seats_to
    names = series_store.held_names(current)
    listed = []
    for customer in sorted(by_customer):
        mover = by_customer[customer]
        if not _passes(mover, filters):
            continue
        mover.moves.sort(key=lambda move: move.seat_type)
        mover.legal_name = names.names.get(customer, customer)
        mover.aliases = names.aliases.get(customer, ())
        listed.append(mover)
    return listed


def _ordered(answer: _Answer, sort: str) -> list[Mover]:
    with _lock:
        ordered = answer.orders.get(sort)
    if ordered is None:
        ordered = sorted(answer.movers, key=_sort_key(sort), reverse=sort == "-name")
        with _lock:
            answer.orders[sort] = ordered
    return ordered


def _changed_days(chart: list[ChartPoint]) -> list[ChartPoint]:
    """The chart's first point, each day whose totals changed, and its last point."""
    last = len(chart) - 1
    return [
        point
        for i, point in enumerate(chart)
        if i in (0, last) or point.totals != chart[i - 1].totals
    ]


def _passes(mover: Mover, filters: MoverFilters) -> bool:
    change = mover.change
    if filters.direction == "up" and change <= 0:
        return False
    if filters.direction == "down" and change >= 0:
        return False
    return abs(change) >= filters.min_change


def _sort_key(sort: str):
    descending = sort.startswith("-")
    column = sort.lstrip("-")

    def number(value: float) -> float:
        return -value if descending else value

    if column == "abs":
        return lambda m: (-abs(m.change), -m.change, m.legal_name.casefold(), m.id)
    if column == "change":
        return lambda m: (number(m.change), m.legal_name.casefold(), m.id)
    if column == "pct":  # new customers (no percentage) last either way
        return lambda m: (m.pct is None, number(m.pct or 0.0), m.legal_name.casefold(), m.id)
    if column in ("from", "to"):
        attribute = "seats_from" if column == "from" else "seats_to"
        return lambda m: (number(getattr(m, attribute)), m.legal_name.casefold(), m.id)
    return lambda m: (m.legal_name.casefold(), m.id)


def mover_csv_rows(listing: MoversListing) -> Iterator[tuple]:
    """One row per customer and seat type, in the listing's order (every page)."""
    # Instants as text once, not twice per row (the CSV writer's one UTC format).
    start, end = (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        for moment in (listing.filters.start, listing.filters.end)
    )
    for mover in listing.movers:
        identity = (mover.id, mover.legal_name, "; ".join(mover.aliases))
        for move in mover.moves:
            yield (
                *identity,
                move.seat_type,
                move.seats_from,
                move.seats_to,
                move.seats_to - move.seats_from,
                start,
                end,
            )


def clear() -> None:
    """Forget the kept answers (tests)."""
    with _lock:
        _answers.clear()
