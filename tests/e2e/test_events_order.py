"""`/events/` in a browser, from the synced seat history: choosing event-time order re-sorts it."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from seatdash.history.sync import sync_once

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo(transactional_db):
    call_command("sandbox_seed", "--customers", "200", verbosity=0)
    assert sync_once().status == "ok"


def test_events_choose_event_time_order(signed_in):
    page = signed_in
    page.goto("/events/")
    expect(page.locator("#events .freshness")).to_contain_text("from seat history synced")
    rows = page.locator("table.events tbody tr")
    expect(rows.first).to_be_visible()
    expect(page.locator("#events .count")).to_contain_text("newest received first")
    received = rows.locator("td.when").all_inner_texts()

    page.locator("#id_order").select_option("event_time")
    expect(page).to_have_url(re.compile(r"order=event_time"))
    expect(page.locator("#events .count")).to_contain_text("newest event time first")
    by_time = rows.locator("td.when").all_inner_texts()
    assert by_time == sorted(by_time, reverse=True)  # "YYYY-MM-DD HH:MM UTC" sorts as text
    assert by_time != received
    # Change and Flags columns, as on the customer page.
    expect(page.locator("table.events thead")).to_contain_text("Change")
    expect(page.locator("table.events thead")).to_contain_text("Flags")
