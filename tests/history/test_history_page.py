"""/history/: the rendered state before and after a sync, progress polling, reconciliation, and
"Sync now" for exporters only (POST, CSRF, rate-limited, off the request thread)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from seatdash.history.models import SyncState
from seatdash.history.sync import acquire_lease, sync_once
from seatdash.sandbox.models import SeatBalance as SandboxBalance
from seatdash.services import history as history_service
from tests.history.support import make_customer, sandbox_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def launched(monkeypatch):
    calls = []
    monkeypatch.setattr(history_service, "launch_sync", lambda: calls.append(1))
    return calls


@pytest.fixture
def synced(db):
    make_customer("c1", "Acme GmbH", "acme")
    make_customer("c2", "Beta <b>Ltd</b>", "beta")
    sandbox_events([("acme", 5, 1), ("beta", 3, 2), ("beta", 4, 3, "editor")])
    assert sync_once().status == "ok"


def test_history_page_needs_a_login(client):
    response = client.get(reverse("history"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_never_synced_store_says_so_and_shows_no_numbers_as_true(logged_in_client):
    html = logged_in_client.get(reverse("history")).content.decode()
    assert "Seat history is not synced yet: run `manage.py sync_seat_events`" in html
    assert "agree with Sequence" not in html
    assert "History synced" not in html


def test_synced_page_shows_last_sync_counts_and_agreement(logged_in_client, synced):
    html = logged_in_client.get(reverse("history")).content.decode()
    assert "History synced" in html
    assert "not synced yet" not in html
    assert "2 of 2 customers agree with Sequence's balances" in html
    assert '<span class="count">3</span> events of <span class="count">2</span> customers' in html
    assert "Upstream calls</dt><dd>2</dd>" in html  # one events page, one balances read
    assert 'aria-current="page">History</a>' in html


def test_differing_customers_are_listed_with_both_numbers_and_links(logged_in_client, synced):
    SandboxBalance.objects.filter(customer_id="c2", seat_type="admin").update(total=30)
    sync_once()
    html = logged_in_client.get(reverse("history")).content.decode()
    assert "1 of 2 customers differ from Sequence" in html
    assert f'href="{reverse("customer", args=["c2"])}"' in html
    assert "Beta &lt;b&gt;Ltd&lt;/b&gt;" in html
    row = html[html.index("Beta &lt;b&gt;") :]
    assert '<td class="num">3</td>' in row and '<td class="num">30</td>' in row


def test_failed_sync_error_is_shown(logged_in_client, synced):
    SyncState.objects.filter(pk=1).update(error="GET /seat-events: items[3].total is string")
    html = logged_in_client.get(reverse("history")).content.decode()
    assert "Failed:</strong> GET /seat-events: items[3].total is string" in html


def test_running_sync_progress_polls_with_htmx_and_stops_when_done(logged_in_client, synced):
    assert acquire_lease("another-process")
    SyncState.objects.filter(pk=1).update(
        running=True,
        phase="events",
        pages=12,
        events_read=1200,
        new_events=900,
        total_hint=4000,
        started_at=timezone.now(),
    )
    page = logged_in_client.get(reverse("history")).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert "1,200 events read" in page and "900 new of about 4,000" in page
    fragment = logged_in_client.get(reverse("history"), HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<section id="history-status"')
    assert "<html" not in fragment
    SyncState.objects.filter(pk=1).update(running=False, lease_owner="", lease_expires_at=None)
    done = logged_in_client.get(reverse("history"), HTTP_HX_REQUEST="true").content.decode()
    assert "every 2s" not in done and "Sync running" not in done


def test_exporter_sees_sync_now_and_viewer_does_not(user, viewer_client, synced):
    exporter = Client()
    exporter.force_login(user)
    assert "Sync now" in exporter.get(reverse("history")).content.decode()
    assert "Sync now" not in viewer_client.get(reverse("history")).content.decode()


def test_viewer_cannot_start_a_sync(viewer_client, launched):
    response = viewer_client.post(reverse("history_sync_now"))
    assert response.status_code == 403
    assert launched == []


def test_sync_now_starts_once_then_is_rate_limited(logged_in_client, launched):
    first = logged_in_client.post(reverse("history_sync_now"), follow=True)
    assert first.redirect_chain[-1][0] == reverse("history")
    assert "Sync started" in first.content.decode()
    second = logged_in_client.post(reverse("history_sync_now"), follow=True)
    assert "try again in a minute" in second.content.decode()
    assert launched == [1]


def test_sync_now_while_running_starts_nothing(logged_in_client, launched):
    acquire_lease("another-process")
    response = logged_in_client.post(reverse("history_sync_now"), follow=True)
    assert "already running" in response.content.decode()
    assert launched == []


def test_sync_now_needs_post_and_csrf(user, launched):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(user)
    assert csrf_client.get(reverse("history_sync_now")).status_code == 405
    assert csrf_client.post(reverse("history_sync_now")).status_code == 403
    assert launched == []


def test_launched_sync_runs_off_the_request_and_fills_the_store(transactional_db):
    make_customer("c1", "Acme", "acme")
    sandbox_events([("acme", 5, 1)])
    started = []
    original = history_service.threading.Thread

    class Recorded(original):
        def start(self):
            started.append(self)
            super().start()

    history_service.threading.Thread = Recorded
    try:
        history_service.launch_sync()
    finally:
        history_service.threading.Thread = original
    started[0].join(timeout=30)
    assert SyncState.objects.get(pk=1).synced_at is not None


def test_history_synced_partial_for_other_pages(synced):
    from django.template.loader import render_to_string

    from seatdash.history.queries import synced_at

    html = render_to_string("_history_synced.html", {"history_synced_at": synced_at()})
    assert "history synced <time" in html and " UTC</time>" in html
    empty = render_to_string("_history_synced.html", {"history_synced_at": None})
    assert "Seat history is not synced yet" in empty
