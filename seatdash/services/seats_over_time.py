"""Time questions the pages ask: who moved between two instants, and what a customer held when.

Everything is read from the synced seat history (seatdash.history.queries and its tables); no page
replays events. Seats at an instant are the held balance now minus the changes after it, so a
window only reads the change points after its start.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from django.db.models import Sum
from django.db.models.functions import TruncDate

from seatdash.clients.sequence_records import CustomerBalances, SeatBalance
from seatdash.history import queries
from seatdash.history.models import HeldAlias, HeldBalance, HeldCustomer, SeatChange, SeatEvent
from seatdash.services.balance_index import BalanceFilters, BalanceIndex
from seatdash.services.balances import BalanceListing, blocked_listing, listing_from
from seatdash.services.change_window import with_history_window
from seatdash.services.mover_selection import mover_selection
from seatdash.services.paste_match import MatchReport
from seatdash.services.recent_change import recent_changes

MOVERS_PER_PAGE = 50
MOVER_SORTS = (
    "abs",
    "change",
    "-change",
    "pct",
    "-pct",
    "name",
    "-name",
    "from",
    "-from",
    "to",
    "-to",
)
DIRECTIONS = ("all", "up", "down")
EPSILON = timedelta(microseconds=1)
MANY_IDS = 500  # past this many customers, read a table whole rather than by a long IN list


@dataclass(frozen=True, slots=True)
class MoverFilters:
    start: datetime
    end: datetime
    q: str = ""
    aliases: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    seat_types: tuple[str, ...] = ()
    direction: str = "all"
    min_change: int = 0
    sort: str = "abs"
    page: int = 1

    @property
    def selects_customers(self) -> bool:
        return bool(self.q or self.aliases or self.ids)


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

    @property
    def seats_from(self) -> int:
        return sum(move.seats_from for move in self.moves)

    @property
    def seats_to(self) -> int:
        return sum(move.seats_to for move in self.moves)

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


@dataclass(frozen=True, slots=True)
class ChartPoint:
    day: date
    totals: dict[str, int]  # seat type -> total seats at the end of that day


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
    def chart_rows(self) -> list[ChartPoint]:
        """The chart's first point, each day whose totals changed, and its last point."""
        rows = [
            point
            for i, point in enumerate(self.chart)
            if i in (0, len(self.chart) - 1) or point.totals != self.chart[i - 1].totals
        ]
        return rows

    @property
    def first_row_number(self) -> int:
        return (self.page - 1) * MOVERS_PER_PAGE + 1

    @property
    def last_row_number(self) -> int:
        return self.first_row_number + len(self.rows) - 1


def _net_by_pair(points) -> dict[tuple[str, str], int]:
    sums = points.order_by().values_list("customer_id", "seat_type").annotate(net=Sum("change"))
    return {(customer, seat_type): net for customer, seat_type, net in sums.iterator(2000)}


