"""Time questions the pages ask, in one public face: who moved between two instants
(services.movers), balances as of an instant (services.as_of), one customer's seat history and an
event's effect (services.customer_series), and the balances table's trends (services.trends).

Everything is read from the synced seat history's change series; no page replays events.
"""

from __future__ import annotations

from seatdash.services import as_of, change_series
from seatdash.services import movers as movers_service
from seatdash.services.as_of import (
    NEVER,
    AsOfSnapshot,
    balance_csv_rows_as_of,
    balance_listing_as_of,
    balance_rows_as_of,
    balances_as_of,
)
from seatdash.services.customer_series import (
    CustomerHistory,
    EventEffect,
    SeriesPoint,
    customer_history,
    event_effect,
)
from seatdash.services.mover_filters import (
    DIRECTIONS,
    MOVER_SORTS,
    QUICK_RANGES,
    MoverFilters,
    quick_range,
)
from seatdash.services.movers import (
    MOVERS_PER_PAGE,
    Mover,
    MoversListing,
    SeatMove,
    mover_csv_rows,
    movers,
)
from seatdash.services.movers_chart import ChartPoint
from seatdash.services.trends import TREND_DAYS, Trend, trends


def history_loading() -> str:
    """Why the time pages must wait ("" when they need not): this process is still loading the
    store's change series after a sync. The load runs off the request; the page polls."""
    return change_series.LOADING_MESSAGE if change_series.loading() else ""


def clear() -> None:
    """Forget every answer kept in process: the change series, as-of snapshots, movers (tests)."""
    change_series.clear()
    as_of.clear()
    movers_service.clear()


__all__ = [
    "DIRECTIONS",
    "MOVERS_PER_PAGE",
    "MOVER_SORTS",
    "NEVER",
    "QUICK_RANGES",
    "TREND_DAYS",
    "AsOfSnapshot",
    "ChartPoint",
    "CustomerHistory",
    "EventEffect",
    "Mover",
    "MoverFilters",
    "MoversListing",
    "SeatMove",
    "SeriesPoint",
    "Trend",
    "balance_csv_rows_as_of",
    "balance_listing_as_of",
    "balance_rows_as_of",
    "balances_as_of",
    "clear",
    "customer_history",
    "event_effect",
    "history_loading",
    "mover_csv_rows",
    "movers",
    "quick_range",
    "trends",
]
