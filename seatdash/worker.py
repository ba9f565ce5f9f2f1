"""The worker's jobs: long upstream work that no page request does inline.

`WORKER_JOBS` is the registry `manage.py seatdash_worker` runs, in order, once (`--once`) or on a
loop. A job is a callable that does its work and returns one line saying what it did; it raises
to report a failure (the next job still runs). Other features add theirs with `register_job`
(the seat-history sync is meant to: `register_job("history", <its sync callable>)`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WorkerJob:
    name: str
    run: Callable[[], str]


def refresh_balances() -> str:
    """Keeps the balances snapshot fresh: refetched once half its freshness has passed, so pages
    never find it aged. Skipped while another worker or request holds its lock."""
    from seatdash.services.balances import balance_snapshot_refresh

    ref = balance_snapshot_refresh(older_than=settings.BALANCES_FRESH_SECONDS / 2)
    if ref is None:
        return "balances: being refreshed elsewhere; skipped"
    note = f" (Sequence reported {ref.reported_total:,})" if ref.incomplete else ""
    return f"balances: {ref.received:,} customers live{note}"


WORKER_JOBS: list[WorkerJob] = [WorkerJob("balances", refresh_balances)]


def register_job(name: str, run: Callable[[], str]) -> None:
    """Adds a job to every later run (replacing one of the same name)."""
    WORKER_JOBS[:] = [job for job in WORKER_JOBS if job.name != name]
    WORKER_JOBS.append(WorkerJob(name, run))


def run_jobs_once(jobs: list[WorkerJob] | None = None) -> list[tuple[str, bool, str]]:
    """Runs each job once; (name, succeeded, its line or the failure) per job."""
    results = []
    for job in list(WORKER_JOBS if jobs is None else jobs):
        try:
            line = job.run()
        except Exception as failure:  # one job's failure must not stop the others
            logger.warning("worker job %s failed: %s", job.name, failure)
            results.append((job.name, False, f"{job.name}: failed: {failure}"))
        else:
            logger.info("worker job %s: %s", job.name, line)
            results.append((job.name, True, line))
    return results
