"""`/events/` and `/events.csv` from the synced seat history, on a hand-made history; and the
Sequence path while the history has never synced."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from seatdash.history.sync import sync_once
from seatdash.models import ExportAudit
from seatdash.services import balances
from tests.fakes import at, customer, event
from tests.history.support import api, make_customer, post_event

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
EXTRA = 28  # customers beyond Acme and Beta: 30 in all, more than Sequence's 25 per call


@pytest.fixture
def history(db):
    """Names each event by its place in receipt order: r1 is received first."""
    make_customer("c1", "Acme", "acme", "acme-eu")
    make_customer("c2", "Beta", "beta")
    for n in range(EXTRA):
        make_customer(f"x{n:02}", f"Extra {n}", f"extra-{n}")
    rows = [(f"extra-{n}", n + 1, f"2025-12-01T00:{n:02}:00Z", "admin", None) for n in range(EXTRA)]
    rows += [
        ("acme", 5, "2026-01-03T10:00:00Z", "admin", "order-1"),  # r1: replaced by r7
        ("acme", 10, "2026-01-10T00:00:00Z", "admin", None),  # r2
        ("acme", 3, "2026-01-05T00:00:00Z", "admin", None),  # r3: backdated
        ("acme-eu", 4, "2026-01-07T23:00:00Z", "editor", None),  # r4
        ("beta", 2, "2026-01-09T00:00:00Z", "admin", None),  # r5
        ("acme", 10, "2026-01-11T00:00:00Z", "admin", None),  # r6: same total, no change
        ("acme", 7, "2026-01-04T00:00:00Z", "admin", "order-1"),  # r7: replaces r1, backdated
    ]
    ids = []
    with api() as client:
        for alias, total, moment, seat_type, ceid in rows:
            extra = {"seat_type": seat_type}
            if ceid:
                extra["customer_event_id"] = ceid
            response = post_event(client, alias, total, moment, **extra)
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
    assert sync_once().status == "ok"
    balances.forget_decoded_snapshots()
    named = {f"r{i + 1}": event_id for i, event_id in enumerate(ids[EXTRA:])}
    named.update({f"x{n:02}": ids[n] for n in range(EXTRA)})
    return named


def listed(response) -> list[str]:
    events = response.context.get("events")
    return [row.event.id for row in events.value.rows] if events else []


def names(history, ids) -> list[str]:
    back = {event_id: name for name, event_id in history.items()}
    return [back[event_id] for event_id in ids]


def get(client, **params):
    response = client.get(reverse("events"), params)
    assert response.status_code == 200
    return response


def test_store_events_received_order_is_the_default(logged_in_client, history):
    response = get(logged_in_client, alias="acme, beta")
    assert names(history, listed(response)) == ["r7", "r6", "r5", "r4", "r3", "r2", "r1"]
    html = response.content.decode()
    assert "Events from seat history synced" in html and "UTC" in html
    assert "newest received first" in html


def test_store_events_event_time_order_differs_for_backdated_events(logged_in_client, history):
    response = get(logged_in_client, alias="acme, beta", order="event_time")
    assert names(history, listed(response)) == ["r6", "r2", "r5", "r4", "r3", "r7", "r1"]
    assert "newest event time first" in response.content.decode()
    # The select offers it and keeps it chosen.
    assert '<option value="event_time" selected>' in response.content.decode()


def test_store_events_oldest_received_first(logged_in_client, history):
    response = get(logged_in_client, alias="acme", order="asc")
    assert names(history, listed(response)) == ["r1", "r2", "r3", "r4", "r6", "r7"]


def test_store_events_change_and_flags_as_on_the_customer_page(logged_in_client, history):
    response = get(logged_in_client, alias="acme")
    rows = {names(history, [row.event.id])[0]: row for row in response.context["events"].value.rows}
    assert rows["r1"].superseded_by == history["r7"] and not rows["r1"].change_known
    assert {name: rows[name].change for name in ("r7", "r3", "r2", "r6", "r4")} == {
        "r7": 7,
        "r3": -4,
        "r2": 7,
        "r6": 0,
        "r4": 4,
    }
    assert rows["r3"].backdated and rows["r7"].backdated
    assert not rows["r2"].backdated and not rows["r1"].backdated
    assert rows["r6"].no_change and not rows["r7"].no_change and not rows["r1"].no_change
    html = response.content.decode()
    assert html.count('class="superseded"') == 1
    assert 'class="num no-effect">none</td>' in html
    assert reverse("event", args=[history["r7"]]) in html  # "superseded" links to its replacement
    assert "Reading this table" in html  # the legend
    assert reverse("customer", args=["c1"]) in html and "Acme" in html


def test_store_events_take_more_than_25_customers_and_page_through_all(logged_in_client, history):
    ids = " ".join(["c1", "c2", *(f"x{n:02}" for n in range(EXTRA))])
    response = get(logged_in_client, ids=ids)
    listing = response.context["events"].value
    assert listing.total == EXTRA + 7
    assert len(listing.rows) == 25 and listing.before is None
    seen = listed(response)
    second = get(logged_in_client, ids=ids, after=listing.after)
    seen += listed(second)
    assert second.context["events"].value.after is None
    assert len(seen) == len(set(seen)) == EXTRA + 7
    # Newest received first across both pages: the extras were received first, x27 last of them.
    assert names(history, seen[:7]) == ["r7", "r6", "r5", "r4", "r3", "r2", "r1"]
    assert names(history, seen[7:]) == [f"x{n:02}" for n in reversed(range(EXTRA))]
    # Back from the second page lands on the first page again.
    back = get(logged_in_client, ids=ids, before=second.context["events"].value.before)
    assert listed(back) == seen[:25]
    assert back.context["events"].value.before is None


def test_store_events_event_time_pages_stay_in_order(logged_in_client, history):
    first = get(logged_in_client, order="event_time")
    second = get(logged_in_client, order="event_time", after=first.context["events"].value.after)
    seen = listed(first) + listed(second)
    assert len(seen) == len(set(seen)) == EXTRA + 7
    times = [row.event.event_timestamp for row in first.context["events"].value.rows]
    times += [row.event.event_timestamp for row in second.context["events"].value.rows]
    assert times == sorted(times, reverse=True)


def test_store_events_filters_keep_their_meaning(logged_in_client, history):
    assert names(history, listed(get(logged_in_client, sent_as="acme-eu"))) == ["r4"]
    assert names(history, listed(get(logged_in_client, alias="acme-eu", seat_type="EDITOR"))) == [
        "r4"
    ]
    window = get(logged_in_client, alias="acme", **{"from": "2026-01-04", "to": "2026-01-07"})
    assert names(history, listed(window)) == ["r7", "r4", "r3"]
    assert names(history, listed(get(logged_in_client, customer_event_id="order-1"))) == [
        "r7",
        "r1",
    ]
    assert names(history, listed(get(logged_in_client, q="beta"))) == ["r5"]


@pytest.mark.parametrize("hx", [False, True], ids=["page", "fragment"])
def test_store_events_unknown_order_names_the_choices_and_lists_nothing(
    logged_in_client, history, hx
):
    response = logged_in_client.get(reverse("events"), {"order": "sideways"}, **(HX if hx else {}))
    html = response.content.decode()
    assert "“sideways” is not an order" in html
    assert "(event_time)" in html and "(received)" in html
    assert "events" not in response.context
    assert ("<html" in html) is not hx


def test_store_events_edited_cursor_is_an_expired_link(logged_in_client, history):
    response = get(logged_in_client, order="event_time", after="12345")
    assert "This page link has expired" in response.content.decode()
    assert "events" not in response.context


def test_store_events_pasted_nobody_lists_nothing(logged_in_client, history):
    response = get(logged_in_client, alias="ghost")
    assert listed(response) == []
    assert response.context["search"].unmatched_aliases == ("ghost",)


def read_csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


@pytest.mark.parametrize("order", ["received", "event_time"])
def test_events_csv_rows_equal_the_page_rows(logged_in_client, history, order):
    page = get(logged_in_client, alias="acme, beta", order=order)
    response = logged_in_client.get(reverse("events_csv"), {"alias": "acme, beta", "order": order})
    assert response.status_code == 200
    rows = read_csv(response)
    assert [row["event_id"] for row in rows] == listed(page)
    by_name = {names(history, [row["event_id"]])[0]: row for row in rows}
    assert by_name["r1"]["counts"] == "no" and by_name["r1"]["change"] == ""
    assert by_name["r1"]["superseded_by"] == history["r7"]
    assert by_name["r3"]["change"] == "-4" and by_name["r3"]["backdated"] == "yes"
    assert by_name["r4"]["sent_as"] == "acme-eu" and by_name["r4"]["legal_name"] == "Acme"
    assert by_name["r5"]["customer_id"] == "c2" and by_name["r5"]["counts"] == "yes"
    audit = ExportAudit.objects.get()
    assert audit.view == "events_csv" and audit.row_count == 7 and audit.outcome == "completed"


def test_events_csv_has_every_row_not_one_page(logged_in_client, history):
    response = logged_in_client.get(reverse("events_csv"))
    assert len(read_csv(response)) == EXTRA + 7


def test_events_csv_bad_order_is_refused(logged_in_client, history):
    response = logged_in_client.get(reverse("events_csv"), {"order": "sideways"})
    assert response.status_code == 400
    assert "No CSV" in response.content.decode() and "order" in response.content.decode()
    browser = logged_in_client.get(
        reverse("events_csv"), {"order": "sideways"}, HTTP_ACCEPT="text/html"
    )
    assert browser.status_code == 302 and browser["Location"].startswith(reverse("events"))


def test_events_csv_needs_the_export_permission(viewer_client, history):
    assert viewer_client.get(reverse("events_csv")).status_code == 403
    assert reverse("events_csv") not in viewer_client.get(reverse("events")).content.decode()


def test_events_page_offers_the_csv_to_exporters(logged_in_client, history):
    html = get(logged_in_client, alias="acme").content.decode()
    assert f"{reverse('events_csv')}?alias=acme" in html


@pytest.fixture
def sequence_only(fake_sequence):
    fake_sequence.customers = [customer("c-1", "Acme Corp", {"admin": 7}, aliases=("acme",))]
    fake_sequence.events = [event("e1", total=5, at=at(1)), event("e2", total=7, at=at(2))]
    return fake_sequence


def test_not_synced_events_come_from_sequence_and_say_what_is_missing(
    logged_in_client, sequence_only
):
    response = get(logged_in_client)
    html = response.content.decode()
    assert set(listed(response)) == {"e1", "e2"}
    assert "Sync seat history to see Change and Flags" in html
    assert "manage.py sync_seat_events" in html
    assert "Reading this table" not in html  # no Change or Flags columns, never zeros
    assert "event_time" not in html  # the select does not offer what it cannot do
    assert reverse("events_csv") not in html


@pytest.mark.parametrize(
    ("params", "field_message"),
    [
        ({"order": "event_time"}, "Event-time order needs the seat history"),
        ({"q": "acme"}, "Search by name needs the seat history"),
        ({"ids": " ".join(f"c-{n}" for n in range(26))}, "at most 25 at once"),
    ],
)
def test_not_synced_history_only_options_fail_closed(
    logged_in_client, sequence_only, params, field_message
):
    response = get(logged_in_client, **params)
    assert field_message in response.content.decode()
    assert "events" not in response.context


def test_not_synced_csv_is_refused(logged_in_client, sequence_only):
    response = logged_in_client.get(reverse("events_csv"))
    assert response.status_code == 400
    assert "sync_seat_events" in response.content.decode()
    browser = logged_in_client.get(reverse("events_csv"), HTTP_ACCEPT="text/html")
    assert browser.status_code == 302 and browser["Location"] == reverse("events")


def test_a_search_matching_more_customers_than_a_list_may_hold_fails_closed(
    logged_in_client, history, monkeypatch
):
    from seatdash.services import event_history

    monkeypatch.setattr(event_history, "MAX_SELECTED_CUSTOMERS", 3)  # "extra" matches 28
    page = logged_in_client.get(reverse("events"), {"q": "extra"})
    assert listed(page) == []
    assert (
        "The search matches" in page.content.decode()
        and "at most 3 at once" in page.content.decode()
    )
    csv_answer = logged_in_client.get(reverse("events_csv"), {"q": "extra"})
    assert csv_answer.status_code == 400
    narrow = logged_in_client.get(reverse("events"), {"q": "acme"})
    assert listed(narrow)  # under the cap the search still selects
