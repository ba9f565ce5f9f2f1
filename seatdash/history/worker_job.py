"""The seat-history sync as a job of `manage.py seatdash_worker` (registered in HistoryConfig.ready)."""

from __future__ import annotations


class HistorySyncFailed(Exception):
    """The sync ran and failed; its error is also stored for /history/."""


def sync_history() -> str:
    """One incremental sync pass; raises so the worker reports the failure (the next run resumes)."""
    from seatdash.history.sync import sync_once

    result = sync_once()
    if result.status == "failed":
        raise HistorySyncFailed(result.error)
    if result.status == "busy":
        return "history: another sync holds the lease; skipped"
    agreed = ""
    if (check := result.reconciliation) is not None:
        agreed = f", {check.agreeing:,} of {check.customers:,} customers agree with Sequence"
    return f"history: {result.new_events:,} new events in {result.calls} calls{agreed}"
