"""Seats as of an instant on hand-made histories, and the customer page's chart and "as of" box."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from seatdash.history.sync import sync_once
from seatdash.services import balances
from tests.history.support import api, make_customer, post_event

pytestmark = pytest.mark.django_db


def post(rows):
    """(alias, total, ISO time[, seat_type[, customer_event_id]]) in the order received."""
    with api() as client:
        for alias, total, moment, *rest in rows:
            extra = {}
            if rest:
                extra["seat_type"] = rest[0]
            if len(rest) > 1 and rest[1]:
                extra["customer_event_id"] = rest[1]
            assert post_event(client, alias, total, moment, **extra).status_code == 201


@pytest.fixture
def tricky(db):
    make_customer("c1", "Acme", "acme")
    make_customer("c2", "Beta", "beta")
    post(
        [
            ("acme", 5, "2026-01-03T10:00:00Z", "admin", "order-1"),
            ("acme", 10, "2026-01-10T00:00:00Z"),
            ("acme", 3, "2026-01-05T00:00:00Z"),  # backdated: received after the day-10 event
            ("acme", 4, "2026-01-07T23:00:00Z", "editor"),
            ("acme", 6, "2026-01-08T12:00:00Z", "editor"),
            ("acme", 9, "2026-01-08T12:00:00Z", "editor"),  # same time: received later wins
            # Replaces order-1 (same customerEventId) with a later timestamp and another total.
            ("acme", 7, "2026-01-04T00:00:00Z", "admin", "order-1"),
            ("beta", 2, "2026-01-09T00:00:00Z"),
        ]
    )
    assert sync_once().status == "ok"
    balances.forget_decoded_snapshots()


def seats_as_of(client, customer_id, as_of):
    """The seats per type the customer page says were held at `as_of`, and the page."""
    response = client.get(reverse("customer", args=[customer_id]), {"as_of": as_of})
    assert response.status_code == 200
    html = response.content.decode()
    answer = html.split('<p class="as-of-answer"', 1)[1].split("</p>", 1)[0]
    said = re.search(r"<strong>[\d,]+</strong> seats?\s*\(([^)]*)\)", answer)
    if said is None:
        assert "0 seats (not yet a customer)" in answer
        return {}, html
    pairs = (part.rsplit(" ", 1) for part in said.group(1).split(", "))
    return {seat_type: int(seats.replace(",", "")) for seat_type, seats in pairs}, html


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2026-01-02", {}),  # before the first event
        ("2026-01-03T12:00Z", {}),  # order-1 was replaced: its day-3 version never counts
        ("2026-01-04T00:00:00Z", {"admin": 7}),
        ("2026-01-04T00:00:00Z", {"admin": 7}),
        ("2026-01-05", {"admin": 3}),  # the backdated event counts from its own time
        ("2026-01-07", {"admin": 3, "editor": 4}),  # a date is the end of that day UTC
        ("2026-01-08T11:59:59Z", {"admin": 3, "editor": 4}),
        ("2026-01-08T12:00:00Z", {"admin": 3, "editor": 9}),  # tie: the later-received one
        ("2026-01-10", {"admin": 10, "editor": 9}),
    ],
)
def test_customer_seats_as_of(logged_in_client, tricky, as_of, expected):
    seats, html = seats_as_of(logged_in_client, "c1", as_of)
    assert seats == expected
    if not expected:
        assert "not yet a customer" in html


@pytest.mark.parametrize("as_of", ["soon", "2026-02-30", "2999-01-01", "2999-01-01T00:00Z"])
def test_customer_as_of_bad_input_is_named_and_answers_nothing(logged_in_client, tricky, as_of):
    response = logged_in_client.get(reverse("customer", args=["c1"]), {"as_of": as_of})
    assert response.status_code == 200
    assert response.context["history"].as_of is None
    assert re.search(r'id="error-as_of"[^>]*>[^<]+\S', response.content.decode())


def test_chart_has_one_series_per_seat_type_and_a_step_at_each_event(logged_in_client, tricky):
    response = logged_in_client.get(reverse("customer", args=["c1"]))
    history = response.context["history"]
    assert list(history.series) == ["admin", "editor"]
    assert [(p.event_timestamp.day, p.total) for p in history.series["admin"]] == [
        (4, 7),
        (5, 3),
        (10, 10),
    ]
    assert [(p.total, p.change) for p in history.series["editor"]] == [(4, 4), (6, 2), (9, 3)]
    html = response.content.decode()
    svg = html[html.index('<svg class="chart"') : html.index("</svg>")]
    assert svg.count('<g class="series"') == 2
    assert svg.count('<circle class="step"') == 6
    assert "<title>2026-01-05 00:00 UTC · admin: 3 seats (\u22124)</title>" in svg
    table = html[html.index("Every seat change in the chart") :]
    assert table.count("<tr><td") == 6


def test_chart_window_starts_at_the_height_held_then(logged_in_client, tricky):
    response = logged_in_client.get(
        reverse("customer", args=["c1"]), {"from": "2026-01-06", "to": "2026-01-09"}
    )
    history = response.context["history"]
    # admin held 3 from day 5: the line opens at the window's start at 3, day 10 is outside.
    assert [(p.event_timestamp.day, p.total, p.change) for p in history.series["admin"]] == [
        (6, 3, 0)
    ]
    assert [p.total for p in history.series["editor"]] == [4, 6, 9]


def test_customer_page_without_sync_says_so(logged_in_client, db):
    make_customer("c1", "Acme", "acme")
    html = logged_in_client.get(reverse("customer", args=["c1"])).content.decode()
    assert "Seat history is not synced yet" in html and "sync_seat_events" in html


HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def fresh_as_of():
    from seatdash.services import seats_over_time as history

    history.clear()
    yield
    history.clear()


ROW = re.compile(
    r'<td class="customer">\s*<a href="[^"]*">([^<]+)</a>.*?<td class="num total">([\d,]+)</td>',
    re.S,
)


def rows(response) -> dict[str, int]:
    """Customer name -> seats shown, in the order the balances table shows them."""
    body = response.content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return {name: int(total.replace(",", "")) for name, total in ROW.findall(body)}


def column_totals(response) -> dict[str, int]:
    """Seat type -> the footer's total, as the balances table shows them."""
    html = response.content.decode()
    head = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    types = re.findall(r"sort=(?:-)?seats\.([\w-]+)", head)
    foot = html.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    cells = re.findall(r'<td class="num">([\d,]+)</td>', foot)
    return dict(zip(dict.fromkeys(types), (int(c.replace(",", "")) for c in cells), strict=True))


