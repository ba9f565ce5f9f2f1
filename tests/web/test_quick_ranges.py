"""Quick date ranges: the dates they stand for, and the plain links (JavaScript off) the pages build."""

from __future__ import annotations

import html
import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse

from seatdash.templatetags.date_ranges import quick_ranges
from tests.fakes import at, customer

pytestmark = pytest.mark.django_db

QUICK_LINK = re.compile(
    r'<a class="quick-range" href="([^"]+)"[^>]*?(aria-current="true")?>([^<]+)</a>'
)


def _ranges(today: date) -> dict[str, tuple[str, str]]:
    return {r.label: (r.start.isoformat(), r.end.isoformat()) for r in quick_ranges(today)}


def test_quick_ranges_mid_quarter_are_inclusive_day_counts_and_calendar_quarters():
    assert _ranges(date(2026, 5, 15)) == {
        "Last 7 days": ("2026-05-09", "2026-05-15"),
        "Last 30 days": ("2026-04-16", "2026-05-15"),
        "Last 90 days": ("2026-02-15", "2026-05-15"),
        "This quarter": ("2026-04-01", "2026-05-15"),
        "Last quarter": ("2026-01-01", "2026-03-31"),
    }


def test_quick_ranges_in_january_reach_back_into_last_year():
    ranges = _ranges(date(2026, 1, 1))
    assert ranges["This quarter"] == ("2026-01-01", "2026-01-01")
    assert ranges["Last quarter"] == ("2025-10-01", "2025-12-31")
    assert ranges["Last 7 days"] == ("2025-12-26", "2026-01-01")


def test_quick_ranges_last_quarter_ends_on_the_last_day_of_its_month():
    assert _ranges(date(2026, 12, 31))["Last quarter"] == ("2026-07-01", "2026-09-30")
    assert _ranges(date(2026, 7, 1))["Last quarter"] == ("2026-04-01", "2026-06-30")


def _links(response) -> dict[str, tuple[dict[str, list[str]], bool]]:
    found = QUICK_LINK.findall(response.content.decode())
    links = {}
    for href, current, label in found:
        url = urlsplit(html.unescape(href))
        links[label] = (url.path, parse_qs(url.query), bool(current))
    return links


@pytest.fixture
def customers(fake_sequence):
    fake_sequence.customers = [
        customer("c-1", "Acme Corp", {"admin": 3}, aliases=("acme",), changed=at(10)),
    ]
    return fake_sequence


@time_machine.travel("2026-05-15 23:30:00+00:00", tick=False)
def test_balances_quick_range_links_keep_other_filters_and_start_at_page_one(
    logged_in_client, customers
):
    response = logged_in_client.get(
        reverse("balances"), {"q": "acme", "seat_type": "admin", "page": "2", "from": "31/12/2025"}
    )

    links = _links(response)
    assert list(links) == [
        "Last 7 days",
        "Last 30 days",
        "Last 90 days",
        "This quarter",
        "Last quarter",
    ]
    path, query, current = links["Last quarter"]
    assert path == reverse("balances")
    assert query == {
        "q": ["acme"],
        "seat_type": ["admin"],
        "from": ["2026-01-01"],
        "to": ["2026-03-31"],
    }
    assert not current
    assert links["Last 7 days"][1]["from"] == ["2026-05-09"]
    assert links["Last 7 days"][1]["to"] == ["2026-05-15"]


@time_machine.travel("2026-05-15 08:00:00+00:00", tick=False)
def test_balances_quick_range_matching_the_url_is_marked_current(logged_in_client, customers):
    response = logged_in_client.get(reverse("balances"), {"from": "2026-04-16", "to": "2026-05-15"})

    links = _links(response)
    assert [label for label, (_, _, current) in links.items() if current] == ["Last 30 days"]


@time_machine.travel("2026-05-15 08:00:00+00:00", tick=False)
def test_customer_page_quick_range_links_stay_on_the_customer(logged_in_client, customers):
    response = logged_in_client.get(
        reverse("customer", args=["c-1"]), {"seat_type": "admin", "after": "0"}
    )

    path, query, _ = _links(response)["This quarter"]
    assert path == reverse("customer", args=["c-1"])
    assert query == {"seat_type": ["admin"], "from": ["2026-04-01"], "to": ["2026-05-15"]}


def test_date_fields_are_iso_text_fields_keeping_what_was_typed(logged_in_client, customers):
    response = logged_in_client.get(reverse("balances"), {"from": "31/12/2025", "to": "2026-02-30"})

    body = response.content.decode()
    for name, typed in (("from", "31/12/2025"), ("to", "2026-02-30")):
        field = re.search(rf'<input id="id_{name}"[^>]*>', body).group(0)
        assert 'type="text"' in field
        assert f'value="{typed}"' in field
        assert 'placeholder="YYYY-MM-DD"' in field
        assert "aria-invalid" in field
