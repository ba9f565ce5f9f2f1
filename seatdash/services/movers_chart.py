"""The movers page's chart: total seats per seat type at the end of each day of the window.

From the change series held in process: every customer's totals come from the per-day totals the
series computes once per version; a selection of customers scans only the window's points.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import TYPE_CHECKING

from seatdash.services.change_series import EPOCH, NONE, ChangeSeries

if TYPE_CHECKING:
    from seatdash.services.movers import MoverFilters

_MICROS_PER_DAY = 86_400_000_000


@dataclass(frozen=True, slots=True)
class ChartPoint:
    day: date
    totals: dict[str, int]  # seat type -> total seats at the end of that day


def window_chart(
    series: ChangeSeries, filters: MoverFilters, low: int, high: int, chosen: set[str] | None
) -> tuple[list[str], list[ChartPoint]]:
    """(seat types, points): the first point is the day before the window (the seats held just
    before `start`), then one per day to the day of `end`, each counting the points in the window
    up to that day's end."""
    first = filters.start.astimezone(UTC).date()
    last = filters.end.astimezone(UTC).date()
    wanted = tuple(sorted(filters.seat_types))
    if chosen is None:
        return _every_customer(series, first, last, low, high, wanted)
    return _selected(series, first, last, low, high, wanted, chosen)


def _every_customer(series, first, last, low, high, wanted):
    seat_types = sorted({t for _, t in series.pairs if not wanted or t in wanted})
    closing = series.type_totals_at(high, wanted)
    chart = [
        ChartPoint(first - timedelta(days=1), _of(series.type_totals_at(low, wanted), seat_types))
    ]
    day = first
    while day <= last:
        if day == last:
            totals = closing
        else:
            totals = series.type_totals_at(min(series.day_end_position(day), high), wanted)
        chart.append(ChartPoint(day, _of(totals, seat_types)))
        day += timedelta(days=1)
    return seat_types, chart


def _of(totals: dict[str, int], seat_types: list[str]) -> dict[str, int]:
    return {t: totals.get(t, 0) for t in seat_types}


def _selected(series, first, last, low, high, wanted, chosen):
    numbers = [
        number
        for customer in chosen
        for number in series.customer_pairs.get(customer, ())
        if not wanted or series.pairs[number][1] in wanted
    ]
    allowed = set(numbers)
    pairs, total = series.pairs, series.total
    before = series.last_points(low)
    running: dict[str, int] = defaultdict(int)
    for number in numbers:
        index = before[number]
        running[pairs[number][1]] += 0 if index == NONE else total[index]
    by_day: dict[tuple[int, str], int] = defaultdict(int)
    epoch_day = EPOCH.date().toordinal()
    times, pair, change = series.times, series.pair, series.change
    for index in range(low, high):
        number = pair[index]
        if number in allowed:
            day = epoch_day + times[index] // _MICROS_PER_DAY
            by_day[(day, pairs[number][1])] += change[index]
    seat_types = sorted(set(running) | {seat_type for _, seat_type in by_day})
    running = {t: running.get(t, 0) for t in seat_types}
    chart = [ChartPoint(first - timedelta(days=1), dict(running))]
    day = first
    while day <= last:
        ordinal = day.toordinal()
        for seat_type in seat_types:
            running[seat_type] += by_day.get((ordinal, seat_type), 0)
        chart.append(ChartPoint(day, dict(running)))
        day += timedelta(days=1)
    return seat_types, chart
