"""`manage.py sync_seat_events`: one sync pass (exit 0), or `--watch SECONDS` to keep in step."""

from __future__ import annotations

import logging
import time

from django.core.management.base import BaseCommand, CommandError

from seatdash.history.sync import SyncProgress, SyncResult, sync_once

logger = logging.getLogger("seatdash.history")


class Command(BaseCommand):
    help = "Sync Sequence's seat events into the seat history, then reconcile with its balances."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--full", action="store_true", help="Rebuild the store from scratch.")
        parser.add_argument(
            "--watch",
            type=float,
            metavar="SECONDS",
            help="Sync again every SECONDS, until stopped.",
        )
        parser.add_argument(
            "--log-every",
            type=int,
            default=50,
            metavar="PAGES",
            help="Without a terminal, log a progress line every PAGES pages (default 50).",
        )

    def handle(self, *args, full: bool, watch: float | None, log_every: int, **options) -> None:
        if watch is not None and watch <= 0:
            raise CommandError("--watch takes a positive number of seconds.")
        while True:
            result = self._one_pass(full=full, log_every=max(1, log_every))
            if watch is None:
                if result.status == "failed":
                    raise CommandError(f"Sync failed: {result.error}")
                return
            full = False  # --full rebuilds once, then the watch keeps in step
            time.sleep(watch)

    def _one_pass(self, *, full: bool, log_every: int) -> SyncResult:
        if self.stdout.isatty():
            result = self._with_progress_bar(full)
        else:
            result = sync_once(full=full, progress=_PageLogger(log_every))
        self.stdout.write(_summary(result))
        return result

    def _with_progress_bar(self, full: bool) -> SyncResult:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[pages]} pages · {task.fields[rate]} events/s"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        ) as bar:
            task = bar.add_task("new events", total=None, pages=0, rate="–")
            began = time.monotonic()

            def show(progress: SyncProgress) -> None:
                elapsed = max(time.monotonic() - began, 1e-6)
                bar.update(
                    task,
                    completed=progress.new_events,
                    total=progress.expected_new or None,
                    pages=progress.pages,
                    rate=f"{progress.events_read / elapsed:,.0f}",
                    description="new events" if progress.phase == "events" else progress.phase,
                )

            return sync_once(full=full, progress=show)


class _PageLogger:
    """One log line every N pages, and one per phase after the events."""

    def __init__(self, every: int) -> None:
        self.every = every
        self.phase = "events"

    def __call__(self, progress: SyncProgress) -> None:
        if progress.phase != "events" and progress.phase != self.phase:
            self.phase = progress.phase
            logger.info("history_sync phase=%s calls=%d", progress.phase, progress.calls)
        elif progress.phase == "events" and progress.pages % self.every == 0:
            logger.info(
                "history_sync pages=%d events_read=%d new_events=%d expected_new=%s",
                progress.pages,
                progress.events_read,
                progress.new_events,
                progress.expected_new,
            )


def _summary(result: SyncResult) -> str:
    if result.status == "busy":
        return "Another sync is running; this one did nothing."
    line = (
        f"{'Synced' if result.status == 'ok' else 'Sync failed'}: {result.events_read} events read "
        f"({result.new_events} new) in {result.pages} page{'' if result.pages == 1 else 's'}, "
        f"{result.calls} upstream call{'' if result.calls == 1 else 's'}, "
        f"{result.seconds:.1f} s."
    )
    if result.error:
        line += f" Error: {result.error}"
    if result.reconciliation:
        r = result.reconciliation
        line += f" {r.agreeing} of {r.customers} customers agree with Sequence's balances."
    return line
