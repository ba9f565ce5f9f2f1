from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from seatdash.services.cache import now
from tests.fakes import at, customer

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def customers(fake_sequence):
    fake_sequence.customers = [
        customer(
            "c-1",
            "Acme Corp",
            {"admin": 3, "editor": 10},
            aliases=("acme", "acme-eu"),
            changed=at(10),
        ),
        customer("c-2", "Müller & Söhne GmbH", {"viewer": 7}, aliases=("mueller",), changed=at(50)),
        customer("c-3", "Zeta Ltd", {"admin": 0}, aliases=("zeta",), changed=at(100)),
        customer("c-4", '=HYPERLINK("http://x")', {"editor": 1}, aliases=("-evil",), changed=at(5)),
    ]
    return fake_sequence


def rows_of(response) -> list[str]:
    return [c.legal_name for c in response.context["listing"].rows]


def get(client, **params):
    return client.get(reverse("balances"), params)


def test_balances_lists_every_customer_with_counts_and_totals(logged_in_client, customers):
    response = get(logged_in_client)
    assert response.status_code == 200
    listing = response.context["listing"]
    assert listing.matched == 4
    assert listing.column_totals == {"admin": 3, "editor": 11, "viewer": 7}
    assert listing.seats_total == 21
    html = response.content.decode()
    assert "Müller &amp; Söhne GmbH" in html
    assert "Balances as of" in html
    assert response["Cache-Control"].count("no-store") == 1


def test_balances_q_matches_name_alias_and_id_case_insensitively(logged_in_client, customers):
    assert rows_of(get(logged_in_client, q="müller")) == ["Müller & Söhne GmbH"]
    assert rows_of(get(logged_in_client, q="MULLER & so")) == ["Müller & Söhne GmbH"]
    assert rows_of(get(logged_in_client, q="ACME-E")) == ["Acme Corp"]
    assert rows_of(get(logged_in_client, q="c-3")) == ["Zeta Ltd"]


def test_balances_alias_and_ids_select_exactly_and_report_unmatched(logged_in_client, customers):
    response = get(logged_in_client, alias="acme-eu\nnobody", ids="c-2, c-404 c-3")
    assert sorted(rows_of(response)) == ["Acme Corp", "Müller & Söhne GmbH", "Zeta Ltd"]
    listing = response.context["listing"]
    assert listing.unmatched_ids == ("c-404",)
    assert listing.unmatched_aliases == ("nobody",)
    assert "c-404" in response.content.decode()


def test_balances_many_ids_are_matched_without_upstream_calls_per_batch(
    logged_in_client, customers
):
    ids = " ".join(f"c-{n}" for n in range(1, 200))
    response = get(logged_in_client, ids=ids)
    assert response.context["listing"].matched == 4
    assert customers.calls["fetch_seat_balances"] == 1


def test_balances_seat_type_keeps_holders_and_only_those_columns(logged_in_client, customers):
    response = logged_in_client.get(reverse("balances") + "?seat_type=admin&seat_type=viewer")
    listing = response.context["listing"]
    assert sorted(rows_of(response)) == ["Acme Corp", "Müller & Söhne GmbH"]
    assert listing.columns == ("admin", "viewer")
    assert listing.column_totals == {"admin": 3, "viewer": 7}


def test_balances_unknown_seat_type_is_named_next_to_the_field(logged_in_client, customers):
    response = get(logged_in_client, seat_type="pilot")
    assert "No customer has seat type pilot" in response.content.decode()
    assert response.context["listing"].matched == 0


def test_balances_date_window_is_inclusive_and_accepts_dates_and_datetimes(
    logged_in_client, customers
):
    # at(50) is 2026-01-03T02:00Z; at(100) is 2026-01-05T04:00Z
    assert rows_of(get(logged_in_client, **{"from": "2026-01-03", "to": "2026-01-03"})) == [
        "Müller & Söhne GmbH"
    ]
    assert rows_of(get(logged_in_client, **{"from": "2026-01-05T04:00:00Z"})) == ["Zeta Ltd"]


