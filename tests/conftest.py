"""Shared fixtures for the whole suite."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _refresh_inline(monkeypatch):
    """Background refreshes run inline (after the request has chosen the copy it serves), so
    tests are deterministic and see their own database transaction. `background_threads` undoes it."""
    from seatdash.services import cache as cache_service

    monkeypatch.setattr(cache_service, "run_in_background", lambda job, name: job())
    cache_service.FetchLock._local.clear()


@pytest.fixture
def background_threads(monkeypatch):
    """Refreshes in real threads, as in production; joined at the end of the test."""
    from seatdash.services import cache as cache_service

    monkeypatch.setattr(cache_service, "run_in_background", cache_service.run_in_thread)
    yield cache_service
    cache_service.wait_for_background_refreshes()


def ensure_roles():
    """The "viewer" and "exporter" groups, as migration 0002 makes them. A transactional test's
    flush empties every table; post_migrate brings the permission back, not the groups."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    content_type, _ = ContentType.objects.get_or_create(app_label="seatdash", model="exportaudit")
    export_csv, _ = Permission.objects.get_or_create(
        codename="export_csv",
        content_type=content_type,
        defaults={"name": "Can download CSV exports"},
    )
    viewer, _ = Group.objects.get_or_create(name="viewer")
    exporter, _ = Group.objects.get_or_create(name="exporter")
    exporter.permissions.add(export_csv)
    return viewer, exporter


@pytest.fixture
def user(django_user_model):
    """A CS person who may browse and download CSV (the "exporter" role)."""
    _viewer, exporter = ensure_roles()
    casey = django_user_model.objects.create_user(username="casey", password="a-long-test-password")
    casey.groups.add(exporter)
    return casey


@pytest.fixture
def viewer_client(client, django_user_model):
    """A CS person who may browse but not download (the "viewer" role)."""
    viewer, _exporter = ensure_roles()
    vic = django_user_model.objects.create_user(username="vic", password="a-long-test-password")
    vic.groups.add(viewer)
    client.force_login(vic)
    return client


@pytest.fixture
def logged_in_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def fake_sequence(monkeypatch):
    """Views and services talk to this fake instead of the sandbox."""
    from seatdash.services import balances, events
    from tests.fakes import EVENT_PAGE_PARAMETERS, FakeSequence

    # What the services ask Sequence today, and nothing more (no alias filter, no exclude_zero):
    # a service that starts asking something else must say so in its tests.
    fake = (
        FakeSequence()
        .expect("fetch_seat_balances", "budget", "on_page")
        .expect("list_seat_balances", "customer_ids")
        .expect("list_seat_events", *EVENT_PAGE_PARAMETERS)
        .expect("iter_seat_events", "customer_ids", "sort_order", "limit", "budget")
        .expect("get_seat_event")
    )
    monkeypatch.setattr(balances, "sequence_client", lambda: fake)
    monkeypatch.setattr(events, "sequence_client", lambda: fake)
    balances.forget_decoded_snapshots()
    return fake


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """Test on a SQLite file (WAL), as the demo runs, not on shared-cache memory.

    Shared-cache in-memory SQLite locks whole tables, so two requests the browser tests send at
    once (a page and its lazily loaded fragment, both saving the session) fail with "database
    table is locked" where the real demo database would simply wait its turn.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(
            tmp_path_factory.mktemp("db") / "test.sqlite3"
        )


@pytest.fixture(scope="module")
def fresh_postgres_url():
    """A new database on the machine's PostgreSQL for one test module, dropped afterwards."""
    import secrets

    import psycopg

    from tests.security.support import reachable

    if not reachable("127.0.0.1", 5432):
        pytest.skip("PostgreSQL is not listening on 127.0.0.1:5432")
    name = f"seatdash_test_{secrets.token_hex(4)}"
    admin_url = "postgresql://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
