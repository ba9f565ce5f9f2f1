"""Inputs a reviewer found to break the time pages: dates that overflow datetime arithmetic, a
movers window too long to chart, filters that cannot be applied on the customer chart and the
as-of CSV, and database details in a failed sync's message."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.web import test_history_as_of as as_of_cases

HX = as_of_cases.HX
# The hand-made history of the as-of tests, shared as fixtures.
tricky = as_of_cases.tricky
fresh_as_of = as_of_cases.fresh_as_of

pytestmark = pytest.mark.django_db

OVERFLOWING = ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-23:59", "0001-01-01", "1969-12-31"]


@pytest.mark.parametrize("moment", OVERFLOWING)
@pytest.mark.parametrize(
    ("page", "field"),
    [("balances", "from"), ("balances", "as_of"), ("movers", "from"), ("movers", "to")],
)
def test_dates_outside_1970_to_2999_get_a_message_not_a_500(
    logged_in_client, tricky, page, field, moment
):
    for extra in ({}, HX):
        response = logged_in_client.get(reverse(page), {field: moment}, **extra)
        assert response.status_code == 200
        assert "Use a date between 1970 and 2999" in response.content.decode()


def test_customer_page_date_outside_the_range_gets_a_message(logged_in_client, tricky):
    response = logged_in_client.get(
        reverse("customer", args=["c1"]), {"from": "0001-01-01T00:00:00+01:00"}
    )
    assert response.status_code == 200
    assert "Use a date between 1970 and 2999" in response.content.decode()


def test_movers_window_longer_than_ten_years_is_refused(logged_in_client, tricky):
    response = logged_in_client.get(reverse("movers"), {"from": "2001-01-01", "to": "2026-01-01"})
    html = response.content.decode()
    assert "at most 10 years" in html
    assert '<svg class="chart"' not in html


@pytest.mark.parametrize(
    "bad", [{"from": "x"}, {"seat_type": "bogus"}, {"from": "2026-01-05", "to": "2026-01-01"}]
)
def test_customer_chart_fails_closed_with_the_events(logged_in_client, tricky, bad):
    response = logged_in_client.get(reverse("customer", args=["c1"]), bad)
    html = response.content.decode()
    assert "state-blocked" in html
    assert '<svg class="chart"' not in html
    assert "Every seat change in the chart" not in html


def test_customer_chart_shows_without_a_bad_filter(logged_in_client, tricky):
    html = logged_in_client.get(reverse("customer", args=["c1"])).content.decode()
    assert '<svg class="chart"' in html


def test_balances_csv_as_of_with_an_unknown_seat_type_is_refused(
    logged_in_client, tricky, fresh_as_of
):
    query = {"as_of": "2026-01-08", "seat_type": "bogus"}
    script = logged_in_client.get(reverse("balances_csv"), query)
    assert script.status_code == 400
    assert "bogus" in script.content.decode()
    browser = logged_in_client.get(reverse("balances_csv"), query, HTTP_ACCEPT="text/html")
    assert browser.status_code == 302


def test_failed_sync_stores_the_error_kind_not_its_database_details(db, monkeypatch):
    from seatdash.history import sync as history_sync
    from seatdash.history.models import SyncState

    def crash(self):
        raise RuntimeError('connection to "10.1.2.3" failed for user "seatdash"')

    monkeypatch.setattr(history_sync._Sync, "_read_events", crash)
    with pytest.raises(RuntimeError):
        history_sync.sync_once()

    error = SyncState.objects.get(pk=1).error
    assert "RuntimeError" in error
    assert "10.1.2.3" not in error and 'seatdash"' not in error
