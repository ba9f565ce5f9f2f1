"""Browser fixtures: Debian's Chromium, a live server on the test database, seeded demo data, a login."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

# pytest-playwright's sync API runs an asyncio event loop in the test thread, so Django's ORM (used
# here to seed data, log in and inject faults) thinks it is inside async code and refuses with
# SynchronousOnlyOperation. No coroutine ever touches the database in these tests: it is safe, and
# it is set for the test process only.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}
# The demo data `./dev run` loads (300 customers, seed 42), anchored so every run sees the same rows.
DEMO_ANCHOR = "2026-06-01"
PASSWORD = "a-long-e2e-password"


@pytest.fixture(scope="session", autouse=True)
def _require_chromium():
    if Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK):
        return
    message = (
        f"{CHROMIUM} is missing: install Debian's chromium (./dev test does) to run browser tests"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright's own browser download does not work here: drive the system Chromium.
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": VIEWPORT, "locale": "en-GB", "timezone_id": "UTC"}


@pytest.fixture
def demo(transactional_db):
    """The sandbox's default demo data, fixed in time."""
    call_command("sandbox_seed", "--customers", "300", "--anchor", DEMO_ANCHOR, verbosity=0)


@pytest.fixture
def metronome_demo(transactional_db):
    call_command("sandbox_metronome_seed", verbosity=0)


@pytest.fixture
def user(django_user_model, transactional_db):
    """A CS person with the "exporter" role (browse and download CSV).

    transactional_db flushes tables between tests, groups from the roles migration included (the
    permission itself is recreated after a flush), so the role is set up here again.
    """
    from django.contrib.auth.models import Group, Permission

    exporter, _ = Group.objects.get_or_create(name="exporter")
    exporter.permissions.add(
        Permission.objects.get(codename="export_csv", content_type__app_label="seatdash")
    )
    casey = django_user_model.objects.create_user(username="casey", password=PASSWORD)
    casey.groups.add(exporter)
    return casey


@pytest.fixture(scope="session")
def base_url(live_server):
    # pytest-base-url's fixture of the same name makes page.goto("/...") relative to the server.
    return live_server.url


@pytest.fixture
def signed_in(page, live_server, user, demo):
    """A page whose browser holds a session of `user`, on demo data."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page
