"""manage.py seatdash_worker: its jobs, --once, the lock shared with other workers."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from seatdash import worker
from seatdash.services.balances import SNAPSHOT_KEY, balance_snapshot
from seatdash.services.cache import FetchLock
from tests.fakes import customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(fake_sequence):
    fake_sequence.customers = [customer("c-1", "Acme", {"admin": 1})]
    return fake_sequence


def test_worker_once_fetches_the_snapshot_the_pages_then_read(acme, capsys):
    call_command("seatdash_worker", "--once")

    assert "balances: 1 customers live" in capsys.readouterr().out
    assert len(balance_snapshot().value) == 1
    assert acme.calls["fetch_seat_balances"] == 1


def test_worker_once_leaves_a_young_snapshot_alone(acme, settings):
    settings.BALANCES_FRESH_SECONDS = 120
    call_command("seatdash_worker", "--once")
    call_command("seatdash_worker", "--once")
    assert acme.calls["fetch_seat_balances"] == 1


def test_worker_skips_what_another_worker_is_refreshing(acme, capsys):
    other = FetchLock(SNAPSHOT_KEY)
    assert other.acquire()
    try:
        call_command("seatdash_worker", "--once")
    finally:
        other.release()
    assert "being refreshed elsewhere" in capsys.readouterr().out
    assert acme.calls["fetch_seat_balances"] == 0


def test_worker_once_fails_with_exit_status_when_a_job_fails(acme, monkeypatch):
    acme.failing = True
    ran = []
    monkeypatch.setattr(worker, "WORKER_JOBS", list(worker.WORKER_JOBS))
    worker.register_job("later", lambda: ran.append(1) or "later: done")

    with pytest.raises(CommandError):
        call_command("seatdash_worker", "--once")
    assert ran == [1]  # one job's failure does not stop the next


def test_worker_rejects_a_non_positive_interval():
    with pytest.raises(CommandError):
        call_command("seatdash_worker", "--interval", "0")
