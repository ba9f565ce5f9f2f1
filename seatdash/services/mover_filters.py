"""What the movers page asks: its filters, sorts and quick ranges (the customers `q`, `alias` and
`ids` select are found by mover_selection)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

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