def test_balances_page_as_of_a_date(logged_in_client, tricky, fresh_as_of):
    response = logged_in_client.get(reverse("balances"), {"as_of": "2026-01-05", "q": "a"})
    assert response.status_code == 200
    assert rows(response) == {"Acme": 3, "Beta": 0}
    assert column_totals(response) == {"admin": 3}
    html = response.content.decode()
    assert "Balances as of <time" in html and "2026-01-05 (end of day UTC)" in html
    assert "from seat history synced" in html
    assert "not yet a customer" in html  # Beta's first event is on day 9
    back = re.search(r'href="([^"]*)">Back to today</a>', html).group(1)
    assert "as_of" not in back and "q=a" in back


def test_balances_as_of_keeps_the_other_parameters(logged_in_client, tricky, fresh_as_of):
    get = lambda **p: logged_in_client.get(reverse("balances"), {"as_of": "2026-01-09", **p})  # noqa: E731
    assert rows(get()) == {"Acme": 3 + 9, "Beta": 2}
    assert rows(get(q="bet")) == {"Beta": 2}
    assert list(rows(get(sort="total"))) == ["Beta", "Acme"]
    assert list(rows(get(sort="-total"))) == ["Acme", "Beta"]
    assert column_totals(get(seat_type="editor")) == {"editor": 9}
    at_instant = logged_in_client.get(reverse("balances"), {"as_of": "2026-01-09T00:00:00Z"})
    assert rows(at_instant)["Beta"] == 2
    just_before = logged_in_client.get(reverse("balances"), {"as_of": "2026-01-08T23:59:59Z"})
    assert rows(just_before)["Beta"] == 0


@pytest.mark.parametrize("as_of", ["last week", "2026-13-01", "2999-12-31", "2999-01-01T00:00Z"])
def test_balances_as_of_bad_input_fails_closed(logged_in_client, tricky, fresh_as_of, as_of):
    for extra in ({}, HX):
        response = logged_in_client.get(reverse("balances"), {"as_of": as_of}, **extra)
        assert response.status_code == 200
        assert "listing" not in response.context
        html = response.content.decode()
        assert re.search(r'id="error-as_of"[^>]*>[^<]+\S', html)
        assert "Nothing listed" in html
    script = logged_in_client.get(reverse("balances_csv"), {"as_of": as_of})
    assert script.status_code == 400 and script["Content-Type"].startswith("text/plain")
    browser = logged_in_client.get(
        reverse("balances_csv"), {"as_of": as_of}, HTTP_ACCEPT="text/html"
    )
    assert browser.status_code == 302


def test_balances_as_of_before_any_sync_says_so(logged_in_client, db, fresh_as_of):
    response = logged_in_client.get(reverse("balances"), {"as_of": "2026-01-05"})
    html = response.content.decode()
    assert "Seat history is not synced yet" in html and "listing" not in response.context


