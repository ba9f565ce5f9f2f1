"""Time pages in a browser: movers quick ranges, the as-of round trip, a customer's seat chart."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count
from playwright.sync_api import expect

from seatdash.history import queries
from seatdash.history.sync import sync_once
from seatdash.sandbox.models import Customer
from seatdash.web.forms import parse_instant
from tests.e2e.helpers import number, shoot

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo(transactional_db):
    """Demo data ending today (so the quick ranges hold changes), synced into the seat history."""
    call_command("sandbox_seed", "--customers", "300", verbosity=0)
    assert sync_once().status == "ok"


def last_quarter(today: date) -> tuple[date, date]:
    start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = start - timedelta(days=1)
    return date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end


def test_movers_quick_range_then_biggest_growth(signed_in):
    page = signed_in
    page.goto("/movers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Seat movers")
    page.get_by_role("navigation", name="Quick ranges").get_by_role(
        "link", name="Last quarter"
    ).click()
    low, high = last_quarter(datetime.now(UTC).date())
    expect(page).to_have_url(re.compile(rf"from={low}&to={high}"))
    expect(page.locator("#id_from")).to_have_value(low.isoformat())
    rows = page.locator("table.movers tbody tr")
    expect(rows.first).to_be_visible()
    changes = [number(t) for t in rows.locator("td:nth-child(4)").all_inner_texts()]
    assert [abs(c) for c in changes] == sorted((abs(c) for c in changes), reverse=True)
    expect(page.locator("svg.chart g.series").first).to_be_attached()

    page.get_by_role("link", name="Biggest growth first").click()
    expect(page).to_have_url(re.compile(r"sort=-change"))
    changes = [number(t) for t in rows.locator("td:nth-child(4)").all_inner_texts()]
    assert changes == sorted(changes, reverse=True) and changes[0] > 0
    page.locator("details.chart-data summary").click()
    shoot(page, "movers")


def test_balances_as_of_round_trip_back_to_today(signed_in):
    page = signed_in
    page.goto("/?sort=-total")
    day = (datetime.now(UTC).date() - timedelta(days=120)).isoformat()
    page.get_by_label("Balances as of").fill(day)
    page.get_by_label("Balances as of").press("Enter")
    banner = page.locator(".as-of-banner")
    expect(banner).to_contain_text(f"Balances as of {day} (end of day UTC)")
    expect(page).to_have_url(re.compile(rf"as_of={day}"))
    expect(page).to_have_url(re.compile(r"sort=-total"))

    banner.get_by_role("link", name="Back to today").click()
    expect(page).not_to_have_url(re.compile(r"as_of="))
    expect(page).to_have_url(re.compile(r"sort=-total"))
    expect(page.locator(".as-of-banner")).to_have_count(0)
    expect(page.locator("table.data tbody tr").first).to_be_visible()


def test_customer_seat_chart_rendered(signed_in):
    page = signed_in
    customer = Customer.objects.annotate(n=Count("events")).order_by("-n", "id").first()
    seat_types = customer.events.values("seat_type").distinct().count()
    page.goto(f"/customers/{customer.id}/")
    chart = page.locator("section.seat-history svg.chart")
    expect(chart).to_be_visible()
    expect(chart.locator("g.series")).to_have_count(seat_types)
    page.locator("section.seat-history").scroll_into_view_if_needed()
    shoot(page, "customer-chart")


def test_balances_changed_between_then_biggest_30_day_growth(signed_in):
    page = signed_in
    page.goto("/")
    expect(page.get_by_label("Changed between")).to_be_visible()
    expect(page.get_by_text("Seat history is not synced yet")).to_have_count(0)
    low, high = last_quarter(datetime.now(UTC).date())
    page.get_by_label("Changed between").fill(low.isoformat())
    page.get_by_label("and", exact=True).fill(high.isoformat())
    expect(page).to_have_url(re.compile(rf"from={low}.*to={high}"))
    rows = page.locator("table.data tbody tr")
    expect(rows.first).to_be_visible()

    page.get_by_role("link", name="30-day change").click()
    expect(page).to_have_url(re.compile(r"sort=-change30"))
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("30-day change")
    changes = [number(t) for t in rows.locator("td:last-child").all_inner_texts()]
    assert changes == sorted(changes, reverse=True)


def test_customer_as_of_box_answers_the_seats_held_that_day(signed_in):
    page = signed_in
    customer = Customer.objects.annotate(n=Count("events")).order_by("-n", "id").first()
    moments = sorted(customer.events.values_list("event_timestamp", flat=True))
    first, last = moments[0], moments[-1]
    day = (first + (last - first) / 2).date()
    held = queries.balances_as_of(parse_instant(day.isoformat(), end_of_day=True))
    seats = held.get(customer.id, {})
    expected = sum(total.total for total in seats.values())
    assert expected > 0  # a day in the middle of its history: something to answer

    page.goto(f"/customers/{customer.id}/")
    box = page.get_by_label("Seats as of")
    box.fill(day.isoformat())
    box.press("Enter")
    expect(page).to_have_url(re.compile(rf"as_of={day}"))
    answer = page.locator(".as-of-answer")
    expect(answer).to_contain_text(f"As of {day}")
    expect(answer.locator("strong")).to_have_text(f"{expected:,}")
    for seat_type, total in seats.items():
        expect(answer).to_contain_text(f"{seat_type} {total.total:,}")
    expect(page.locator("section.seat-history svg.chart")).to_be_visible()  # the chart stays

    answer.get_by_role("link", name="clear").click()
    expect(page).not_to_have_url(re.compile(r"as_of="))
    expect(page.locator(".as-of-answer")).to_have_count(0)
