"""The store's change series of one sync, held in process as flat arrays, so a time question costs
a bisect and a short scan instead of a query over every change in a window.

Loaded once per sync (one ordered read of `SeatChange`) and kept until a newer sync finishes. Every
point is one row of the change series the sync wrote (superseded events already left out), sorted
by event time, ties by receipt, exactly the order the balance rule uses: "what was held at T" is
the last point at or before T of each (customer, seat type). Checkpoints every `_STRIDE` points
hold each pair's last point so far, so any instant is one array copy plus at most `_STRIDE` steps.

Over 300 lines: the series, its loading (once per version, off the request where a page can do
without it) and the names it is read with belong together; the questions asked of it live in
as_of, movers, customer_series and trends.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db import connection
from django.db.models import Max

from seatdash.history import queries
from seatdash.history.models import HeldAlias, HeldCustomer, SeatChange
from seatdash.services import cache

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)
_MICROS_PER_DAY = 86_400_000_000
_STRIDE = 32_768  # points between checkpoints: at 460,000 points, 15 of 4 bytes per pair
NONE = -1  # "no point yet" in a last-point array


def micros(moment: datetime) -> int:
    """An aware instant as whole microseconds since the epoch (exact, no float rounding)."""
    return (moment - EPOCH) // _MICRO


@dataclass(frozen=True, slots=True)
class Version:
    """What makes one store's series different from another's: its newest change point (a sync
    that changes a series deletes and re-writes its rows, so new rows always mean a new newest
    point). `synced_at` is carried for the pages' "synced 14:02 UTC" and is not compared: a sync
    that found nothing new keeps every kept series, snapshot and answer of this process."""

    synced_at: datetime = field(compare=False)
    newest_point: int


def version() -> Version:
    """The store's version now; raises HistoryNotSynced while it never synced."""
    synced = queries.require_synced()
    newest = SeatChange.objects.aggregate(newest=Max("id"))["newest"] or 0
    return Version(synced, newest)


class ChangeSeries:
    """Every point of the change series of one sync, oldest first, as parallel arrays."""

    def __init__(self, version: Version, rows) -> None:
        self.version = version
        self.pairs: list[tuple[str, str]] = []  # pair number -> (customer, seat type)
        pair_of: dict[tuple[str, str], int] = {}
        self.times = array("q")  # event time, epoch microseconds
        self.pair = array("i")
        self.change = array("q")
        self.total = array("q")
        self.reached = array("q")  # when the total was reached (the balance's "changed at")
        for customer, seat_type, moment, change, total, reached in rows:
            key = (customer, seat_type)
            number = pair_of.get(key)
            if number is None:
                number = pair_of[key] = len(self.pairs)
                self.pairs.append(key)
            self.times.append(micros(moment))
            self.pair.append(number)
            self.change.append(change)
            self.total.append(total)
            self.reached.append(micros(reached))
        self.pair_of = pair_of
        self.customer_pairs: dict[str, list[int]] = defaultdict(list)
        for number, (customer, _) in enumerate(self.pairs):
            self.customer_pairs[customer].append(number)
        self._checkpoints: list[array] = []
        last = array("i", [NONE]) * len(self.pairs)
        for index, number in enumerate(self.pair):
            if index % _STRIDE == 0:
                self._checkpoints.append(array("i", last))
            last[number] = index
        self._daily: tuple[list[int], list[int], list[dict[str, int]]] | None = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.times)

    def position(self, moment: datetime) -> int:
        """How many points lie at or before `moment` (the points an as-of at `moment` sees)."""
        return bisect_right(self.times, micros(moment))

    def position_before(self, moment: datetime) -> int:
        """How many points lie strictly before `moment`."""
        return bisect_right(self.times, micros(moment) - 1)

    def last_points(self, position: int) -> array:
        """Per pair, the index of its last point among the first `position` points (or NONE)."""
        checkpoint = position // _STRIDE
        if checkpoint >= len(self._checkpoints):
            checkpoint = len(self._checkpoints) - 1
        if checkpoint < 0:
            return array("i", [NONE]) * len(self.pairs)
        last = array("i", self._checkpoints[checkpoint])
        pair = self.pair
        for index in range(checkpoint * _STRIDE, position):
            last[pair[index]] = index
        return last

    def totals_at(self, position: int) -> array:
        """Per pair, the seats held after the first `position` points (0 before its first)."""
        total = self.total
        return array("q", [0 if i == NONE else total[i] for i in self.last_points(position)])

    def net_between(self, low: int, high: int) -> dict[int, tuple[int, int]]:
        """pair -> (seats after `low` points, seats after `high` points), for the pairs whose seats
        differ: scans the points between when that is shorter than comparing every pair."""
        if high - low < len(self.pairs):
            before = self.last_points(low)
            change = self.change
            net: dict[int, int] = defaultdict(int)
            pair = self.pair
            for index in range(low, high):
                net[pair[index]] += change[index]
            total = self.total
            moved = {}
            for number, difference in net.items():
                if difference:
                    start = before[number]
                    seats_from = 0 if start == NONE else total[start]
                    moved[number] = (seats_from, seats_from + difference)
            return moved
        seats_from, seats_to = self.totals_at(low), self.totals_at(high)
        return {
            number: (a, b)
            for number, (a, b) in enumerate(zip(seats_from, seats_to, strict=True))
            if a != b
        }

    def daily_totals(self) -> tuple[list[int], list[int], list[dict[str, int]]]:
        """Per UTC day with a change, ascending: the day (an ordinal), the position after its last
        point, and the total seats per seat type at its end, over every customer."""
        with self._lock:
            if self._daily is not None:
                return self._daily
        days: list[int] = []
        ends: list[int] = []
        totals: list[dict[str, int]] = []
        running: dict[str, int] = defaultdict(int)
        types = [seat_type for _, seat_type in self.pairs]
        pair, change = self.pair, self.change
        current = None
        epoch_day = EPOCH.date().toordinal()
        for index, moment in enumerate(self.times):
            day = epoch_day + moment // _MICROS_PER_DAY
            if day != current:
                if current is not None:
                    days.append(current)
                    ends.append(index)
                    totals.append(dict(running))
                current = day
            running[types[pair[index]]] += change[index]
        if current is not None:
            days.append(current)
            ends.append(len(self.times))
            totals.append(dict(running))
        with self._lock:
            self._daily = (days, ends, totals)
        return self._daily

    def type_totals_at(self, position: int, seat_types: tuple[str, ...] = ()) -> dict[str, int]:
        """Total seats per seat type after the first `position` points, over every customer."""
        _, ends, totals = self.daily_totals()
        day = bisect_right(ends, position) - 1
        result = defaultdict(int, totals[day] if day >= 0 else {})
        pair, change, pairs = self.pair, self.change, self.pairs
        for index in range(ends[day] if day >= 0 else 0, position):
            result[pairs[pair[index]][1]] += change[index]
        if seat_types:
            return {t: result.get(t, 0) for t in seat_types if t in result}
        return dict(result)

    def day_end_position(self, day: date) -> int:
        """How many points lie at or before the end of `day` (UTC)."""
        return bisect_right(self.times, micros(datetime.combine(day, datetime.max.time(), UTC)))


