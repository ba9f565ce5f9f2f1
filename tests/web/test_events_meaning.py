"""Issue 9: one meaning for alias on /events/, sent_as, seat type choice, superseded, cursors."""

from __future__ import annotations

import pytest
from django.urls import reverse

from seatdash.clients.errors import UpstreamRejected
from tests.fakes import at, customer, event

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def data(fake_sequence):
    fake_sequence.customers = [
        customer("c-1", "Acme Corp", {"admin": 7, "viewer": 2}, aliases=("acme", "acme-eu")),
        customer("c-2", "Beta BV", {"admin": 1}, aliases=("beta",)),
    ]
    fake_sequence.events = [
        event("e1", total=5, at=at(1)),
        event("e2", total=2, at=at(2), seat_type="viewer", alias="acme-eu"),
        event("e3", total=9, at=at(20), customer_event_id="dup"),
        event("e4", total=7, at=at(20), customer_event_id="dup"),
        event("e5", total=1, at=at(5), alias="beta"),
    ]
    return fake_sequence


def event_ids(response) -> set[str]:
    events = response.context.get("events")
    return {row.event.id for row in events.value.rows} if events else set()


@pytest.mark.parametrize("hx", [False, True], ids=["page", "fragment"])
def test_events_single_alias_means_its_customer_under_any_alias(logged_in_client, data, hx):
    # Pins the single-alias case: one alias must not fall back to "sent with this alias".
    response = logged_in_client.get(reverse("events"), {"alias": "acme-eu"}, **(HX if hx else {}))
    assert event_ids(response) == {"e1", "e2", "e3", "e4"}


def test_events_two_aliases_mean_both_customers(logged_in_client, data):
    response = logged_in_client.get(reverse("events"), {"alias": "acme-eu, beta"})
    assert event_ids(response) == {"e1", "e2", "e3", "e4", "e5"}


def test_events_alias_and_ids_mix_and_wrong_box_is_matched(logged_in_client, data):
    response = logged_in_client.get(reverse("events"), {"ids": "beta"})
    assert event_ids(response) == {"e5"}
    assert "matched as an alias" in response.content.decode()


def test_events_sent_as_keeps_the_exact_alias_filter(logged_in_client, data):
    response = logged_in_client.get(reverse("events"), {"sent_as": "acme-eu"})
    assert event_ids(response) == {"e2"}
    response = logged_in_client.get(reverse("events"), {"sent_as": "acme", "alias": "acme-eu"})
    assert event_ids(response) == {"e1", "e3", "e4"}


def test_events_unknown_alias_and_id_get_the_matched_no_customer_report(logged_in_client, data):
    calls = data.calls["list_seat_events"]
    response = logged_in_client.get(reverse("events"), {"alias": "ghost", "ids": "c-404"})
    assert event_ids(response) == set()
    report = response.context["search"].match_report
    assert [(t.token, t.matched) for t in report.tokens] == [("ghost", False), ("c-404", False)]
    assert response.content.decode().count("no match") == 2
    assert data.calls["list_seat_events"] == calls


def test_events_seat_type_is_case_insensitive(logged_in_client, data):
    response = logged_in_client.get(reverse("events"), {"seat_type": "Viewer"})
    assert event_ids(response) == {"e2"}


def test_events_unknown_seat_type_says_which_exist(logged_in_client, data):
    response = logged_in_client.get(reverse("events"), {"seat_type": "sideways"}, **HX)
    assert event_ids(response) == set()
    html = response.content.decode()
    assert "“sideways” is not a seat type. Choose from: admin, viewer." in html
    assert "Nothing is shown until" in html


def test_event_lists_say_their_order(logged_in_client, data):
    html = logged_in_client.get(reverse("events")).content.decode()
    assert "newest received first" in html
    html = logged_in_client.get(reverse("customer", args=["c-1"]), {"order": "asc"}).content
    assert "oldest received first" in html.decode()


def test_superseded_event_page_says_it_no_longer_counts(logged_in_client, data):
    html = logged_in_client.get(reverse("event", args=["e3"])).content.decode()
    assert "No longer counts: replaced by" in html
    assert reverse("event", args=["e4"]) in html
    html = logged_in_client.get(reverse("event", args=["e4"])).content.decode()
    assert "No longer counts" not in html


def test_customer_page_superseded_row_shows_no_change_and_is_struck_out(logged_in_client, data):
    response = logged_in_client.get(reverse("customer", args=["c-1"]))
    html = response.content.decode()
    link = html.index(f'href="{reverse("event", args=["e3"])}"')
    row_e3 = html[html.rindex("<tr", 0, link) : html.index("</tr>", link)]
    assert 'class="superseded"' in row_e3
    assert "none" in row_e3 and "+9" not in row_e3 and "+4" not in row_e3
    for words in ("superseded", "backdated", "no change", "“—” in Change", "“0”"):
        assert words in html


def _reject_cursors(fake):
    real = fake.list_seat_events

    def list_seat_events(query, *, limit=50, after=None, before=None):
        if after or before:
            raise UpstreamRejected(
                "BadRequest: Invalid pagination cursor.", provider="Sequence", status=400
            )
        return real(query, limit=limit, after=after, before=before)

    fake.list_seat_events = list_seat_events


@pytest.mark.parametrize("page", ["customer", "events"])
def test_expired_page_cursor_offers_the_first_page(logged_in_client, data, page):
    _reject_cursors(data)
    url = reverse("customer", args=["c-1"]) if page == "customer" else reverse("events")
    response = logged_in_client.get(url, {"after": "stale", "seat_type": "admin"}, **HX)
    html = response.content.decode()
    assert "This page link has expired" in html
    assert "Invalid pagination cursor" not in html
    assert 'href="?seat_type=admin"' in html