def movers(filters: MoverFilters) -> MoversListing:
    """Customers ranked by their seat change between `start` and `end` (both inclusive).

    Seats "at from" are the seats held just before `start`; seats "at to" those held at `end`.
    A customer is listed when one of its (selected) seat types changed in the window.
    """
    synced = queries.require_synced()
    tables = held_tables(synced)
    selection = mover_selection(
        synced,
        tables,
        q=filters.q,
        aliases=filters.aliases,
        ids=filters.ids,
        seat_types=filters.seat_types,
    )
    chosen = selection.customer_ids
    if selection.errors or chosen == set():  # fail closed; nobody selected: no chart of zeros
        return MoversListing(
            filters,
            synced,
            [],
            [],
            list(selection.seat_types),
            [],
            1,
            1,
            match_report=selection.match_report,
            errors=selection.errors,
            nobody_selected=not chosen,
        )
    points = SeatChange.objects.all()
    if filters.seat_types:
        points = points.filter(seat_type__in=filters.seat_types)
    window = points.filter(event_timestamp__gte=filters.start, event_timestamp__lte=filters.end)
    window_net = _net_by_pair(window)
    after_end = _net_by_pair(points.filter(event_timestamp__gt=filters.end))
    if chosen is not None:
        window_net = {pair: net for pair, net in window_net.items() if pair[0] in chosen}
    now = tables.now

    by_customer: dict[str, Mover] = {}
    for (customer, seat_type), net in sorted(window_net.items()):
        if not net:
            continue
        seats_to = now.get((customer, seat_type), 0) - after_end.get((customer, seat_type), 0)
        mover = by_customer.setdefault(customer, Mover(id=customer))
        mover.moves.append(SeatMove(seat_type, seats_to - net, seats_to))
    listed = [m for m in by_customer.values() if _passes(m, filters)]
    for mover in listed:
        mover.legal_name = tables.names.get(mover.id, mover.id)
        mover.aliases = tables.aliases.get(mover.id, ())
    listed.sort(key=_sort_key(filters.sort), reverse=filters.sort == "-name")
    pages = max(1, math.ceil(len(listed) / MOVERS_PER_PAGE))
    page = min(filters.page, pages)
    errors = {}
    if filters.page > pages:  # as on `/`: the last page, with a note, rather than nothing
        errors["page"] = f"There is no page {filters.page}; the last page is {pages}."
    rows = listed[(page - 1) * MOVERS_PER_PAGE : page * MOVERS_PER_PAGE]
    seat_types, chart = _chart(filters, chosen, tables)
    return MoversListing(
        filters=filters,
        synced_at=synced,
        movers=listed,
        rows=rows,
        seat_types=seat_types,
        chart=chart,
        page=page,
        pages=pages,
        grew=sum(1 for m in listed if m.change > 0),
        shrank=sum(1 for m in listed if m.change < 0),
        net_change=sum(m.change for m in listed),
        match_report=selection.match_report,
        errors=errors,
    )


def _passes(mover: Mover, filters: MoverFilters) -> bool:
    change = mover.change
    if filters.direction == "up" and change <= 0:
        return False
    if filters.direction == "down" and change >= 0:
        return False
    return abs(change) >= filters.min_change


@dataclass(frozen=True, slots=True)
class HeldTables:
    """The held balances, names and aliases of one sync, decoded once per process."""

    now: dict[tuple[str, str], int]  # (customer, seat type) -> seats held now
    names: dict[str, str]
    aliases: dict[str, tuple[str, ...]]


_held_tables: dict[datetime, HeldTables] = {}
_held_lock = threading.Lock()


def held_tables(synced: datetime) -> HeldTables:
    """The held tables as of the sync that finished at `synced` (a new sync makes new ones)."""
    with _held_lock:
        if synced in _held_tables:
            return _held_tables[synced]
    now = {
        (customer, seat_type): total
        for customer, seat_type, total in HeldBalance.objects.values_list(
            "customer_id", "seat_type", "total"
        ).iterator(5000)
    }
    names = dict(HeldCustomer.objects.values_list("id", "legal_name").iterator(5000))
    aliases: dict[str, list[str]] = defaultdict(list)
    for value, customer in HeldAlias.objects.values_list("value", "customer_id").iterator(5000):
        aliases[customer].append(value)
    tables = HeldTables(now, names, {c: tuple(sorted(v)) for c, v in aliases.items()})
    with _held_lock:
        _held_tables.clear()  # one sync's tables kept: the newest
        _held_tables[synced] = tables
    return tables


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