def test_balances_nonzero_hides_customers_without_seats(logged_in_client, customers):
    assert "Zeta Ltd" not in rows_of(get(logged_in_client, nonzero="1"))
    assert "Zeta Ltd" in rows_of(get(logged_in_client))


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        ("total", "Zeta Ltd"),
        ("-total", "Acme Corp"),
        ("-changed", "Zeta Ltd"),
        ("seats.viewer", '=HYPERLINK("http://x")'),
    ],
)
def test_balances_sort_by_column_both_ways(logged_in_client, customers, sort, first):
    response = get(logged_in_client, sort=sort)
    assert rows_of(response)[0] == first
    assert response.context["listing"].sort == sort


def test_balances_sorted_header_carries_aria_sort(logged_in_client, customers):
    html = get(logged_in_client, sort="-total").content.decode()
    assert 'aria-sort="descending"' in html
    assert html.count("aria-sort=") == 1


def test_balances_paging_and_page_past_the_end(logged_in_client, fake_sequence):
    fake_sequence.customers = [
        customer(f"c-{n:03}", f"Customer {n:03}", {"admin": n}) for n in range(120)
    ]
    page3 = get(logged_in_client, page=3)
    assert rows_of(page3) == [f"Customer {n:03}" for n in range(100, 120)]
    past = get(logged_in_client, page=9)
    assert past.status_code == 200
    assert past.context["listing"].page == 3
    assert "There is no page 9; the last page is 3." in past.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "yesterday"}, "Use a date like"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "“to” is before “from”."),
        ({"sort": "drop table"}, "Cannot sort by"),
        ({"page": "-1"}, "greater than or equal to 1"),
        ({"page": "abc"}, "Enter a whole number"),
        ({"q": "x" * 500}, "at most 200 characters"),
        ({"q": "a\x00b"}, "Null characters are not allowed"),
        ({"ids": "a" * 300}, "longer than 200 characters"),
    ],
)
def test_balances_bad_input_is_explained_and_page_still_works(
    logged_in_client, customers, params, message
):
    response = get(logged_in_client, **params)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "listing" in response.context  # the table is still shown


def test_balances_bad_input_keeps_what_was_typed(logged_in_client, customers):
    html = get(logged_in_client, **{"from": "31/12/2026"}).content.decode()
    assert 'value="31/12/2026"' in html


def test_balances_htmx_request_gets_fragment_with_vary(logged_in_client, customers):
    response = logged_in_client.get(reverse("balances"), {"q": "acme"}, **HX)
    html = response.content.decode()
    assert "<html" not in html
    assert "Acme Corp" in html
    assert "HX-Request" in response["Vary"]
    full = logged_in_client.get(reverse("balances"), {"q": "acme"})
    assert "<html" in full.content.decode()
    assert "HX-Request" in full["Vary"]