_series: ChangeSeries | None = None
_series_lock = threading.Lock()
_load_lock = threading.Lock()


def change_series(current: Version | None = None) -> ChangeSeries:
    """The change series of the store's current version (loaded once per version and process)."""
    global _series
    current = current or version()
    with _series_lock:
        if _series is not None and _series.version == current:
            return _series
    with _load_lock:  # one loader at a time; the others wait for its answer
        with _series_lock:
            if _series is not None and _series.version == current:
                return _series
        loaded = ChangeSeries(current, _rows())
        with _series_lock:
            _series = loaded
        return loaded


def series_if_loaded(current: Version) -> ChangeSeries | None:
    """The series of `current` if this process holds it; otherwise None, with the load started
    off the request (one loader), so a page that can do without it never waits for it."""
    with _series_lock:
        if _series is not None and _series.version == current:
            return _series
    if not _load_lock.locked():
        cache.run_in_background(lambda: change_series(current), "change series")
    with _series_lock:  # tests run background work inline: it may be here already
        return _series if _series is not None and _series.version == current else None


def loading() -> bool:
    """Whether this process is still loading the store's current series (the load is started,
    off the request, when it is not); False while the history has never synced."""
    try:
        current = version()
    except queries.HistoryNotSynced:
        return False
    return series_if_loaded(current) is None


LOADING_MESSAGE = "Loading the seat history into this server after its latest sync"


def _rows():
    """Every change point, oldest first, with its instants as aware datetimes. Read with a plain
    cursor: the ORM's per-value datetime parsing on SQLite took most of a 460,000-point load."""
    meta = SeatChange._meta
    quote = connection.ops.quote_name
    text = connection.vendor == "sqlite"  # as text: no Python typecast per value on the way out

    def column(name: str) -> str:
        quoted = quote(meta.get_field(name).column)
        return f"CAST({quoted} AS TEXT)" if text and name.endswith(("timestamp", "_at")) else quoted

    columns = ", ".join(
        column(name)
        for name in ("customer_id", "seat_type", "event_timestamp", "change", "total", "reached_at")
    )
    order = ", ".join(quote(meta.get_field(n).column) for n in ("event_timestamp", "position"))
    sql = f"SELECT {columns} FROM {quote(meta.db_table)} ORDER BY {order}"  # noqa: S608 (model names)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while batch := cursor.fetchmany(10_000):
            for customer, seat_type, moment, change, total, reached in batch:
                yield customer, seat_type, _aware(moment), change, total, _aware(reached)


def _aware(value) -> datetime:
    """A stored instant as an aware UTC datetime (SQLite hands back naive UTC text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Names:
    """The customers the last sync saw: account, legal name and sorted aliases, by ID."""

    accounts: dict[str, str]
    names: dict[str, str]
    aliases: dict[str, tuple[str, ...]]


_names: tuple[Version, Names] | None = None


def held_names(current: Version) -> Names:
    """Names and aliases of the store at `current` (read once per version and process)."""
    global _names
    with _series_lock:  # names can change in a sync that brought no change point: compare its time
        if _names is not None and (_names[0], _names[0].synced_at) == (current, current.synced_at):
            return _names[1]
    accounts, names = {}, {}
    rows = HeldCustomer.objects.values_list("id", "sequence_account_id", "legal_name")
    for customer, account, name in rows.iterator(5000):
        accounts[customer] = account
        names[customer] = name
    aliases: dict[str, list[str]] = defaultdict(list)
    for value, customer in HeldAlias.objects.values_list("value", "customer_id").iterator(5000):
        aliases[customer].append(value)
    found = Names(accounts, names, {c: tuple(sorted(v)) for c, v in aliases.items()})
    with _series_lock:
        _names = (current, found)
    return found


def clear() -> None:
    """Forget the kept series and names (tests; a new version replaces them anyway)."""
    global _series, _names
    with _series_lock:
        _series = None
        _names = None