def _chart(
    filters: MoverFilters, chosen: set[str] | None, tables: HeldTables
) -> tuple[list[str], list[ChartPoint]]:
    """Total seats per seat type at the end of each day of the window, for the selected customers.

    The first point is the day before the window (the seats held just before `start`).
    """
    held = HeldBalance.objects.all()
    points = SeatChange.objects.filter(event_timestamp__gte=filters.start)
    if filters.seat_types:
        held = held.filter(seat_type__in=filters.seat_types)
        points = points.filter(seat_type__in=filters.seat_types)
    now: dict[str, int] = defaultdict(int)
    by_day: dict[tuple[date, str], int] = defaultdict(int)
    after_end: dict[str, int] = defaultdict(int)
    day_of = TruncDate("event_timestamp", tzinfo=UTC)
    if chosen is None:
        for seat_type, total in held.values_list("seat_type").annotate(s=Sum("total")).order_by():
            now[seat_type] += total
        after = points.filter(event_timestamp__gt=filters.end).values_list("seat_type")
        for seat_type, net in after.order_by().annotate(s=Sum("change")):
            after_end[seat_type] += net
        window = (
            points.filter(event_timestamp__lte=filters.end)
            .annotate(day=day_of)
            .values_list("day", "seat_type")
            .annotate(s=Sum("change"))
            .order_by()
        )
    else:
        wanted = set(filters.seat_types)
        for (customer, seat_type), total in tables.now.items():
            if customer in chosen and (not wanted or seat_type in wanted):
                now[seat_type] += total
        window = []
        grouped = (
            points.annotate(day=day_of)
            .values_list("customer_id", "day", "seat_type", "event_timestamp", "change")
            .order_by()
        )
        for customer, day, seat_type, moment, change in grouped.iterator(5000):
            if customer not in chosen:
                continue
            if moment > filters.end:
                after_end[seat_type] += change
            else:
                window.append((day, seat_type, change))
    for day, seat_type, change in window:
        by_day[(day, seat_type)] += change
    seat_types = sorted(set(now) | {seat_type for _, seat_type in by_day})
    running = {t: now.get(t, 0) - after_end.get(t, 0) - _window_sum(by_day, t) for t in seat_types}
    first = filters.start.astimezone(UTC).date()
    last = filters.end.astimezone(UTC).date()
    chart = [ChartPoint(first - timedelta(days=1), dict(running))]
    day = first
    while day <= last:
        for seat_type in seat_types:
            running[seat_type] += by_day.get((day, seat_type), 0)
        chart.append(ChartPoint(day, dict(running)))
        day += timedelta(days=1)
    return seat_types, chart


def _window_sum(by_day: dict[tuple[date, str], int], seat_type: str) -> int:
    return sum(change for (_, kind), change in by_day.items() if kind == seat_type)


def mover_csv_rows(listing: MoversListing) -> Iterator[tuple]:
    """One row per customer and seat type, in the listing's order (every page)."""
    start, end = listing.filters.start, listing.filters.end
    for mover in listing.movers:
        identity = (mover.id, mover.legal_name, "; ".join(mover.aliases))
        for move in mover.moves:
            yield (
                *identity,
                move.seat_type,
                move.seats_from,
                move.seats_to,
                move.change,
                start,
                end,
            )


# Quick ranges: (key, label); the dates are computed against today's UTC date.
QUICK_RANGES = (
    ("7d", "7 days"),
    ("30d", "30 days"),
    ("90d", "90 days"),
    ("quarter", "This quarter"),
    ("last-quarter", "Last quarter"),
    ("ytd", "Year to date"),
)


