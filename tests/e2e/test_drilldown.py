"""Drill-down in a browser: customer, its events page by page, one event, and Back to the list."""

from __future__ import annotations

import re

import pytest
from django.db.models import Count
from playwright.sync_api import expect

from seatdash.sandbox.models import Customer, SeatEvent
from tests.e2e.helpers import shown_ids

pytestmark = pytest.mark.e2e

EVENTS_PER_PAGE = 25


def _busiest_customer() -> Customer:
    """The customer with the most seat events: more than one page of them."""
    return Customer.objects.annotate(n=Count("events")).order_by("-n", "id").first()


def test_customer_events_pager_older_and_newer_walk_the_history(signed_in):
    page = signed_in
    customer = _busiest_customer()
    total = SeatEvent.objects.filter(customer=customer).count()
    assert total > EVENTS_PER_PAGE
    page.goto(f"/customers/{customer.id}/")
    events = page.locator("table.data.events tbody tr")
    pager = page.get_by_role("navigation", name="Event pages")
    expect(page.get_by_role("heading", level=1)).to_have_text(customer.legal_name)
    expect(page.locator("#events .count")).to_have_text(f"{total} events, newest received first")
    expect(events).to_have_count(EVENTS_PER_PAGE)
    newest = events.first.locator("td.when").inner_text()

    pager.get_by_role("link", name="Older →").click()

    expect(page).to_have_url(re.compile(r"[?&]after="))
    expect(events).to_have_count(total - EVENTS_PER_PAGE)
    expect(pager.get_by_role("link", name="Older →")).to_have_count(0)
    older = events.first.locator("td.when").inner_text()
    assert older <= newest  # one timestamp format, so text order is time order

    pager.get_by_role("link", name="← Newer").click()

    expect(page).to_have_url(re.compile(r"[?&]before="))
    expect(events).to_have_count(EVENTS_PER_PAGE)
    expect(events.first.locator("td.when")).to_have_text(newest)


def test_drilldown_customer_then_event_then_back_twice_restores_filtered_list(
    signed_in, live_server
):
    page = signed_in
    customer = _busiest_customer()
    needle = customer.legal_name.split()[0].lower()
    page.goto("/")
    page.get_by_label("Search").fill(needle)
    expect(page).to_have_url(re.compile(rf"[?&]q={re.escape(needle)}"))
    expect(page.locator("table.data tbody tr", has_text=customer.id)).to_have_count(1)
    list_url, list_ids = page.url, shown_ids(page)

    page.locator("table.data tbody tr", has_text=customer.id).get_by_role("link").click()

    expect(page).to_have_url(f"{live_server.url}/customers/{customer.id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(customer.legal_name)
    first_event = page.locator("table.data.events tbody tr").first
    event_time = first_event.locator("td.when").inner_text()
    event_id = first_event.locator("td.when a").get_attribute("href").strip("/").split("/")[-1]

    first_event.locator("td.when a").click()

    expect(page).to_have_url(f"{live_server.url}/events/{event_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Seat event")
    expect(page.locator("dl.fields")).to_contain_text(event_id)
    expect(page.locator("dl.fields")).to_contain_text(event_time)
    expect(page.locator(".crumbs")).to_contain_text(customer.legal_name)

    page.go_back()
    expect(page).to_have_url(f"{live_server.url}/customers/{customer.id}/")
    page.go_back()

    expect(page).to_have_url(list_url)
    expect(page.locator("table.data tbody tr")).to_have_count(len(list_ids))
    assert shown_ids(page) == list_ids
    expect(page.get_by_label("Search")).to_have_value(needle)
