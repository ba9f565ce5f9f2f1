"""/healthz: 200 when database and cache answer, 503 otherwise, and never a revealing detail."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.urls import reverse

from seatdash import health

pytestmark = pytest.mark.django_db

LEAKY_MESSAGE = "connection to 10.1.2.3 failed for user seatdash password=hunter2"


def test_healthz_all_answering_returns_200_without_login(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "upstream": "unknown",
    }
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(("ok", "state"), [(True, "ok"), (False, "unreachable")])
def test_healthz_reports_upstream_state_recorded_by_service_layer(client, ok, state):
    health.record_upstream_state(ok)

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["upstream"] == state


def test_healthz_garbage_upstream_record_reads_unknown(client):
    from django.core.cache import cache

    cache.set(health.UPSTREAM_STATUS_KEY, {"state": "<script>"})

    assert client.get(reverse("healthz")).json()["upstream"] == "unknown"


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


def test_record_upstream_state_cache_down_does_not_raise(monkeypatch):
    def broken_set(*args, **kwargs):
        raise ConnectionError("redis is gone")

    monkeypatch.setattr(health.cache, "set", broken_set)

    health.record_upstream_state(True)


def test_healthz_post_refused(client):
    assert client.post(reverse("healthz")).status_code == 405
