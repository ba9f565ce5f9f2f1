"""Every page through axe-core (no serious or critical violations), saving the README screenshots."""

from __future__ import annotations

import re

import pytest
from django.db.models import Count
from playwright.sync_api import expect

from seatdash.sandbox.models import Customer, SeatEvent
from tests.e2e.helpers import axe_problems, shoot

pytestmark = pytest.mark.e2e

LONG_NAME = "Internationale Vereinigung für Qualitätssicherung in der Softwareentwicklung e.V."


def test_login_page_has_no_serious_axe_violations(page, demo):
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Log in to seatdash")).to_be_visible()

    assert axe_problems(page) == []
    shoot(page, "login")


def test_balances_page_has_no_serious_axe_violations(signed_in):
    page = signed_in
    page.goto("/")
    expect(page.locator("table.data tbody tr")).to_have_count(50)

    assert axe_problems(page) == []
    shoot(page, "balances")


def test_balances_filtered_page_with_field_error_has_no_serious_axe_violations(signed_in):
    page = signed_in
    page.goto("/")
    page.get_by_label("Search").fill("ü")
    expect(page).to_have_url(re.compile(r"q=%C3%BC"))
    expect(page.locator("table.data tbody tr", has_text=LONG_NAME)).to_have_count(1)
    assert axe_problems(page) == []
    shoot(page, "balances-filtered")

    page.get_by_label("Last change between").fill("last tuesday")
    page.get_by_label("Last change between").press(
        "Tab"
    )  # a date that is not whole is judged on leaving

    expect(page.locator("#error-from")).to_contain_text("Use a date like 2026-03-31")
    expect(page.get_by_label("Last change between")).to_have_value("last tuesday")
    assert axe_problems(page) == []


def test_customer_page_with_long_name_has_no_serious_axe_violations(signed_in, metronome_demo):
    page = signed_in
    customer = Customer.objects.get(legal_name=LONG_NAME)
    page.goto(f"/customers/{customer.id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(LONG_NAME)
    expect(page.locator("table.data.events tbody tr").first).to_be_visible()
    expect(page.locator("#seat-credits .htmx-indicator")).to_have_count(0)

    assert axe_problems(page) == []
    shoot(page, "customer")


def test_event_page_has_no_serious_axe_violations(signed_in):
    page = signed_in
    # An event sent again with the same customer event ID: the page lists the other one.
    repeated = (
        SeatEvent.objects.values("customer_event_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("customer_event_id")
        .first()
    )
    event = SeatEvent.objects.filter(customer_event_id=repeated["customer_event_id"]).first()
    others = SeatEvent.objects.filter(customer_event_id=event.customer_event_id).exclude(
        id=event.id
    )
    page.goto(f"/events/{event.id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Seat event")
    expect(page.locator("table.data tbody td.mono")).to_have_text(
        [other.id for other in others.order_by("event_timestamp", "seq")]
    )

    assert axe_problems(page) == []
    shoot(page, "event")


def test_events_page_has_no_serious_axe_violations(signed_in):
    page = signed_in
    page.goto("/events/")
    expect(page.locator("table.data.events tbody tr")).to_have_count(25)

    assert axe_problems(page) == []
    shoot(page, "events")


def test_metronome_seat_balances_page_has_no_serious_axe_violations(signed_in, metronome_demo):
    page = signed_in
    page.goto("/metronome/?q=Acme")
    page.locator("table.data tbody a").first.click()
    page.get_by_role("link", name="Seat balances", exact=True).first.click()
    expect(page.locator("table.data.seats tbody tr").first).to_be_visible()

    assert axe_problems(page) == []
