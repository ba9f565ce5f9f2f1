"""The seat history for the pages: what /history/ shows, and "Sync now" started off the request."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.utils import timezone

from seatdash.history.models import Difference, Reconciliation, SyncState
from seatdash.history.queries import held_counts, sync_state
from seatdash.history.reconcile import latest_result
from seatdash.history.sync import sync_is_running, sync_once

logger = logging.getLogger(__name__)

SHOWN_DIFFERENCES = 100
SYNC_NOW_KEY = "history:sync-now"


@dataclass(frozen=True)
class HistoryOverview:
    state: SyncState
    running: bool
    synced_at: datetime | None
    events_held: int
    customers_held: int
    reconciliation: Reconciliation | None
    differences: list[Difference]
    more_differences: int


def history_overview() -> HistoryOverview:
    """The sync's state, the store's size and the last reconciliation, for /history/."""
    state = sync_state()
    events, customers = held_counts()
    reconciliation = latest_result()
    differences: list[Difference] = []
    more = 0
    if reconciliation is not None:
        rows = reconciliation.differences.order_by("customer_id", "seat_type")
        differences = list(rows[:SHOWN_DIFFERENCES])
        more = (
            max(0, rows.count() - len(differences)) if len(differences) == SHOWN_DIFFERENCES else 0
        )
    return HistoryOverview(
        state=state,
        running=sync_is_running(state),
        synced_at=state.synced_at,
        events_held=events,
        customers_held=customers,
        reconciliation=reconciliation,
        differences=differences,
        more_differences=more,
    )


def sync_now_start() -> str:
    """Start a sync in a background thread for "Sync now"; returns "started", "running" or
    "too-soon" (at most one start per HISTORY_SYNC_NOW_INTERVAL_SECONDS, across processes when the
    cache is shared). The request returns at once; the page polls the progress."""
    if sync_is_running(sync_state()):
        return "running"
    if not cache.add(SYNC_NOW_KEY, True, timeout=settings.HISTORY_SYNC_NOW_INTERVAL_SECONDS):
        return "too-soon"
    SyncState.objects.filter(pk=1).update(sync_requested_at=timezone.now())
    launch_sync()
    return "started"


def launch_sync() -> None:
    """Run one sync pass off the request thread (the lease keeps it from overlapping another)."""

    def run() -> None:
        try:
            result = sync_once()
            logger.info("history_sync_now status=%s error=%s", result.status, result.error)
        except Exception:
            logger.exception("history_sync_now failed")
        finally:
            connections.close_all()

    threading.Thread(target=run, name="history-sync-now", daemon=True).start()