def quick_range(key: str, today: date) -> tuple[date, date]:
    """The (from, to) dates of a quick range, both inclusive."""
    if key in ("7d", "30d", "90d"):
        return today - timedelta(days=int(key[:-1])), today
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    if key == "quarter":
        return quarter_start, today
    if key == "last-quarter":
        last_end = quarter_start - timedelta(days=1)
        return date(last_end.year, 3 * ((last_end.month - 1) // 3) + 1, 1), last_end
    if key == "ytd":
        return date(today.year, 1, 1), today
    raise ValueError(key)


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


NEVER = datetime(1970, 1, 1, tzinfo=UTC)  # "changed at" of a customer with no event yet
_AS_OF_KEPT = 4


@dataclass(frozen=True, slots=True)
class AsOfSnapshot:
    """Every customer the last sync saw, with the seats each held at `at`, indexed like `/`."""

    at: datetime
    synced_at: datetime
    index: BalanceIndex
    not_yet: frozenset[str]  # customers with no effective event at or before `at`


_as_of_snapshots: OrderedDict[tuple[datetime, datetime], AsOfSnapshot] = OrderedDict()
_as_of_lock = threading.Lock()


def balances_as_of(at: datetime) -> AsOfSnapshot:
    """The balances of every customer as they stood at `at` (inclusive), from the change series.

    Kept per (instant, sync) in this process, so paging, sorting and filtering one instant reads
    the history once.
    """
    synced = queries.require_synced()
    key = (at, synced)
    with _as_of_lock:
        if key in _as_of_snapshots:
            _as_of_snapshots.move_to_end(key)
            return _as_of_snapshots[key]
    held = queries.balances_as_of(at)
    aliases: dict[str, list[str]] = defaultdict(list)
    for value, customer_id in HeldAlias.objects.values_list("value", "customer_id").iterator(5000):
        aliases[customer_id].append(value)
    customers = []
    rows = HeldCustomer.objects.values_list("id", "sequence_account_id", "legal_name")
    for customer_id, account, name in rows.iterator(5000):
        seats = held.get(customer_id, {})
        balances = tuple(
            SeatBalance(seat_type, total.total, total.changed_at)
            for seat_type, total in sorted(seats.items())
        )
        customers.append(
            CustomerBalances(
                id=customer_id,
                sequence_account_id=account,
                legal_name=name,
                aliases=tuple(sorted(aliases.get(customer_id, ()))),
                total=sum(b.total for b in balances),
                changed_at=max((b.changed_at for b in balances), default=NEVER),
                balances=balances,
            )
        )
    snapshot = AsOfSnapshot(
        at=at,
        synced_at=synced,
        index=BalanceIndex.from_customers(customers),
        not_yet=frozenset(c.id for c in customers if c.id not in held),
    )
    with _as_of_lock:
        _as_of_snapshots[key] = snapshot
        while len(_as_of_snapshots) > _AS_OF_KEPT:
            _as_of_snapshots.popitem(last=False)
    return snapshot


def balance_listing_as_of(
    at: datetime, filters: BalanceFilters, *, blocked: bool = False
) -> tuple[AsOfSnapshot, BalanceListing]:
    """The page of `/` the filters select, with the balances as of `at`; no rows when `blocked`
    (a filter the form could not read), as on the present-day page."""
    snapshot = balances_as_of(at)
    if blocked:
        return snapshot, blocked_listing(snapshot.index, filters)
    return snapshot, listing_from(snapshot.index, with_history_window(filters))


def balance_rows_as_of(at: datetime, filters: BalanceFilters) -> tuple[AsOfSnapshot, list[int]]:
    """Every row (all pages) for the CSV of the balances as of `at`."""
    snapshot = balances_as_of(at)
    if filters.sort.removeprefix("-") not in snapshot.index.sorts():
        filters = replace(filters, sort="name")
    return snapshot, snapshot.index.select(with_history_window(filters))


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


TREND_DAYS = 90


@dataclass(frozen=True, slots=True)
class Trend:
    daily_totals: list[
        int
    ]  # total seats at the end of each of the last TREND_DAYS days, oldest first
    change_30_days: int  # seats now minus seats held 30 days ago

    @property
    def label(self) -> str:
        low, high = min(self.daily_totals), max(self.daily_totals)
        return f"{TREND_DAYS}-day trend: from {self.daily_totals[0]:,} to {self.daily_totals[-1]:,} (between {low:,} and {high:,})"


def trends(customer_ids: list[str]) -> dict[str, Trend]:
    """The 90-day trend and 30-day change of the given customers (one page of them), all seat types.

    Read from the held balances and the change points of the last 90 days only.
    """
    queries.require_synced()
    now = datetime.now(UTC)
    today = now.date()
    first_day = today - timedelta(days=TREND_DAYS - 1)
    totals: dict[str, int] = defaultdict(int)
    for customer, total in HeldBalance.objects.filter(customer_id__in=customer_ids).values_list(
        "customer_id", "total"
    ):
        totals[customer] += total
    changes: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    since = datetime.combine(first_day, datetime.min.time(), tzinfo=UTC)
    rows = SeatChange.objects.filter(customer_id__in=customer_ids, event_timestamp__gt=since)
    for customer, moment, change in rows.values_list("customer_id", "event_timestamp", "change"):
        changes[customer].append((moment, change))
    recent = recent_changes(now)  # the same numbers `/` sorts by (sort=change30)
    result = {}
    for customer in customer_ids:
        points = changes.get(customer, [])
        daily = []
        for offset in range(TREND_DAYS):
            day_end = since + timedelta(days=offset + 1)
            later = sum(change for moment, change in points if moment >= day_end)
            daily.append(totals.get(customer, 0) - later)
        result[customer] = Trend(daily, recent.of(customer))
    return result
