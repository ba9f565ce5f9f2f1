"""`/?sort=change30`: the balances table sorted by each customer's 30-day seat change."""

from __future__ import annotations

import csv
import io

import pytest
import time_machine
from django.urls import reverse

from seatdash.history.sync import sync_once
from seatdash.services import balances, change_window, recent_change
from tests.history.support import api, make_customer, post_event

pytestmark = pytest.mark.django_db

NOW = "2026-01-31T12:00:00Z"


@pytest.fixture
def history(db):
    recent_change.clear()
    change_window.clear()
    make_customer("c1", "Acme", "acme")  # +6 in the window
    make_customer("c2", "Beta", "beta")  # -3 in the window
    make_customer("c3", "Gamma", "gamma")  # grew before the window only: 0
    make_customer("c4", "Delta", "delta")  # +6 too: ties sort by name
    make_customer("c5", "Eps", "eps")  # no events: 0
    with api() as client:
        for alias, total, moment, *rest in [
            ("acme", 2, "2025-12-01T00:00:00Z"),
            ("acme", 8, "2026-01-20T00:00:00Z"),
            ("beta", 5, "2025-12-01T00:00:00Z"),
            ("beta", 2, "2026-01-10T00:00:00Z"),
            ("gamma", 50, "2025-12-20T00:00:00Z"),  # 42 days before NOW
            ("delta", 4, "2026-01-05T00:00:00Z", "admin"),
            ("delta", 2, "2026-01-06T00:00:00Z", "editor"),
        ]:
            extra = {"seat_type": rest[0]} if rest else {}
            assert post_event(client, alias, total, moment, **extra).status_code == 201
    assert sync_once().status == "ok"
    balances.forget_decoded_snapshots()
    yield
    recent_change.clear()


def order(client, **params) -> list[str]:
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("balances"), params)
    assert response.status_code == 200
    assert "sort" not in response.context["listing"].errors
    return [customer.legal_name for customer in response.context["listing"].rows]


def test_largest_growth_first_ties_by_name(logged_in_client, history):
    assert order(logged_in_client, sort="-change30") == ["Acme", "Delta", "Eps", "Gamma", "Beta"]


def test_ascending_puts_the_largest_contraction_first(logged_in_client, history):
    assert order(logged_in_client, sort="change30") == ["Beta", "Eps", "Gamma", "Acme", "Delta"]


def test_the_sort_keeps_the_filters(logged_in_client, history):
    assert order(logged_in_client, sort="-change30", nonzero="1") == [
        "Acme",
        "Delta",
        "Gamma",
        "Beta",
    ]


def test_the_cells_show_the_numbers_the_sort_uses(logged_in_client, history):
    with time_machine.travel(NOW, tick=False):
        response = logged_in_client.get(reverse("balances"), {"sort": "-change30"})
    trends = response.context["trends"]
    assert [trends[c].change_30_days for c in ("c1", "c4", "c5", "c3", "c2")] == [6, 6, 0, 0, -3]
    html = response.content.decode()
    # One click from the unsorted page sorts largest growth first.
    with time_machine.travel(NOW, tick=False):
        plain = logged_in_client.get(reverse("balances")).content.decode()
    assert "?sort=-change30" in plain and 'aria-sort="descending"' in html


def test_a_new_sync_or_a_later_day_gives_new_numbers(logged_in_client, user, history):
    assert order(logged_in_client, sort="-change30")[:2] == ["Acme", "Delta"]
    with time_machine.travel("2026-02-12T12:00:00Z", tick=False):  # delta's Jan 5-6 now out
        logged_in_client.force_login(user)
        response = logged_in_client.get(reverse("balances"), {"sort": "-change30"})
    assert [c.legal_name for c in response.context["listing"].rows] == [
        "Acme",
        "Beta",
        "Delta",
        "Eps",
        "Gamma",
    ]
    logged_in_client.force_login(user)
    with api() as client:
        assert post_event(client, "eps", 30, "2026-01-30T00:00:00Z").status_code == 201
    assert sync_once().status == "ok"
    assert order(logged_in_client, sort="-change30")[0] == "Eps"


def test_the_csv_follows_the_sort(logged_in_client, history):
    with time_machine.travel(NOW, tick=False):
        response = logged_in_client.get(reverse("balances_csv"), {"sort": "change30"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    ids = list(dict.fromkeys(row["customer_id"] for row in csv.DictReader(io.StringIO(text))))
    assert ids == ["c2", "c5", "c3", "c1", "c4"]


def test_without_history_the_sort_falls_back_to_name_and_says_so(logged_in_client, db):
    recent_change.clear()
    make_customer("c1", "Zed", "zed")
    make_customer("c2", "Abe", "abe")
    response = logged_in_client.get(reverse("balances"), {"sort": "-change30"})
    listing = response.context["listing"]
    assert [c.legal_name for c in listing.rows] == ["Abe", "Zed"]
    assert "synced seat history" in listing.errors["sort"]


def test_trend_columns_wait_for_the_series_without_holding_the_page(
    logged_in_client, history, monkeypatch
):
    from seatdash.services import cache, change_series

    change_series.clear()
    started = []

    def run(job, name):  # the series load is held back; every other job runs inline
        return started.append(name) if name == "change series" else job()

    monkeypatch.setattr(cache, "run_in_background", run)
    with time_machine.travel(NOW, tick=False):
        loading = logged_in_client.get(reverse("balances"))
    page = loading.content.decode()
    assert started == ["change series"]  # the load was started off the request
    assert '<th scope="col">90-day trend</th>' not in page and "columns are loading" in page
    assert "Acme" in page  # the balances themselves are not held back

    change_series.change_series()  # the background load lands
    with time_machine.travel(NOW, tick=False):
        loaded = logged_in_client.get(reverse("balances")).content.decode()
    assert '<th scope="col">90-day trend</th>' in loaded and "columns are loading" not in loaded
