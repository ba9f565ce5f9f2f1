"""/movers/ and /movers.csv on a hand-made synced history: sums, every filter, bad input, the CSV."""

from __future__ import annotations

import csv
import io
import re

import pytest
import time_machine
from django.urls import reverse

from seatdash.history.sync import sync_once
from tests.history.support import make_customer, sandbox_events

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
WINDOW = {"from": "2026-01-02", "to": "2026-01-09"}


@pytest.fixture
def history(db):
    make_customer("c1", "Acme", "acme")
    make_customer("c2", "Beta", "beta")
    make_customer("c3", "Gamma", "gamma")
    make_customer("c4", "=Delta", "delta")
    sandbox_events(
        [
            ("acme", 5, 1),
            ("acme", 8, 5),
            ("acme", 2, 3, "editor"),
            ("acme", 3, 10),  # after the window
            ("beta", 1, 1),
            ("beta", 4, 6),
            ("gamma", 10, 4),  # new in the window
            ("delta", 6, 1),
            ("delta", 0, 8),  # churned in the window
        ]
    )
    assert sync_once().status == "ok"


def get(client, **params):
    return client.get(reverse("movers"), {**WINDOW, **params})


def names(response) -> list[str]:
    return [m.legal_name for m in response.context["listing"].rows]


def test_movers_rank_by_absolute_change_with_seats_at_both_ends(logged_in_client, history):
    response = get(logged_in_client)
    assert response.status_code == 200
    listing = response.context["listing"]
    assert names(response) == ["Gamma", "=Delta", "Acme", "Beta"]
    acme = next(m for m in listing.rows if m.id == "c1")
    assert (acme.seats_from, acme.seats_to, acme.change) == (5, 10, 5)
    assert acme.pct == pytest.approx(100.0)
    assert [(m.seat_type, m.seats_from, m.seats_to) for m in acme.moves] == [
        ("admin", 5, 8),
        ("editor", 0, 2),
    ]
    gamma = next(m for m in listing.rows if m.id == "c3")
    delta = next(m for m in listing.rows if m.id == "c4")
    assert gamma.is_new and not gamma.churned and gamma.pct is None
    assert delta.churned and not delta.is_new
    assert (listing.grew, listing.shrank, listing.net_change) == (3, 1, 10 - 6 + 5 + 3)
    html = response.content.decode()
    assert "churned to 0" in html and ">new<" in html


def test_window_edges_are_inclusive_and_from_is_just_before_start(logged_in_client, history):
    # Day 5 starts the window: acme's 5 -> 8 counts, seats at from are the 5 held before it.
    response = get(logged_in_client, **{"from": "2026-01-05", "to": "2026-01-05"})
    assert names(response) == ["Acme"]
    assert response.context["listing"].rows[0].seats_from == 5
    assert response.context["listing"].rows[0].seats_to == 8


def test_sorts(logged_in_client, history):
    assert names(get(logged_in_client, sort="-change")) == ["Gamma", "Acme", "Beta", "=Delta"]
    assert names(get(logged_in_client, sort="change")) == ["=Delta", "Beta", "Acme", "Gamma"]
    assert names(get(logged_in_client, sort="name")) == ["=Delta", "Acme", "Beta", "Gamma"]
    assert names(get(logged_in_client, sort="-name")) == ["Gamma", "Beta", "Acme", "=Delta"]
    assert names(get(logged_in_client, sort="-from")) == ["=Delta", "Acme", "Beta", "Gamma"]
    assert names(get(logged_in_client, sort="-to")) == [
        "Acme",
        "Gamma",
        "Beta",
        "=Delta",
    ]  # 10, 10 (ties by name)
    # Beta 1 -> 4 is +300 %, Acme +100 %, Delta -100 %; Gamma has no percentage: last.
    assert names(get(logged_in_client, sort="-pct")) == ["Beta", "Acme", "=Delta", "Gamma"]
    assert names(get(logged_in_client, sort="pct")) == ["=Delta", "Acme", "Beta", "Gamma"]


def test_filters_direction_min_change_seat_type_and_customers(logged_in_client, history):
    assert names(get(logged_in_client, direction="up")) == ["Gamma", "Acme", "Beta"]
    assert names(get(logged_in_client, direction="down")) == ["=Delta"]
    assert names(get(logged_in_client, min_change="5")) == ["Gamma", "=Delta", "Acme"]
    editor = get(logged_in_client, seat_type="editor")
    assert names(editor) == ["Acme"]
    assert editor.context["listing"].rows[0].change == 2
    assert names(get(logged_in_client, q="amm")) == ["Gamma"]
    assert names(get(logged_in_client, q="DELTA")) == ["=Delta"]  # by alias
    assert names(get(logged_in_client, alias="acme, beta")) == ["Acme", "Beta"]
    assert names(get(logged_in_client, ids="c4 c3")) == ["Gamma", "=Delta"]
    assert names(get(logged_in_client, ids="c4 c3", q="gam")) == ["Gamma"]


