"""The dashboard against the sandbox through the real client: the path a newcomer's demo takes."""

from __future__ import annotations

import math

import pytest
from django.core.management import call_command
from django.urls import reverse

from seatdash.sandbox.models import Customer, SeatEvent, request_count
from seatdash.services import balances

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("sandbox_seed", "--customers", "80", "--anchor", "2026-06-01", verbosity=0)
    balances.forget_decoded_snapshots()


def test_balances_page_shows_every_sandbox_customer_and_stored_totals(logged_in_client, demo):
    response = logged_in_client.get(reverse("balances"), {"sort": "-total"})
    listing = response.context["listing"]
    assert listing.customer_count == Customer.objects.count()
    top = Customer.objects.get(id=listing.rows[0].id)
    assert listing.rows[0].total == sum(top.balances.values_list("total", flat=True))
    assert listing.rows[0].total >= listing.rows[1].total


def test_search_then_customer_then_event_on_sandbox(logged_in_client, demo):
    customer = Customer.objects.filter(events__isnull=False).first()
    alias = customer.aliases.first().value
    found = logged_in_client.get(reverse("balances"), {"q": alias})
    assert customer.id in [row.id for row in found.context["listing"].rows]

    page = logged_in_client.get(reverse("customer", args=[customer.id]), {"order": "asc"})
    rows = page.context["events"].value.rows
    expected = list(
        SeatEvent.objects.filter(customer=customer).order_by("seq").values_list("id", flat=True)
    )
    assert [row.event.id for row in rows] == expected[:25]

    event = logged_in_client.get(reverse("event", args=[rows[0].event.id]))
    assert event.status_code == 200
    assert reverse("customer", args=[customer.id]) in event.content.decode()


def test_cold_customer_page_upstream_calls_are_bounded_and_warm_is_free(logged_in_client, demo):
    customer = Customer.objects.filter(events__isnull=False).first()
    events = SeatEvent.objects.filter(customer=customer).count()
    url = reverse("customer", args=[customer.id])
    before = request_count()
    logged_in_client.get(url)
    cold = request_count() - before
    assert cold <= 1 + 1 + math.ceil(events / 100)  # balances, one page, the history
    before = request_count()
    logged_in_client.get(url)
    assert request_count() == before


def test_sandbox_failure_shows_stale_copy_then_recovers(logged_in_client, demo, settings):
    from seatdash.sandbox import faults

    settings.BALANCES_FRESH_SECONDS = 0
    logged_in_client.get(reverse("balances"))
    with faults.injected(error_rate=1.0, error_status=503):
        html = logged_in_client.get(reverse("balances")).content.decode()
    assert "Sequence is unreachable right now." in html
    assert "Showing data from" in html
    recovered = logged_in_client.get(reverse("balances"), {"refresh": "1"}, HTTP_HX_REQUEST="true")
    assert "unreachable" not in recovered.content.decode()
