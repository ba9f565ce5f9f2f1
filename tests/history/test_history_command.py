"""`manage.py sync_seat_events`: one pass and a summary, log lines without a terminal, errors."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.management import CommandError, call_command

from seatdash.clients.errors import UpstreamUnavailable
from seatdash.history import sync as sync_module
from seatdash.history.models import SeatEvent
from seatdash.sandbox import faults
from tests.history.support import make_customer, sandbox_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(db):
    make_customer("c1", "Acme", "acme")
    sandbox_events([("acme", i % 5, 1 + i % 20) for i in range(250)])


def test_one_pass_prints_a_summary_with_the_reconciliation(events):
    out = io.StringIO()
    call_command("sync_seat_events", stdout=out)
    text = out.getvalue()
    assert "Synced: 250 events read (250 new) in 3 pages, 4 upstream calls" in text
    assert "1 of 1 customers agree with Sequence's balances." in text
    assert SeatEvent.objects.count() == 250


def test_without_a_terminal_logs_a_line_every_n_pages(events, caplog):
    with caplog.at_level(logging.INFO, logger="seatdash.history"):
        call_command("sync_seat_events", "--log-every", "2", stdout=io.StringIO())
    lines = [r.getMessage() for r in caplog.records if r.name == "seatdash.history"]
    assert any("pages=2 events_read=200 new_events=200" in line for line in lines)
    assert not any("pages=1 " in line or "pages=3 " in line for line in lines)


def test_upstream_down_fails_the_command_with_the_error(events):
    with (
        faults.injected(error_rate=1, error_status=503),
        pytest.raises(CommandError, match=r"Sync failed: .*503"),
    ):
        call_command("sync_seat_events", stdout=io.StringIO())


def test_watch_needs_a_positive_interval(db):
    with pytest.raises(CommandError, match="positive"):
        call_command("sync_seat_events", "--watch", "0")


def test_watch_syncs_again_after_the_interval(events, monkeypatch):
    runs = []
    real = sync_module.sync_once

    def counted(**kwargs):
        runs.append(kwargs)
        return real(**kwargs)

    def stop_after_second(_seconds):
        if len(runs) >= 2:
            raise KeyboardInterrupt

    from seatdash.history.management.commands import sync_seat_events as command

    monkeypatch.setattr(command, "sync_once", counted)
    monkeypatch.setattr(command.time, "sleep", stop_after_second)
    with pytest.raises(KeyboardInterrupt):
        call_command("sync_seat_events", "--watch", "5", "--full", stdout=io.StringIO())
    assert [r["full"] for r in runs] == [True, False]


def test_busy_lease_is_reported_and_not_a_failure(events):
    assert sync_module.acquire_lease("other")
    out = io.StringIO()
    call_command("sync_seat_events", stdout=out)
    assert "Another sync is running" in out.getvalue()


def test_unavailable_is_caught_by_sync_once(events, monkeypatch):
    class Down:
        def list_seat_events(self, *a, **k):
            raise UpstreamUnavailable("Sequence: GET /seat-events: 503", provider="Sequence")

    result = sync_module.sync_once(client=Down())
    assert result.status == "failed" and "503" in result.error