def test_balances_csv_as_of(logged_in_client, tricky, fresh_as_of):
    import csv
    import io

    response = logged_in_client.get(reverse("balances_csv"), {"as_of": "2026-01-08"})
    assert response.status_code == 200
    assert "seat-balances-as-of-2026-01-08T235959Z.csv" in response["Content-Disposition"]
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert table[0][-1] == "as_of"
    body = {(r[1], r[3]): (r[4], r[-1]) for r in table[1:]}
    assert body == {
        ("Acme", "admin"): ("3", "2026-01-08T23:59:59Z"),
        ("Acme", "editor"): ("9", "2026-01-08T23:59:59Z"),
        ("Beta", ""): ("0", "2026-01-08T23:59:59Z"),
    }


def event_ids() -> dict[tuple[int, int, str], str]:
    from seatdash.history.models import SeatEvent

    return {(e.event_timestamp.day, e.total, e.seat_type): e.id for e in SeatEvent.objects.all()}


def test_event_page_shows_its_effect_from_the_store(logged_in_client, tricky):
    ids = event_ids()

    def effect(event_id) -> dict[str, str]:
        """The "Effect on the seats" list as shown: term -> its text, tags and spaces folded."""
        html = logged_in_client.get(reverse("event", args=[event_id])).content.decode()
        listed = html.split("Effect on the seats", 1)[1].split("</dl>", 1)[0]
        return {
            term: " ".join(re.sub(r"<[^>]+>", " ", text).split())
            for term, text in re.findall(r"<dt>([^<]+)</dt><dd[^>]*>(.*?)</dd>", listed, re.S)
        }

    assert effect(ids[(5, 3, "admin")]) == {  # backdated
        "Counts": "Yes",
        "admin seats before": "7",
        "admin seats after": "3 (\u22124)",
    }
    replaced = effect(ids[(3, 5, "admin")])
    assert replaced["Counts"].startswith("No: replaced by a later event")
    assert replaced["admin seats held at its time"] == "0"  # the day-4 replacement came later
    assert replaced["Replaced by"].endswith(ids[(4, 7, "admin")])
    assert "7 seats" in replaced["Replaced by"]
    tie_loser = effect(ids[(8, 6, "editor")])
    assert (tie_loser["editor seats before"], tie_loser["editor seats after"]) == ("4", "6 (+2)")


def test_event_page_before_sync_says_so(logged_in_client, db):
    make_customer("c1", "Acme", "acme")
    post([("acme", 5, "2026-01-03T10:00:00Z")])
    from seatdash.sandbox.models import SeatEvent

    event_id = SeatEvent.objects.get().id
    html = logged_in_client.get(reverse("event", args=[event_id])).content.decode()
    assert "Seat history is not synced yet" in html


def test_balances_table_trend_sparkline_and_30_day_change(logged_in_client, user, tricky):
    import time_machine

    with time_machine.travel("2026-01-20T12:00Z", tick=False):
        response = logged_in_client.get(reverse("balances"))
    trend = response.context["trends"]["c1"]
    assert trend.change_30_days == 10 + 9
    days = trend.daily_totals
    assert len(days) == 90 and days[-1] == 19
    jan = {d: days[89 - (20 - d)] for d in range(1, 21)}
    assert (jan[3], jan[4], jan[5], jan[7], jan[8], jan[10]) == (0, 7, 3, 7, 12, 19)
    assert response.context["trends"]["c2"].change_30_days == 2
    html = response.content.decode()
    assert html.count('<svg class="sparkline"') == 2 and "30-day change" in html
    shown = re.findall(r'<td class="trend">.*?</td><td class="num">([^<]+)</td>', html, re.S)
    assert shown == ["+19", "+2"]  # Acme, Beta: what the page says, not just the context
    with time_machine.travel("2026-02-06T12:00Z", tick=False):  # day 7 and before: > 30 days
        logged_in_client.force_login(user)
        later = logged_in_client.get(reverse("balances")).context["trends"]["c1"]
    assert later.change_30_days == 19 - 3  # held 3 (admin) on Jan 7 12:00


def test_balances_table_without_sync_has_no_trend_columns(logged_in_client, db):
    make_customer("c1", "Acme", "acme")
    response = logged_in_client.get(reverse("balances"))
    assert "trends" not in response.context and "30-day change" not in response.content.decode()


def test_an_empty_as_of_from_the_form_means_today(logged_in_client, tricky):
    # htmx sends every field of the filter form, the empty "as of" one included.
    response = logged_in_client.get(reverse("balances"), {"q": "acme", "as_of": ""}, **HX)
    assert response.status_code == 200
    assert "as_of" not in response.context
    assert rows(response) == {"Acme": 19}
    assert "Back to today" not in response.content.decode()  # no as-of banner
