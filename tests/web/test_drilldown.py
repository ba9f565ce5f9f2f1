from __future__ import annotations

import pytest
from django.urls import reverse

from tests.fakes import at, customer, event

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def acme(fake_sequence):
    fake_sequence.customers = [
        customer(
            "c-1",
            "Acme Corp",
            {"admin": 7, "viewer": 2},
            aliases=("acme", "acme-eu"),
            changed=at(40),
        ),
        customer("c-2", "Beta BV", {"admin": 1}, aliases=("beta",), changed=at(5)),
    ]
    fake_sequence.events = [
        event("e1", total=5, at=at(1)),
        event("e2", total=2, at=at(2), seat_type="viewer", alias="acme-eu"),
        event("e3", total=9, at=at(20), customer_event_id="dup"),
        event("e4", total=7, at=at(20), customer_event_id="dup"),
        event("e5", total=1, at=at(5), alias="beta"),
        *[event(f"x{n:02}", total=7, at=at(30 + n)) for n in range(30)],
    ]
    return fake_sequence


def test_customer_page_shows_identity_balances_and_annotated_events(logged_in_client, acme):
    response = logged_in_client.get(reverse("customer", args=["c-1"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Acme Corp" in html and "acme-eu" in html
    assert "no-store" in response["Cache-Control"]
    rows = {row.event.id: row for row in response.context["events"].value.rows}
    assert len(rows) == 25  # one page
    assert rows["x29"].no_change


def test_customer_events_flags_superseded_with_link_to_replacement(logged_in_client, acme):
    response = logged_in_client.get(reverse("customer", args=["c-1"]), {"order": "asc"})
    rows = {row.event.id: row for row in response.context["events"].value.rows}
    assert [r for r in rows][:4] == ["e1", "e2", "e3", "e4"]
    assert rows["e3"].superseded_by == "e4"
    assert rows["e4"].change == 2
    assert reverse("event", args=["e4"]) in response.content.decode()


def test_customer_events_cursor_paging_one_upstream_call_per_page(logged_in_client, acme):
    first = logged_in_client.get(reverse("customer", args=["c-1"]))
    listing = first.context["events"].value
    assert listing.after
    calls_before = acme.calls["list_seat_events"]
    older = logged_in_client.get(reverse("customer", args=["c-1"]), {"after": listing.after}, **HX)
    assert acme.calls["list_seat_events"] == calls_before + 1
    assert "<html" not in older.content.decode()
    ids = [row.event.id for row in older.context["events"].value.rows]
    assert ids[-1] == "e1"


def test_customer_events_seat_type_filter(logged_in_client, acme):
    response = logged_in_client.get(reverse("customer", args=["c-1"]), {"seat_type": "viewer"})
    assert [row.event.id for row in response.context["events"].value.rows] == ["e2"]


def test_customer_events_bad_dates_explained(logged_in_client, acme):
    response = logged_in_client.get(
        reverse("customer", args=["c-1"]), {"from": "2026-03-01", "to": "2026-01-01"}
    )
    assert response.status_code == 200
    assert "“to” is before “from”." in response.content.decode()


def test_customer_unknown_id_is_404_page(logged_in_client, acme):
    response = logged_in_client.get(reverse("customer", args=["nope"]))
    assert response.status_code == 404
    assert "No customer with that ID" in response.content.decode()


def test_customer_upstream_down_without_copy_is_error_state_not_500(logged_in_client, acme):
    acme.failing = True
    response = logged_in_client.get(reverse("customer", args=["c-1"]))
    assert response.status_code == 200
    assert "Sequence is unreachable right now." in response.content.decode()


def test_event_page_shows_fields_customer_and_same_customer_event_id(logged_in_client, acme):
    response = logged_in_client.get(reverse("event", args=["e3"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("customer", args=["c-1"]) in html
    assert reverse("event", args=["e4"]) in html
    assert "superseded" in html


def test_event_unknown_id_is_404(logged_in_client, acme):
    assert logged_in_client.get(reverse("event", args=["nope"])).status_code == 404


def test_events_page_filters_by_several_aliases_and_reports_unmatched(logged_in_client, acme):
    response = logged_in_client.get(
        reverse("events"), {"alias": "beta, acme-eu, ghost", "order": "asc"}
    )
    search = response.context["search"]
    assert search.unmatched_aliases == ("ghost",)
    ids = {row.event.id for row in search.listing.value.rows}
    assert {"e5", "e2"} <= ids
    assert reverse("customer", args=["c-2"]) in response.content.decode()


def test_events_page_more_than_25_ids_is_a_field_error(logged_in_client, acme):
    ids = " ".join(f"c-{n}" for n in range(30))
    response = logged_in_client.get(reverse("events"), {"ids": ids})
    assert response.status_code == 200
    assert "at most 25 at once" in response.content.decode()


def test_events_page_htmx_fragment(logged_in_client, acme):
    response = logged_in_client.get(reverse("events"), {"seat_type": "viewer"}, **HX)
    assert "<html" not in response.content.decode()
    assert [row.event.id for row in response.context["events"].value.rows] == ["e2"]


def test_customer_events_empty_state_says_whether_filters_hide_events(logged_in_client, acme):
    url = reverse("customer", args=["c-1"])
    filtered = logged_in_client.get(url, {"customer_event_id": "nowhere"}).content.decode()
    assert "No events match these filters." in filtered
    acme.events = []
    unfiltered = logged_in_client.get(url).content.decode()
    assert "No seat events." in unfiltered
    assert "No events match these filters." not in unfiltered
