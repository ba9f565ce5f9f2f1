"""/healthz: 200 when database and cache answer, 503 otherwise, and never a revealing detail."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.urls import reverse

from seatdash import health

pytestmark = pytest.mark.django_db

LEAKY_MESSAGE = "connection to 10.1.2.3 failed for user seatdash password=hunter2"


UNKNOWN = {"state": "unknown", "last_success": None, "last_failure": None, "breaker_open": False}


def test_healthz_all_answering_returns_200_without_login(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "providers": {"sequence": UNKNOWN, "metronome": UNKNOWN},
    }
    assert "no-store" in response["Cache-Control"]


def providers(client) -> dict:
    return client.get(reverse("healthz")).json()["providers"]


def test_healthz_reports_each_provider_separately(client):
    health.record_upstream_outcome(provider="Metronome", ok=True)
    health.record_upstream_outcome(provider="Sequence", ok=False)

    reported = providers(client)

    assert reported["metronome"]["state"] == "ok"
    assert reported["metronome"]["last_success"] is not None
    assert reported["metronome"]["last_failure"] is None
    assert reported["sequence"]["state"] == "unreachable"
    assert reported["sequence"]["last_success"] is None
    assert reported["sequence"]["last_failure"] is not None


def test_healthz_latest_outcome_decides_and_both_times_are_kept(client, time_machine):
    time_machine.move_to("2026-06-01T10:00:00Z", tick=False)
    health.record_upstream_outcome(provider="Sequence", ok=False)
    time_machine.move_to("2026-06-01T10:01:00Z", tick=False)
    health.record_upstream_outcome(provider="Sequence", ok=True)

    sequence = providers(client)["sequence"]

    assert sequence["state"] == "ok"
    assert sequence["last_failure"] == "2026-06-01T10:00:00+00:00"
    assert sequence["last_success"] == "2026-06-01T10:01:00+00:00"


def test_healthz_old_outcome_reads_unknown_but_keeps_its_time(client, time_machine):
    time_machine.move_to("2026-06-01T10:00:00Z", tick=False)
    health.record_upstream_outcome(provider="Sequence", ok=True)
    time_machine.move_to("2026-06-01T10:16:00Z", tick=False)

    sequence = providers(client)["sequence"]

    assert sequence["state"] == "unknown"
    assert sequence["last_success"] == "2026-06-01T10:00:00+00:00"


def test_healthz_upstream_failure_through_cache_core_is_recorded_with_breaker(client):
    """The service layer's failure path reaches /healthz through the hook wired at start-up."""
    from seatdash.clients.errors import UpstreamUnavailable
    from seatdash.services.cache import cached_fetch

    def failing():
        raise UpstreamUnavailable("down", provider="Sequence")

    with pytest.raises(UpstreamUnavailable):
        cached_fetch("health-test", failing, fresh_seconds=60, provider="Sequence")

    reported = providers(client)
    assert reported["sequence"]["state"] == "unreachable"
    assert reported["sequence"]["last_failure"] is not None
    assert reported["sequence"]["breaker_open"] is True
    assert reported["metronome"] == UNKNOWN


def test_healthz_upstream_success_through_cache_core_is_recorded(client):
    from seatdash.services.cache import cached_fetch

    cached_fetch("health-test", lambda: [], fresh_seconds=60, provider="Metronome")

    reported = providers(client)
    assert reported["metronome"]["state"] == "ok"
    assert reported["sequence"] == UNKNOWN


def test_healthz_metronome_switched_off_reads_disabled(client, settings):
    settings.METRONOME_ENABLED = False

    assert providers(client)["metronome"] == {"state": "disabled"}


def test_healthz_garbage_upstream_record_reads_unknown(client):
    from django.core.cache import cache

    cache.set("health:upstream:sequence:success", "<script>")

    assert providers(client)["sequence"] == UNKNOWN


def test_healthz_database_down_returns_503_without_exception_text(client, monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise OperationalError(LEAKY_MESSAGE)

    monkeypatch.setattr(health, "connection", BrokenConnection())

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    assert response.json()["status"] != "ok"
    assert "hunter2" not in response.content.decode()
    assert "10.1.2.3" not in response.content.decode()


def test_healthz_cache_down_returns_503(client, monkeypatch):
    def broken_set(*args, **kwargs):
        raise ConnectionError(LEAKY_MESSAGE)

    monkeypatch.setattr(health.cache, "set", broken_set)

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["cache"] == "unreachable"
    assert "hunter2" not in response.content.decode()


def test_healthz_cache_returning_wrong_value_counts_as_down(client, monkeypatch):
    monkeypatch.setattr(health.cache, "get", lambda *args, **kwargs: None)

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["cache"] == "unreachable"


def test_record_upstream_outcome_cache_down_does_not_raise(monkeypatch):
    calls = []

    def broken_set(*args, **kwargs):
        calls.append(args)
        raise ConnectionError("redis is gone")

    monkeypatch.setattr(health.cache, "set", broken_set)

    assert health.record_upstream_outcome(provider="Sequence", ok=True) is None
    assert calls, "the recorder never tried the cache, so the test proves nothing"


def test_healthz_post_refused(client):
    assert client.post(reverse("healthz")).status_code == 405