def test_balances_history_restore_and_boosted_requests_get_full_page(logged_in_client, customers):
    restore = logged_in_client.get(
        reverse("balances"), **HX, HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    boosted = logged_in_client.get(reverse("balances"), **HX, HTTP_HX_BOOSTED="true")
    assert "<html" in restore.content.decode()
    assert "<html" in boosted.content.decode()


def test_balances_htmx_fragment_updates_field_errors_out_of_band(logged_in_client, customers):
    html = logged_in_client.get(reverse("balances"), {"from": "nope"}, **HX).content.decode()
    assert 'id="error-from" hx-swap-oob="true"' in html


def test_balances_upstream_down_with_copy_shows_stale_banner_with_200(logged_in_client, customers):
    get(logged_in_client)
    customers.failing = True
    with time_machine.travel(now() + timedelta(minutes=10), tick=False):
        response = logged_in_client.get(reverse("balances"), **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sequence is unreachable right now." in html
    assert "Showing data from" in html
    assert "Acme Corp" in html


def test_balances_upstream_down_without_copy_shows_error_state_with_retry(
    logged_in_client, customers
):
    customers.failing = True
    response = logged_in_client.get(reverse("balances"), **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sequence is unreachable right now." in html
    assert "Retry" in html and "refresh=1" in html
    assert "Traceback" not in html


@override_settings(MAX_STALE_SECONDS=300)
def test_balances_copy_past_max_staleness_is_not_shown(logged_in_client, customers):
    get(logged_in_client)
    customers.failing = True
    with time_machine.travel(now() + timedelta(minutes=6), tick=False):
        html = logged_in_client.get(reverse("balances")).content.decode()
    assert "Acme Corp" not in html
    assert "no recent copy" in html


def test_balances_warm_page_makes_no_upstream_call(logged_in_client, customers):
    get(logged_in_client)
    get(logged_in_client, q="acme", sort="-total")
    assert customers.calls["fetch_seat_balances"] == 1


def test_balances_refresh_refetches_and_redirects_without_js(logged_in_client, customers):
    get(logged_in_client)
    with time_machine.travel(now() + timedelta(minutes=1), tick=False):
        response = logged_in_client.get(reverse("balances"), {"q": "acme", "refresh": "1"})
    assert response.status_code == 302
    assert response.url == reverse("balances") + "?q=acme"
    assert customers.calls["fetch_seat_balances"] == 2


def test_balances_empty_and_filtered_empty_states_differ(logged_in_client, fake_sequence):
    assert "has no customers with seats yet" in get(logged_in_client).content.decode()
    fake_sequence.customers = [customer("c-1", "Acme", {"admin": 1})]
    fake_sequence.calls.clear()
    from django.core.cache import cache

    cache.clear()
    html = get(logged_in_client, q="zzz").content.decode()
    assert "No customers match these filters." in html
    assert "Clear filters" in html


def read_csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_balances_csv_has_every_filtered_row_across_pages(logged_in_client, fake_sequence):
    fake_sequence.customers = [
        customer(f"c-{n:03}", f"Customer {n:03}", {"admin": n, "viewer": 1}) for n in range(120)
    ]
    response = logged_in_client.get(reverse("balances_csv"), {"q": "customer 1", "page": 1})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="seat-balances-')
    assert "no-store" in response["Cache-Control"]
    rows = read_csv(response)
    expected = {f"c-{n:03}" for n in range(120) if f"customer {n:03}".startswith("customer 1")}
    assert {row["customer_id"] for row in rows} == expected
    assert len(rows) == 2 * len(expected)  # one row per customer and seat type


def test_balances_csv_seat_type_filter_limits_rows_and_columns(logged_in_client, customers):
    rows = read_csv(logged_in_client.get(reverse("balances_csv"), {"seat_type": "editor"}))
    assert sorted((r["customer_id"], r["seat_type"], r["seats"]) for r in rows) == [
        ("c-1", "editor", "10"),
        ("c-4", "editor", "1"),
    ]


def test_balances_csv_neutralises_formulas_and_keeps_numbers(logged_in_client, customers):
    rows = read_csv(logged_in_client.get(reverse("balances_csv"), {"ids": "c-4"}))
    assert rows[0]["legal_name"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["aliases"] == "'-evil"
    assert rows[0]["seats"] == "1"
    assert rows[0]["changed_at"] == "2026-01-01T05:00:00Z"


def test_balances_csv_upstream_down_without_copy_returns_to_page_with_banner(
    logged_in_client, customers
):
    customers.failing = True
    response = logged_in_client.get(reverse("balances_csv"), {"q": "acme"})
    assert response.status_code == 302
    assert response.url == reverse("balances") + "?q=acme"


def test_balances_form_submission_redirects_to_url_without_empty_fields(
    logged_in_client, customers
):
    response = logged_in_client.get(reverse("balances") + "?q=acme&alias=&ids=&from=&to=&sort=name")
    assert response.status_code == 302
    assert response.url == reverse("balances") + "?q=acme&sort=name"


def test_balances_htmx_submission_pushes_url_without_empty_fields(logged_in_client, customers):
    response = logged_in_client.get(
        reverse("balances") + "?q=acme&alias=&seat_type=&seat_type=admin", **HX
    )
    assert response.status_code == 200
    assert response["HX-Push-Url"] == reverse("balances") + "?q=acme&seat_type=admin"
    clean = logged_in_client.get(reverse("balances") + "?q=acme", **HX)
    assert "HX-Push-Url" not in clean
