"""`from`/`to` on `/` and `/balances.csv` from the seat history: any effective change in the window."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from seatdash.history.sync import sync_once
from seatdash.services import balances, change_window
from tests.history.support import api, make_customer, post_event

pytestmark = pytest.mark.django_db

AUGUST = {"from": "2025-08-01", "to": "2025-08-31"}


def post(rows):
    """(alias, total, ISO time[, seat_type[, customer_event_id]]) in the order received."""
    with api() as client:
        for alias, total, moment, *rest in rows:
            extra = {}
            if rest and rest[0]:
                extra["seat_type"] = rest[0]
            if len(rest) > 1:
                extra["customer_event_id"] = rest[1]
            assert post_event(client, alias, total, moment, **extra).status_code == 201


@pytest.fixture
def window_cache():
    change_window.clear()
    balances.forget_decoded_snapshots()
    yield
    change_window.clear()


@pytest.fixture
def customers(db, window_cache):
    make_customer("c1", "Acme", "acme")  # changed in August and again later
    make_customer("c2", "Beta", "beta")  # changed only before and after August
    make_customer("c3", "Gamma", "gamma")  # its August event was superseded by a September one
    make_customer("c4", "Delta", "delta")  # an August event that kept the total
    make_customer("c5", "Eps", "eps")  # changed on the window's first and last instants
    post(
        [
            ("acme", 5, "2025-07-01T00:00:00Z"),
            ("acme", 8, "2025-08-27T10:00:00Z"),
            ("acme", 9, "2025-10-02T00:00:00Z"),
            ("beta", 3, "2025-07-15T00:00:00Z"),
            ("beta", 4, "2025-09-15T00:00:00Z"),
            ("gamma", 2, "2025-07-01T00:00:00Z"),
            ("gamma", 6, "2025-08-10T00:00:00Z", None, "g-order"),
            ("gamma", 6, "2025-09-10T00:00:00Z", None, "g-order"),  # replaces the August one
            ("delta", 4, "2025-07-01T00:00:00Z"),
            ("delta", 4, "2025-08-12T00:00:00Z"),  # same total: no change
            ("delta", 5, "2025-11-01T00:00:00Z"),
            ("eps", 1, "2025-08-01T00:00:00Z", "admin"),
            ("eps", 2, "2025-08-31T23:59:59Z", "editor"),
        ]
    )


def synced():
    assert sync_once().status == "ok"
    balances.forget_decoded_snapshots()


def shown(response) -> set[str]:
    return {customer.id for customer in response.context["listing"].rows}


def csv_ids(response) -> set[str]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return {row["customer_id"] for row in csv.DictReader(io.StringIO(text))}


def test_a_change_in_the_middle_of_the_history_is_found(logged_in_client, customers):
    synced()
    response = logged_in_client.get(reverse("balances"), AUGUST)
    assert shown(response) == {"c1", "c5"}
    html = response.content.decode()
    assert "Changed between" in html and "Last change between" not in html
    assert "not synced yet" not in html


def test_the_csv_has_the_same_customers(logged_in_client, customers):
    synced()
    response = logged_in_client.get(reverse("balances_csv"), AUGUST)
    assert response.status_code == 200
    assert csv_ids(response) == {"c1", "c5"}


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ({"from": "2025-08-01", "to": "2025-08-31"}, {"c1", "c5"}),
        # The bounds are inclusive to the second: one second off loses eps's edge changes.
        ({"from": "2025-08-01T00:00:01Z", "to": "2025-08-31"}, {"c1", "c5"}),  # editor at 23:59:59
        ({"from": "2025-08-01", "to": "2025-08-31T23:59:58Z"}, {"c1", "c5"}),  # admin at 00:00
        ({"from": "2025-08-01T00:00:01Z", "to": "2025-08-31T23:59:58Z"}, {"c1"}),
        ({"from": "2025-08-31T23:59:59Z", "to": "2025-08-31T23:59:59Z"}, {"c5"}),
        ({"from": "2025-08-01T00:00:00Z", "to": "2025-08-01T00:00:00Z"}, {"c5"}),
        ({"from": "2025-09-01"}, {"c1", "c2", "c3", "c4"}),  # open end
        ({"to": "2025-07-01"}, {"c1", "c3", "c4"}),  # open start
        ({"from": "2025-09-16", "to": "2025-09-30"}, set()),
    ],
)
def test_window_bounds(logged_in_client, customers, window, expected):
    synced()
    assert shown(logged_in_client.get(reverse("balances"), window)) == expected
    assert csv_ids(logged_in_client.get(reverse("balances_csv"), window)) == expected


def test_superseded_and_unchanged_events_in_the_window_do_not_count(logged_in_client, customers):
    synced()
    response = logged_in_client.get(reverse("balances"), {"from": "2025-08-05", "to": "2025-08-20"})
    assert shown(response) == set()  # gamma's Aug 10 was replaced, delta's Aug 12 kept 4


def test_the_seat_type_filter_narrows_the_window(logged_in_client, customers):
    synced()
    window = {"from": "2025-08-31", "to": "2025-08-31"}
    assert shown(logged_in_client.get(reverse("balances"), {**window, "seat_type": "editor"})) == {
        "c5"
    }
    assert (
        shown(logged_in_client.get(reverse("balances"), {**window, "seat_type": "admin"})) == set()
    )


def test_without_history_the_last_change_meaning_is_labelled_and_noted(logged_in_client, customers):
    response = logged_in_client.get(reverse("balances"), AUGUST)
    assert shown(response) == {"c5"}  # acme's last change is in October
    html = response.content.decode()
    assert "Last change between" in html and "Changed between" not in html
    assert "Seat history is not synced yet" in html
    assert csv_ids(logged_in_client.get(reverse("balances_csv"), AUGUST)) == {"c5"}


def test_a_bad_window_still_fails_closed(logged_in_client, customers):
    synced()
    response = logged_in_client.get(reverse("balances"), {"from": "2025-08-31", "to": "2025-08-01"})
    assert response.context["listing"].rows == []
    refused = logged_in_client.get(reverse("balances_csv"), {"from": "2025-08-32"})
    assert refused.status_code == 400
    assert "Changed between (from)" in refused.content.decode()


def test_as_of_pages_use_the_same_meaning(logged_in_client, customers):
    synced()
    from seatdash.services import seats_over_time

    seats_over_time.clear()
    response = logged_in_client.get(reverse("balances"), {**AUGUST, "as_of": "2025-12-01"})
    assert shown(response) == {"c1", "c5"}


def test_the_window_combines_with_the_other_filters(logged_in_client, customers):
    synced()
    assert shown(logged_in_client.get(reverse("balances"), {**AUGUST, "q": "acm"})) == {"c1"}
    assert shown(logged_in_client.get(reverse("balances"), {**AUGUST, "seats_min": 4})) == {"c1"}
