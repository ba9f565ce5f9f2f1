"""Run the worker's jobs (seatdash.worker.WORKER_JOBS): once for cron, or on a loop."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from seatdash.worker import run_jobs_once


class Command(BaseCommand):
    help = (
        "Keep upstream copies fresh (the balances snapshot, and any job registered in "
        "seatdash.worker.WORKER_JOBS). Loops every WORKER_INTERVAL_SECONDS; --once runs each job "
        "once and exits 1 if any failed (for cron and Kubernetes CronJobs)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run each job once and exit.")
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="Seconds between runs in loop mode (default WORKER_INTERVAL_SECONDS).",
        )

    def handle(self, *args, once: bool, interval: float | None, **options):
        interval = settings.WORKER_INTERVAL_SECONDS if interval is None else interval
        if interval <= 0:
            raise CommandError("--interval must be a positive number of seconds.")
        while True:
            started = time.monotonic()
            # A looping process has no request boundaries: drop connections that a database
            # restart or CONN_MAX_AGE made stale, as Django does around each request.
            if not once:
                close_old_connections()
            results = run_jobs_once()
            for _, ok, line in results:
                (self.stdout if ok else self.stderr).write(line)
            if once:
                if not all(ok for _, ok, _ in results):
                    raise CommandError("a worker job failed")
                return
            time.sleep(max(0.0, interval - (time.monotonic() - started)))
