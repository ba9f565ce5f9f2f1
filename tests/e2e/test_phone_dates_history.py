"""Phone width, ISO date fields and quick ranges, history and scroll, the console, and keyboard shortcuts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from seatdash.templatetags.date_ranges import quick_ranges
from tests.e2e.helpers import shoot

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
ROWS = "table.data tbody tr"
# Every CSP violation the page sees, recorded before any of its scripts run.
RECORD_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def phone(browser, live_server, signed_in):
    context = browser.new_context(
        viewport=PHONE,
        base_url=live_server.url,
        locale="en-GB",
        timezone_id="UTC",
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
    )
    context.add_cookies(signed_in.context.cookies())
    page = context.new_page()
    yield page
    context.close()


def _watch_console(page) -> list[str]:
    problems: list[str] = []
    page.add_init_script(RECORD_CSP)
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    return problems


def _hx_requests(page) -> list[str]:
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url) if r.headers.get("hx-request") else None)
    return urls


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways: {width}px wide"


def test_phone_balances_fit_the_screen_with_log_out_visible_and_table_scrolling_in_its_box(phone):
    page = phone
    page.goto("/")
    expect(page.locator(ROWS).first).to_be_visible()

    _no_sideways_scroll(page)
    logout = page.get_by_role("button", name="Log out").bounding_box()
    assert logout and logout["x"] >= 0 and logout["x"] + logout["width"] <= PHONE["width"]
    assert logout["y"] + logout["height"] <= PHONE["height"]
    # The filters are folded behind one toggle, and open on a tap.
    search = page.get_by_label("Search")
    expect(search).to_be_hidden()
    page.get_by_text("Filters", exact=True).click()
    expect(search).to_be_visible()
    _no_sideways_scroll(page)
    # The table is wider than the screen and scrolls inside its box, the customer column staying put.
    box = page.locator(".table-wrap")
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")
    first_cell = page.locator(f"{ROWS} td.customer").first
    before = first_cell.bounding_box()["x"]
    box.evaluate("b => { b.scrollLeft = 200; }")
    page.wait_for_timeout(100)
    assert abs(first_cell.bounding_box()["x"] - before) < 1
    _no_sideways_scroll(page)
    page.get_by_text("Filters", exact=True).click()
    box.evaluate("b => { b.scrollLeft = 0; }")
    shoot(page, "phone")


def test_phone_customer_and_events_pages_do_not_scroll_sideways(phone):
    page = phone
    page.goto("/")
    page.locator(f"{ROWS} td.customer a").first.click()
    expect(page.get_by_role("heading", name="Seat events")).to_be_visible()
    _no_sideways_scroll(page)
    page.goto("/events/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Seat events")
    _no_sideways_scroll(page)


def test_balances_console_stays_clean_while_typing_and_filtering(signed_in):
    page = signed_in
    problems = _watch_console(page)
    page.goto("/")
    expect(page.locator(ROWS).first).to_be_visible()

    page.get_by_label("Search").press_sequentially("acme", delay=30)
    expect(page).to_have_url(re.compile(r"[?&]q=acme"))
    page.get_by_role("checkbox", name="Only customers with seats").check()
    expect(page).to_have_url(re.compile(r"nonzero=1"))
    page.locator("input[name=from]").fill("2025-01-01")
    expect(page).to_have_url(re.compile(r"from=2025-01-01"))
    page.locator("thead th", has_text="Total").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"sort=total"))
    page.locator("input[name=to]").fill("2024-01-01")  # before "from": a message, not an error
    expect(page.locator("#error-to")).not_to_be_empty()
    page.get_by_role("link", name="Last 90 days").click()
    expect(page).to_have_url(re.compile(r"to=\d{4}-\d{2}-\d{2}"))
    page.wait_for_timeout(300)

    assert page.evaluate("window.__csp") == []
    assert problems == [], problems


def test_every_page_and_its_swaps_keep_the_console_clean(signed_in):
    page = signed_in
    problems = _watch_console(page)
    page.goto("/")
    page.locator(f"{ROWS} td.customer a").first.click()
    expect(page.get_by_role("heading", name="Seat events")).to_be_visible()
    page.get_by_label("Seat type").select_option(index=1)
    expect(page).to_have_url(re.compile(r"seat_type="))
    page.get_by_role("link", name="Last quarter").click()
    expect(page).to_have_url(re.compile(r"to=\d{4}-\d{2}-\d{2}"))
    page.goto("/events/")
    page.locator("input[name=from]").fill("2026-01-01")
    expect(page).to_have_url(re.compile(r"from=2026-01-01"))
    page.locator("table.data tbody a[href^='/events/']").first.click()
    expect(page).to_have_url(re.compile(r"/events/[^/?]+/$"))
    page.goto("/metronome/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.wait_for_timeout(300)

    assert page.evaluate("window.__csp") == []
    assert problems == [], problems


def test_back_from_a_customer_restores_the_scroll_inside_the_table(signed_in):
    page = signed_in
    page.goto("/?sort=-total")
    expect(page.locator(ROWS).first).to_be_visible()
    box = page.locator(".table-wrap")
    row = page.locator(ROWS).nth(20)
    scrolled = box.evaluate(
        "(b, top) => { b.scrollTop = top; return b.scrollTop; }",
        row.evaluate("r => r.offsetTop - 40"),
    )
    assert scrolled > 200
    page.wait_for_timeout(300)
    name = row.locator("td.customer a").inner_text()

    row.locator("td.customer a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    page.go_back()

    expect(page).to_have_url(re.compile(r"\?sort=-total$"))
    expect(page.locator(ROWS).first).to_be_visible()
    page.wait_for_function(
        "want => Math.abs(document.querySelector('.table-wrap').scrollTop - want) <= 2",
        arg=scrolled,
    )


def test_typing_a_date_sends_no_request_until_it_is_whole(signed_in):
    page = signed_in
    page.goto("/")
    expect(page.locator(ROWS).first).to_be_visible()
    requests = _hx_requests(page)
    field = page.locator("input[name=from]")

    field.press_sequentially("2026-03", delay=40)
    page.wait_for_timeout(900)  # twice the typing debounce
    assert requests == []

    field.press_sequentially("-01", delay=40)
    expect(page).to_have_url(re.compile(r"from=2026-03-01"))
    assert requests and all("from=2026-03-01" in url for url in requests)


def test_an_invalid_date_stays_as_typed_with_its_message_beside_it(signed_in):
    page = signed_in
    page.goto("/")
    field = page.locator("input[name=from]")
    field.fill("31/12/2025")
    field.press("Tab")  # leaving the field lets the server judge it

    expect(page.locator("#error-from")).to_contain_text("2026-03-31")
    expect(field).to_have_value("31/12/2025")

    page.goto("/?from=31/12/2025")
    expect(page.locator("input[name=from]")).to_have_value("31/12/2025")
    expect(page.locator("#error-from")).to_contain_text("Use a date like")


def test_the_calendar_writes_an_iso_date_into_the_text_field(signed_in):
    page = signed_in
    page.goto("/")
    field = page.locator("input[name=from]")
    expect(field).to_have_attribute("type", "text")
    expect(field).to_have_attribute("placeholder", "YYYY-MM-DD")
    # One calendar per date field: from, to and "Balances as of".
    expect(page.get_by_role("button", name=re.compile("Pick date: "))).to_have_count(3)

    page.locator("input[name=from] ~ .date-native").evaluate(
        "n => { n.value = '2026-03-05'; n.dispatchEvent(new Event('change', {bubbles: true})); }"
    )

    expect(field).to_have_value("2026-03-05")
    expect(page).to_have_url(re.compile(r"from=2026-03-05"))
    page.locator("input[name=to]").fill("2026-03-31")
    expect(page).to_have_url(re.compile(r"from=2026-03-05.*to=2026-03-31"))
    expect(page.locator(ROWS).first).to_be_visible()
    shoot(page, "balances-dates")


def test_quick_range_pushes_the_url_and_typing_replaces_it(signed_in):
    page = signed_in
    page.goto("/")
    expect(page.locator(ROWS).first).to_be_visible()
    entries = page.evaluate("history.length")

    page.get_by_label("Search").press_sequentially("ac", delay=30)
    expect(page).to_have_url(re.compile(r"[?&]q=ac(&|$)"))
    page.get_by_label("Search").press_sequentially("me", delay=600)  # one request per pause
    expect(page).to_have_url(re.compile(r"[?&]q=acme(&|$)"))
    assert page.evaluate("history.length") == entries, "typing added history entries"

    page.get_by_role("link", name="Last 30 days").click()

    last_30 = next(r for r in quick_ranges(timezone.now().date()) if r.label == "Last 30 days")
    assert last_30.end - last_30.start == timedelta(days=29)
    expect(page).to_have_url(
        re.compile(rf"q=acme.*from={last_30.start}&to={last_30.end}|from={last_30.start}.*q=acme")
    )
    expect(page.locator("input[name=from]")).to_have_value(str(last_30.start))
    expect(page.locator("input[name=to]")).to_have_value(str(last_30.end))
    assert page.evaluate("history.length") == entries + 1

    page.go_back()
    expect(page).to_have_url(re.compile(r"[?&]q=acme(&|$)"))


def test_slash_focuses_search_and_sorting_keeps_focus_on_the_header(signed_in):
    page = signed_in
    page.goto("/")
    expect(page.locator(ROWS).first).to_be_visible()
    page.locator("body").click(position={"x": 5, "y": 300})

    page.keyboard.press("/")

    expect(page.get_by_label("Search")).to_be_focused()
    expect(page.get_by_label("Search")).to_have_value("")
    page.keyboard.type("a/b")  # once in a field, "/" is just a character
    expect(page.get_by_label("Search")).to_have_value("a/b")

    page.goto("/")
    total = page.locator("thead th", has_text="Total").get_by_role("link")
    total.focus()
    page.keyboard.press("Enter")

    expect(page.locator("thead th", has_text="Total")).to_have_attribute("aria-sort", "ascending")
    expect(page.locator("thead th", has_text="Total").get_by_role("link")).to_be_focused()
