"""The top navigation marks the section the page belongs to, decided by the context processor."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from seatdash.context_processors import nav_section
from seatdash.sandbox.models import Customer, SeatEvent
from seatdash.services import balances

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav class="topnav" aria-label="Main">(.*?)</nav>', re.S)
LINK = re.compile(r"<a [^>]*>[^<]*</a>")


@pytest.fixture
def demo(db):
    call_command("sandbox_seed", "--customers", "5", "--anchor", "2026-06-01", verbosity=0)
    balances.forget_decoded_snapshots()


def current_nav_items(response) -> list[str]:
    assert response.status_code == 200
    nav = NAV.search(response.content.decode())
    assert nav, "the page has no main navigation"
    links = LINK.findall(nav.group(1))
    assert len(links) == 5  # Balances, Movers, Events, History, Seat credits
    return [re.sub(r"<[^>]+>", "", link) for link in links if 'aria-current="page"' in link]


@override_settings(METRONOME_ENABLED=True)
def test_each_page_marks_its_own_nav_item_and_no_other(logged_in_client, demo):
    customer = Customer.objects.first()
    event = SeatEvent.objects.first()
    assert customer is not None and event is not None
    pages = {
        reverse("balances"): "Balances",
        reverse("customer", args=[customer.id]): "Balances",
        reverse("events"): "Events",
        reverse("event", args=[event.id]): "Events",
        reverse("movers"): "Movers",
        reverse("history"): "History",
        reverse("metronome_customers"): "Seat credits",
    }
    for url, item in pages.items():
        assert current_nav_items(logged_in_client.get(url)) == [item], url


def test_nav_section_of_url_names():
    assert nav_section("balances") == "balances"
    assert nav_section("customer") == "balances"
    assert nav_section("event") == "events"
    assert nav_section("history_sync_now") == "history"
    assert nav_section("metronome_seat_credits") == "metronome"
    assert nav_section("login") is None
    assert nav_section(None) is None