def test_chart_totals_per_seat_type_and_steps_on_change_days(logged_in_client, history):
    listing = get(logged_in_client).context["listing"]
    assert listing.seat_types == ["admin", "editor"]
    before, *days = listing.chart
    assert before.totals == {"admin": 5 + 1 + 6, "editor": 0}
    by_day = {p.day.day: p.totals for p in days}
    assert by_day[2] == {"admin": 12, "editor": 0}
    assert by_day[3] == {"admin": 12, "editor": 2}
    assert by_day[4]["admin"] == 22
    assert by_day[5]["admin"] == 25
    assert by_day[8]["admin"] == 28 - 6
    assert by_day[9] == {"admin": 22, "editor": 2}
    html = get(logged_in_client).content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count('class="series"') == 2
    assert "2026-01-04 · admin: 22 seats (+10)" in svg
    # The chart only covers the selected customers.
    gamma = get(logged_in_client, q="gamma").context["listing"]
    assert gamma.chart[0].totals == {"admin": 0} and gamma.chart[-1].totals == {"admin": 10}


def test_default_window_is_the_last_30_days(logged_in_client, history):
    with time_machine.travel("2026-01-20T12:00Z", tick=False):
        response = logged_in_client.get(reverse("movers"))
    listing = response.context["listing"]
    assert listing.filters.start.isoformat() == "2025-12-21T00:00:00+00:00"
    assert names(response) == ["Gamma", "Acme", "Beta"]  # delta 6 -> 0 nets to 0 from nothing


def test_quick_ranges_are_links_keeping_other_filters(logged_in_client, history):
    with time_machine.travel("2026-05-15T12:00Z", tick=False):
        html = logged_in_client.get(reverse("movers"), {"q": "acme"}).content.decode()
    links = dict(re.findall(r'<a class="button[^"]*" href="([^"]+)"[^>]*>([^<]+)</a>', html))
    by_label = {label: href.replace("&amp;", "&") for href, label in links.items()}
    assert "from=2026-05-08&to=2026-05-15" in by_label["7 days"]
    assert "from=2026-04-01&to=2026-05-15" in by_label["This quarter"]
    assert "from=2026-01-01&to=2026-03-31" in by_label["Last quarter"]
    assert "from=2026-01-01&to=2026-05-15" in by_label["Year to date"]
    quick = ("7 days", "30 days", "90 days", "This quarter", "Last quarter", "Year to date")
    assert all("q=acme" in by_label[label] for label in quick)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-01-09", "to": "2026-01-02"}, "to"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2999-01-01"}, "to"),
        ({"to": "2999-01-01T00:00Z"}, "to"),
        ({"direction": "sideways"}, "direction"),
        ({"sort": "size"}, "sort"),
        ({"min_change": "ten"}, "min_change"),
    ],
)
def test_bad_input_fails_closed_on_page_fragment_and_csv(logged_in_client, history, params, field):
    for extra in ({}, HX):
        response = logged_in_client.get(reverse("movers"), {**WINDOW, **params}, **extra)
        assert response.status_code == 200
        assert "listing" not in response.context
        html = response.content.decode()
        assert re.search(rf'id="error-{field}"[^>]*>[^<]+\S', html), html
        assert "Nothing listed" in html
    script = logged_in_client.get(reverse("movers_csv"), {**WINDOW, **params})
    assert script.status_code == 400
    assert script["Content-Type"].startswith("text/plain")
    assert field in script.content.decode()
    browser = logged_in_client.get(
        reverse("movers_csv"), {**WINDOW, **params}, HTTP_ACCEPT="text/html"
    )
    assert browser.status_code == 302 and browser["Location"].startswith(reverse("movers"))


def test_not_synced_says_so_and_never_zeros(logged_in_client, db):
    response = get(logged_in_client)
    html = response.content.decode()
    assert "not synced yet" in html and "manage.py sync_seat_events" in html
    assert "listing" not in response.context
    assert logged_in_client.get(reverse("movers_csv"), WINDOW).status_code == 400


def test_movers_csv_rows_per_customer_and_seat_type_formula_safe(logged_in_client, history):
    response = logged_in_client.get(reverse("movers_csv"), WINDOW)
    assert response.status_code == 200
    assert "seat-movers-2026-01-02-to-2026-01-09.csv" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "customer_id", "legal_name", "aliases", "seat_type", "seats_from", "seats_to",
        "change", "from", "to",
    ]  # fmt: skip
    body = rows[1:]
    assert [r[0] for r in body] == ["c3", "c4", "c1", "c1", "c2"]
    assert body[1][1] == "'=Delta"
    assert body[2][3:7] == ["admin", "5", "8", "3"]
    assert body[3][3:7] == ["editor", "0", "2", "2"]
    assert body[0][7:] == ["2026-01-02T00:00:00Z", "2026-01-09T23:59:59Z"]
    filtered = logged_in_client.get(reverse("movers_csv"), {**WINDOW, "direction": "down"})
    assert len(list(csv.reader(io.StringIO(b"".join(filtered.streaming_content).decode())))) == 2


def test_movers_csv_needs_the_export_role(viewer_client, history):
    assert viewer_client.get(reverse("movers_csv"), WINDOW).status_code == 403
