"""Seat credits in the browser: a contract's seats, one seat's commits and credits, one ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import axe_problems, shoot

pytestmark = pytest.mark.e2e


def amount(text: str) -> Decimal:
    # Amounts are shown in their unit: "$1,234.50", "+500", negatives with a typographic minus.
    return Decimal(
        text.replace(",", "").replace("$", "").replace("\u2212", "-").replace("+", "").strip()
    )


def test_metronome_seat_expands_to_commits_and_ledger_with_running_balance(
    signed_in, metronome_demo
):
    page = signed_in
    page.set_viewport_size({"width": 1400, "height": 1100})
    page.goto("/metronome/?q=Acme")
    page.locator("table.data tbody a").first.click()
    page.get_by_role("link", name="Seat balances", exact=True).first.click()
    seats = page.locator("table.data.seats tbody tr:not(.detail-row)")
    expect(seats.first).to_be_visible()
    shoot(page, "metronome-seat-balances")
    page.evaluate("window.__marker = 1")

    seats.first.locator("td.expand a").click()
    grants = page.locator(".seat-detail table.nested tbody tr:not(.detail-row)")
    expect(grants.first).to_be_visible()
    balance_cell = grants.first.locator("td.num").first
    grant_balance = amount(balance_cell.inner_text())

    grants.first.locator("td.expand a").click()
    ledger = page.locator(".ledger-table tbody tr")
    expect(ledger.first).to_be_visible()
    assert page.evaluate("window.__marker") == 1, "expanding reloaded the page"

    running = Decimal(0)
    for row in ledger.all():
        change, after = row.locator("td.num").all_inner_texts()
        running += amount(change)
        assert amount(after) == running  # each line shows the balance after it
    assert running == grant_balance  # and the last one is the commit's or credit's balance

    assert axe_problems(page) == []
    page.locator(".seat-detail").first.scroll_into_view_if_needed()
    shoot(page, "metronome-ledger")


def test_metronome_expansions_collapse_on_second_click_or_escape_and_return_focus(
    signed_in, metronome_demo
):
    page = signed_in
    page.goto("/metronome/?q=Acme")
    page.locator("table.data tbody a").first.click()
    page.get_by_role("link", name="Seat balances", exact=True).first.click()
    # The seat rows' own controls, not the ledger controls inside an open seat.
    controls = page.locator("table.data.seats > tbody > tr:not(.detail-row) > td.expand > a")
    expect(controls.nth(1)).to_be_visible()
    first, second = controls.nth(0), controls.nth(1)
    panels = page.locator("table.data.seats > tbody > tr.detail-row > td > .seat-detail")

    first.click()
    expect(first).to_have_attribute("aria-expanded", "true")
    expect(panels).to_have_count(1)
    second.click()
    expect(second).to_have_attribute("aria-expanded", "true")
    expect(panels).to_have_count(2)  # several open at once

    first.click()  # a second click closes it, and only it
    expect(first).to_have_attribute("aria-expanded", "false")
    expect(panels).to_have_count(1)
    expect(first).to_be_focused()

    ledger_control = page.locator(".seat-detail a[data-expand]").first
    ledger_control.click()
    expect(page.locator(".ledger-table")).to_be_visible()
    page.locator(".ledger-table").click()
    page.keyboard.press("Escape")  # the innermost open one closes first
    expect(page.locator(".ledger-table")).to_have_count(0)
    expect(ledger_control).to_be_focused()
    page.keyboard.press("Escape")
    expect(panels).to_have_count(0)
    expect(second).to_be_focused()
