"""Upstream failure drill: the sandbox answers 503; cached pages go stale, cold pages offer Retry."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from seatdash.sandbox import faults
from seatdash.sandbox.models import Customer
from tests.e2e.helpers import axe_problems, shoot, shown_ids

pytestmark = pytest.mark.e2e

STALE = re.compile(r"Sequence is unreachable right now\.\s+Showing data from \d\d:\d\d UTC")


@pytest.fixture
def always_refetch(settings):
    # Every read past the fresh window goes upstream, so a failure shows at once, not in 120 s.
    settings.BALANCES_FRESH_SECONDS = 0
    settings.EVENTS_FRESH_SECONDS = 0


@pytest.fixture
def sandbox_down(transactional_db):
    yield lambda: faults.inject(error_rate=1.0, error_status=503)
    faults.clear()


def test_balances_sandbox_down_with_cached_copy_shows_stale_banner_and_rows(
    signed_in, always_refetch, sandbox_down
):
    page = signed_in
    page.goto("/?q=acme")
    rows = page.locator("table.data tbody tr")
    expect(rows.first).to_be_visible()
    before = shown_ids(page)
    expect(page.locator(".banner-warn")).to_have_count(0)

    sandbox_down()
    page.reload()

    banner = page.get_by_role("status").filter(has_text="unreachable")
    expect(banner).to_have_text(STALE)
    assert shown_ids(page) == before
    assert axe_problems(page) == []
    shoot(page, "stale-banner")


def test_balances_sandbox_down_without_copy_shows_error_then_retry_recovers(
    signed_in, sandbox_down
):
    page = signed_in
    sandbox_down()
    page.goto("/?q=acme")

    error = page.get_by_role("alert")
    expect(error).to_contain_text("Sequence is unreachable right now.")
    expect(page.locator("table.data")).to_have_count(0)
    retry = error.get_by_role("link", name="Retry")
    expect(retry).to_be_visible()
    assert axe_problems(page) == []
    shoot(page, "error-state")

    faults.clear()
    retry.click()

    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.locator("table.data tbody tr").first).to_be_visible()
    assert all(
        "acme" in name.casefold() for name in page.locator("td.customer > a").all_inner_texts()
    )


def test_customer_cold_while_sandbox_down_shows_error_and_retry_loads_it(
    signed_in, sandbox_down, live_server
):
    page = signed_in
    customer = Customer.objects.order_by("id").first()
    page.goto("/")  # the balances snapshot is cached; this customer's page is not
    expect(page.locator("table.data tbody tr").first).to_be_visible()

    sandbox_down()
    page.goto(f"/customers/{customer.id}/")

    error = page.get_by_role("alert")
    expect(error).to_contain_text("Sequence is unreachable right now.")
    expect(error).to_contain_text("There is no recent copy of this data to show")
    assert axe_problems(page) == []

    faults.clear()
    error.get_by_role("link", name="Retry").click()

    expect(page).to_have_url(f"{live_server.url}/customers/{customer.id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(customer.legal_name)
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.locator("table.data.events tbody tr").first).to_be_visible()
