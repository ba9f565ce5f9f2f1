"""Keyboard-only use with a visible focus ring, and the same filters and pages with JavaScript off."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from seatdash.services.balances import PAGE_SIZE
from tests.e2e.conftest import VIEWPORT
from tests.e2e.helpers import shown_ids, shown_names

pytestmark = pytest.mark.e2e

# What has focus, and whether it is drawn: a description and its computed outline style.
FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(),
    name: el.getAttribute("name") || "",
    type: el.getAttribute("type") || "",
    cls: el.className || "",
    text: (el.innerText || el.value || "").trim().slice(0, 60),
    href: el.getAttribute("href") || "",
    outline: style.outlineStyle,
    outlineWidth: style.outlineWidth,
  };
}"""


def _tab_until(page, wanted, limit=80):
    """Press Tab until `wanted(focused)` holds; every stop on the way must show a focus ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["outline"] != "none" and focused["outlineWidth"] != "0px", (
            f"no visible focus ring on {focused}"
        )
        if wanted(focused):
            return focused
    raise AssertionError(f"Tab never reached the element after {limit} presses")


def test_balances_keyboard_reaches_every_control_with_focus_ring_and_enter_sorts(signed_in):
    page = signed_in
    page.goto("/?q=acme")
    expect(page.locator("table.data tbody tr").first).to_be_visible()
    page.locator("body").focus()

    _tab_until(page, lambda f: f["name"] == "q")
    _tab_until(page, lambda f: f["name"] == "from")
    _tab_until(page, lambda f: f["name"] == "seat_type" and f["type"] == "checkbox")
    _tab_until(page, lambda f: f["tag"] == "button" and f["text"] == "Apply")
    _tab_until(page, lambda f: "balances.csv" in f["href"] and f["text"] == "Download CSV")
    _tab_until(page, lambda f: "sort-link" in f["cls"] and f["text"].startswith("Customer"))
    total = _tab_until(page, lambda f: "sort-link" in f["cls"] and f["text"].startswith("Total"))
    assert "sort=total" in total["href"]

    page.keyboard.press("Enter")

    total_header = page.locator("thead th", has_text="Total")
    expect(total_header).to_have_attribute("aria-sort", "ascending")
    expect(page).to_have_url(re.compile(r"sort=total"))
    # The swap replaced the table; keep going from its start to the rows.
    page.locator("thead th", has_text="Last change").get_by_role("link").focus()
    row_link = _tab_until(page, lambda f: f["href"].startswith("/customers/"))
    first_name = page.locator("tbody td.customer > a").first.inner_text()
    assert row_link["text"] == first_name

    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(first_name)


def test_balances_without_javascript_apply_and_pager_load_full_pages(
    browser, live_server, signed_in
):
    cookies = signed_in.context.cookies()
    context = browser.new_context(
        java_script_enabled=False, base_url=live_server.url, viewport=VIEWPORT
    )
    context.add_cookies(cookies)
    page = context.new_page()
    try:
        page.goto("/")
        expect(page.locator("table.data tbody tr")).to_have_count(PAGE_SIZE)

        page.get_by_label("Search").fill("halcyon")
        page.get_by_role("button", name="Apply").click()

        expect(page).to_have_url(re.compile(r"[?&]q=halcyon(&|$)"))
        names = shown_names(page)
        assert names and all("halcyon" in name.casefold() for name in names)
        expect(page.get_by_label("Search")).to_have_value("halcyon")

        page.goto("/")
        first = shown_ids(page)
        page.get_by_role("navigation", name="Pages").get_by_role("link", name="Next →").click()

        expect(page).to_have_url(re.compile(r"[?&]page=2(&|$)"))
        expect(page.get_by_role("navigation", name="Pages")).to_contain_text("Page 2 of")
        assert not set(shown_ids(page)) & set(first)

        page.locator("thead th", has_text="Total").get_by_role("link").click()

        expect(page).to_have_url(re.compile(r"sort=total"))
        expect(page.locator("thead th", has_text="Total")).to_have_attribute(
            "aria-sort", "ascending"
        )
    finally:
        context.close()
