"""The balances table in a browser: live search, filters, sorting, paging and the CSV download."""

from __future__ import annotations

import csv
import io
import math
import re
from datetime import UTC, datetime

import pytest
from django.db.models import Q
from playwright.sync_api import expect

from seatdash.sandbox.models import Customer, SeatBalance
from seatdash.services.balances import PAGE_SIZE
from tests.e2e.helpers import number, shown_ids, shown_names

pytestmark = pytest.mark.e2e

ROWS = "table.data tbody tr"


def _customers_matching(text: str) -> set[str]:
    return set(
        Customer.objects.filter(Q(legal_name__icontains=text) | Q(aliases__value__icontains=text))
        .values_list("id", flat=True)
        .distinct()
    )


def test_balances_search_typed_filters_without_page_load_and_back_restores(signed_in, live_server):
    page = signed_in
    page.goto("/events/")
    page.goto("/")
    expect(page.locator(ROWS)).to_have_count(PAGE_SIZE)
    expected = _customers_matching("halcyon")
    assert 0 < len(expected) < PAGE_SIZE

    page.evaluate("window.__marker = 1")
    page.get_by_label("Search").press_sequentially("halcyon")

    expect(page).to_have_url(re.compile(r"[?&]q=halcyon(&|$)"))
    expect(page.locator(ROWS)).to_have_count(len(expected))
    assert set(shown_ids(page)) == expected
    assert all("halcyon" in name.casefold() for name in shown_names(page))
    assert page.evaluate("window.__marker") == 1, "typing in the search box reloaded the page"

    # Typing replaced the URL rather than adding history: one Back leaves the page, Forward returns.
    page.go_back()
    expect(page).to_have_url(f"{live_server.url}/events/")
    page.go_forward()

    expect(page).to_have_url(re.compile(r"[?&]q=halcyon(&|$)"))
    expect(page.locator(ROWS)).to_have_count(len(expected))
    assert set(shown_ids(page)) == expected
    expect(page.get_by_label("Search")).to_have_value("halcyon")


def test_balances_seat_type_checkbox_keeps_customers_holding_that_type(signed_in):
    page = signed_in
    page.goto("/")
    holders = set(
        SeatBalance.objects.filter(seat_type="api", total__gt=0).values_list(
            "customer_id", flat=True
        )
    )
    assert 0 < len(holders) <= PAGE_SIZE

    page.get_by_role("checkbox", name="api").check()

    expect(page).to_have_url(re.compile(r"[?&]seat_type=api(&|$)"))
    expect(page.locator(ROWS)).to_have_count(len(holders))
    assert set(shown_ids(page)) == holders
    expect(page.locator("table.data thead th")).to_have_text(
        [re.compile(label) for label in ("Customer", "Customer ID", "api", "Total", "Last change")]
    )
    api_cells = page.locator("table.data tbody tr td.num:not(.total)").all_inner_texts()
    assert all(number(cell) > 0 for cell in api_cells)


def test_balances_date_range_keeps_customers_changed_inside_it(signed_in):
    page = signed_in
    page.goto("/")
    low, high = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC)
    changed = set(
        SeatBalance.objects.filter(change_timestamp__range=(low, high)).values_list(
            "customer_id", flat=True
        )
    )
    assert 0 < len(changed) <= PAGE_SIZE

    page.get_by_label("Last change between").fill("2026-03-01")
    page.get_by_label("and", exact=True).fill("2026-03-31")

    expect(page).to_have_url(re.compile(r"from=2026-03-01.*to=2026-03-31"))
    expect(page.locator(ROWS)).to_have_count(len(changed))
    assert set(shown_ids(page)) == changed
    expect(page.locator(".summary .count")).to_contain_text(f"{len(changed)} of 300 customers")


def test_balances_sort_by_total_header_orders_numbers_both_ways(signed_in):
    page = signed_in
    page.goto("/?q=acme")
    total_header = page.locator("thead th", has_text="Total")
    name_header = page.locator("thead th", has_text="Customer ID").locator(
        "xpath=preceding-sibling::th"
    )
    expect(name_header).to_have_attribute("aria-sort", "ascending")
    expect(total_header).not_to_have_attribute("aria-sort", re.compile(".*"))

    total_header.get_by_role("link").click()

    expect(total_header).to_have_attribute("aria-sort", "ascending")
    expect(page).to_have_url(re.compile(r"sort=total"))
    expect(name_header).not_to_have_attribute("aria-sort", re.compile(".*"))
    ascending = [number(t) for t in page.locator("tbody td.total").all_inner_texts()]
    assert ascending == sorted(ascending) and ascending[0] < ascending[-1]

    total_header.get_by_role("link").click()

    expect(total_header).to_have_attribute("aria-sort", "descending")
    expect(page).to_have_url(re.compile(r"sort=-total"))
    descending = [number(t) for t in page.locator("tbody td.total").all_inner_texts()]
    assert descending == sorted(ascending, reverse=True)


def test_balances_pager_next_and_previous_walk_pages(signed_in):
    page = signed_in
    page.goto("/")
    pages = math.ceil(Customer.objects.count() / PAGE_SIZE)
    assert pages > 2
    pager = page.get_by_role("navigation", name="Pages")
    expect(pager).to_contain_text(f"Page 1 of {pages}")
    first = shown_ids(page)

    pager.get_by_role("link", name="Next →").click()

    expect(pager).to_contain_text(f"Page 2 of {pages}")
    expect(page).to_have_url(re.compile(r"[?&]page=2(&|$)"))
    expect(page.locator(ROWS).first.locator("td.id")).not_to_have_text(first[0])
    second = shown_ids(page)
    assert len(second) == PAGE_SIZE and not set(first) & set(second)

    pager.get_by_role("link", name="← Previous").click()

    expect(pager).to_contain_text(f"Page 1 of {pages}")
    expect(page.locator(ROWS).first.locator("td.id")).to_have_text(first[0])
    assert shown_ids(page) == first


def test_balances_last_page_has_no_next_link(signed_in):
    page = signed_in
    pages = math.ceil(Customer.objects.count() / PAGE_SIZE)
    page.goto(f"/?page={pages}")
    pager = page.get_by_role("navigation", name="Pages")
    expect(pager).to_contain_text(f"Page {pages} of {pages}")
    expect(pager.get_by_role("link", name="Next →")).to_have_count(0)
    expect(page.locator(ROWS)).to_have_count(Customer.objects.count() - (pages - 1) * PAGE_SIZE)


def test_balances_csv_download_holds_exactly_the_filtered_rows(signed_in):
    page = signed_in
    page.goto("/")
    page.get_by_role("checkbox", name="guest").check()
    expect(page).to_have_url(re.compile(r"seat_type=guest"))
    pager = page.get_by_role("navigation", name="Pages")
    expect(pager).to_contain_text("Page 1 of")
    pages = int(re.search(r"of (\d+)", pager.locator(".page-of").inner_text()).group(1))
    assert pages >= 2, "pick a filter whose rows span pages, so the CSV is checked across them"
    table_ids = shown_ids(page)
    guest_total = number(page.locator("tfoot td.num").first.inner_text())
    for n in range(2, pages + 1):
        pager.get_by_role("link", name="Next →").click()
        expect(pager).to_contain_text(f"Page {n} of {pages}")
        table_ids += shown_ids(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8-sig"))))

    csv_ids = list(dict.fromkeys(row["customer_id"] for row in rows))
    assert csv_ids == table_ids
    assert {row["seat_type"] for row in rows} == {"guest"}
    assert sum(int(row["seats"]) for row in rows) == guest_total
