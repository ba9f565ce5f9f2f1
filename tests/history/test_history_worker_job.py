"""The worker runs the seat-history sync as one of its jobs."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from seatdash.history import worker_job
from seatdash.history.queries import held_counts, synced_at
from seatdash.history.sync import SyncResult
from seatdash.worker import WORKER_JOBS, run_jobs_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_worker_jobs_include_the_history_sync_after_the_balances():
    names = [job.name for job in WORKER_JOBS]
    assert names.index("balances") < names.index("history")


def test_worker_history_job_syncs_the_store_and_reports_agreement():
    call_command("sandbox_seed", "--customers", "12", "--anchor", "2026-06-01", verbosity=0)
    assert synced_at() is None

    results = dict((name, (ok, line)) for name, ok, line in run_jobs_once())

    ok, line = results["history"]
    assert ok, line
    assert synced_at() is not None
    events, _customers = held_counts()
    assert events > 0
    assert "12 of 12 customers agree with Sequence" in line


def test_worker_history_job_failure_is_reported_not_swallowed(monkeypatch):
    monkeypatch.setattr(
        "seatdash.history.sync.sync_once",
        lambda **_: SyncResult(status="failed", error="Sequence is unreachable"),
    )
    with pytest.raises(worker_job.HistorySyncFailed, match="unreachable"):
        worker_job.sync_history()
