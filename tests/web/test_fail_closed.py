"""Issue 9: a filter that cannot be applied shows its message and no rows, on pages and CSV."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.fakes import at, customer, event

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def data(fake_sequence):
    fake_sequence.customers = [
        customer("c-1", "Acme Corp", {"admin": 3, "editor": 10}, aliases=("acme", "acme-eu")),
        customer("c-2", "Beta BV", {"viewer": 7}, aliases=("beta",)),
    ]
    fake_sequence.events = [
        event("e1", total=3, at=at(1)),
        event("e2", total=7, at=at(2), seat_type="viewer", alias="beta"),
    ]
    return fake_sequence


# (query, the field whose message must show)
BALANCE_BAD = [
    ({"from": "31/12/2025"}, "from"),
    ({"to": "2025-02-30"}, "to"),
    ({"from": "2026-02-01", "to": "2026-01-01"}, "to"),
    ({"seat_type": "bogus"}, "seat_type"),
    ({"seats_min": "-1"}, "seats_min"),
    ({"seats_max": "lots"}, "seats_max"),
    ({"seats_min": "9", "seats_max": "2"}, "seats_max"),
    ({"ids": " ".join(f"c-{n}" for n in range(5_001))}, "ids"),
    ({"alias": "\n".join(f"a{n}" for n in range(5_001))}, "alias"),
    ({"q": "x" * 201}, "q"),
]
EVENT_BAD = [
    ({"from": "31/12/2025"}, "from"),
    ({"to": "2025-02-30"}, "to"),
    ({"seat_type": "bogus"}, "seat_type"),
    ({"order": "sideways"}, "order"),
    ({"after": "a", "before": "b"}, "before"),
]


def _page_urls():
    return {"balances": reverse("balances"), "customer": reverse("customer", args=["c-1"])}


@pytest.mark.parametrize("hx", [False, True], ids=["page", "fragment"])
@pytest.mark.parametrize(("query", "field"), BALANCE_BAD, ids=lambda v: str(v)[:30])
def test_balances_bad_filter_shows_message_and_no_rows(logged_in_client, data, query, field, hx):
    response = logged_in_client.get(reverse("balances"), query, **(HX if hx else {}))
    assert response.status_code == 200
    listing = response.context["listing"]
    assert listing.rows == [] and listing.blocked
    html = response.content.decode()
    assert "Nothing is shown until" in html
    assert f'id="error-{field}"' in html
    assert response.context["form"].errors[field]
    assert "Acme Corp" not in html and "of 2 customers" not in html


@pytest.mark.parametrize(("query", "field"), BALANCE_BAD, ids=lambda v: str(v)[:30])
def test_balances_csv_bad_filter_script_gets_400_naming_the_field(
    logged_in_client, data, query, field
):
    response = logged_in_client.get(reverse("balances_csv"), query, HTTP_ACCEPT="*/*")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert f"({field})" in body
    assert "c-1" not in body and "Acme" not in body


@pytest.mark.parametrize(("query", "field"), BALANCE_BAD[:4], ids=lambda v: str(v)[:30])
def test_balances_csv_bad_filter_browser_is_sent_back_to_the_page(
    logged_in_client, data, query, field
):
    response = logged_in_client.get(
        reverse("balances_csv"), query, HTTP_ACCEPT="text/html,application/xhtml+xml"
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("balances") + "?")
    page = logged_in_client.get(response["Location"])
    assert page.context["form"].errors.get(field) or page.context["listing"].errors.get(field)
    assert page.context["listing"].rows == []


def test_balances_csv_good_filter_still_downloads(logged_in_client, data):
    response = logged_in_client.get(reverse("balances_csv"), {"seat_type": "viewer"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert "Beta BV" in body and "Acme" not in body


@pytest.mark.parametrize("hx", [False, True], ids=["page", "fragment"])
@pytest.mark.parametrize(("query", "field"), EVENT_BAD, ids=lambda v: str(v)[:30])
@pytest.mark.parametrize("page", ["customer", "events"])
def test_event_pages_bad_filter_shows_message_and_no_rows(
    logged_in_client, data, page, query, field, hx
):
    url = reverse("customer", args=["c-1"]) if page == "customer" else reverse("events")
    calls = data.calls["list_seat_events"]
    response = logged_in_client.get(url, query, **(HX if hx else {}))
    assert response.status_code == 200
    assert "events" not in response.context or response.context["events"] is None
    html = response.content.decode()
    assert "Nothing is shown until" in html
    assert response.context["form"].errors[field]
    assert reverse("event", args=["e1"]) not in html
    assert data.calls["list_seat_events"] == calls  # nothing asked of Sequence


def test_events_more_than_25_ids_lists_no_events(logged_in_client, data):
    ids = " ".join(f"c-{n}" for n in range(30))
    response = logged_in_client.get(reverse("events"), {"ids": ids})
    html = response.content.decode()
    assert "at most 25 at once" in html
    assert reverse("event", args=["e1"]) not in html and reverse("event", args=["e2"]) not in html


def test_each_message_is_shown_once(logged_in_client, data):
    response = logged_in_client.get(reverse("balances"), {"from": "31/12/2025"})
    html = response.content.decode()
    assert html.count("Use a date like 2026-03-31") == 1
    assert "Last change between" in html


def test_unknown_order_says_which_orders_exist(logged_in_client, data):
    response = logged_in_client.get(reverse("events"), {"order": "sideways"})
    html = response.content.decode()
    assert "Select a valid choice" not in html
    assert "“sideways” is not an order" in html and "Newest received first" in html


def test_customer_page_unknown_seat_type_gets_a_message_listing_its_types(logged_in_client, data):
    response = logged_in_client.get(reverse("customer", args=["c-1"]), {"seat_type": "bogus"})
    html = response.content.decode()
    assert "“bogus” is not a seat type. Choose from: admin, editor." in html
    assert "events" not in response.context
    # the bad value stays in the field, selected
    assert '<option value="bogus" selected>' in html


def test_customer_page_seat_type_is_case_insensitive(logged_in_client, data):
    response = logged_in_client.get(reverse("customer", args=["c-1"]), {"seat_type": "ADMIN"})
    rows = response.context["events"].value.rows
    assert [r.event.id for r in rows] == ["e1"]
