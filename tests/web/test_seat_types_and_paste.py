"""Issue 9: the seat-type filter counts only the selected types; seats_min/max; pasted lists."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from seatdash.clients.sequence import CustomerBalances, SeatBalance
from tests.fakes import at, customer

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def customers(fake_sequence):
    acme = CustomerBalances(
        id="c-1",
        sequence_account_id="acct",
        legal_name="Acme Corp",
        aliases=("acme", "acme-eu"),
        total=13,
        changed_at=at(90),
        balances=(SeatBalance("admin", 3, at(90)), SeatBalance("editor", 10, at(10))),
    )
    fake_sequence.customers = [
        acme,
        customer("c-2", "Müller & Söhne GmbH", {"viewer": 7}, aliases=("mueller",), changed=at(50)),
        customer("c-3", "Zeta Ltd", {"admin": 0}, aliases=("zeta",), changed=at(100)),
        customer(
            "c-4", "Quantum Labs", {"editor": 1, "viewer": 4}, aliases=("qtm",), changed=at(5)
        ),
    ]
    return fake_sequence


def listing(client, **params):
    return client.get(reverse("balances"), params).context["listing"]


def names(result) -> list[str]:
    return [c.legal_name for c in result.rows]


def test_seat_type_filter_counts_only_selected_types(logged_in_client, customers):
    result = listing(logged_in_client, seat_type="editor")
    assert names(result) == ["Acme Corp", "Quantum Labs"]
    assert result.seats_total == 10 + 1  # not 13 + 5
    assert [c.total for c in result.rows] == [10, 1]
    assert result.total_label == "Total (editor)"
    # Acme's editor seats last changed at hour 10, its admin seats at hour 90.
    assert result.rows[0].changed_at == at(10)


def test_two_seat_types_sum_both_and_header_names_them(logged_in_client, customers):
    response = logged_in_client.get(reverse("balances"), {"seat_type": ["admin", "viewer"]}, **HX)
    result = response.context["listing"]
    assert names(result) == ["Acme Corp", "Müller & Söhne GmbH", "Quantum Labs"]
    assert [c.total for c in result.rows] == [3, 7, 4]
    assert result.seats_total == 14
    assert result.column_totals == {"admin": 3, "viewer": 11}
    assert "Total (admin, viewer)" in response.content.decode()


def test_no_seat_type_keeps_plain_total(logged_in_client, customers):
    result = listing(logged_in_client)
    assert result.total_label == "Total"
    assert result.seats_total == 13 + 7 + 0 + 5


def test_sort_by_total_follows_selected_types(logged_in_client, customers):
    result = listing(logged_in_client, seat_type=["admin", "viewer"], sort="-total")
    assert names(result) == ["Müller & Söhne GmbH", "Quantum Labs", "Acme Corp"]
    assert names(listing(logged_in_client, sort="-total"))[0] == "Acme Corp"


def test_sort_by_last_change_follows_selected_types(logged_in_client, customers):
    result = listing(logged_in_client, seat_type="editor", sort="-changed")
    assert names(result) == ["Acme Corp", "Quantum Labs"]  # editor at 10 vs 5
    result = listing(logged_in_client, seat_type="editor", sort="changed")
    assert names(result) == ["Quantum Labs", "Acme Corp"]


def test_seats_min_bounds_selected_types_total(logged_in_client, customers):
    assert names(listing(logged_in_client, seat_type="viewer", seats_min="5")) == [
        "Müller & Söhne GmbH"
    ]
    assert names(listing(logged_in_client, seat_type="viewer", seats_min="4")) == [
        "Müller & Söhne GmbH",
        "Quantum Labs",
    ]


def test_seats_min_max_without_seat_type_bound_every_type_total(logged_in_client, customers):
    assert names(listing(logged_in_client, seats_max="5")) == ["Quantum Labs", "Zeta Ltd"]
    assert names(listing(logged_in_client, seats_min="7", seats_max="13")) == [
        "Acme Corp",
        "Müller & Söhne GmbH",
    ]
    assert names(listing(logged_in_client, seats_min="0", seats_max="0")) == ["Zeta Ltd"]


def test_seats_min_is_shown_in_the_form(logged_in_client, customers):
    html = logged_in_client.get(reverse("balances"), {"seats_min": "300"}).content.decode()
    assert 'name="seats_min"' in html and 'value="300"' in html


def test_csv_has_selected_types_and_threshold(logged_in_client, customers):
    response = logged_in_client.get(
        reverse("balances_csv"), {"seat_type": "editor", "seats_min": "5"}
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [(r["customer_id"], r["seat_type"], r["seats"]) for r in rows] == [
        ("c-1", "editor", "10")
    ]


# --- pasting lists -------------------------------------------------------------------------


def test_token_in_wrong_box_is_matched_and_marked(logged_in_client, customers):
    response = logged_in_client.get(reverse("balances"), {"ids": "acme c-2", "alias": "c-3"})
    result = response.context["listing"]
    assert names(result) == ["Acme Corp", "Müller & Söhne GmbH", "Zeta Ltd"]
    report = {t.token: t for t in result.match_report.tokens}
    assert report["acme"].customer_id == "c-1" and report["acme"].matched_as == "alias"
    assert report["acme"].wrong_box
    assert report["c-2"].matched_as == "id" and not report["c-2"].wrong_box
    assert report["c-3"].matched_as == "id" and report["c-3"].wrong_box
    html = response.content.decode()
    assert "matched as an alias" in html and "matched as an ID" in html
    assert result.unmatched_ids == () and result.unmatched_aliases == ()


def test_match_report_lists_every_token_with_link_or_no_match_and_suggestions(
    logged_in_client, customers
):
    response = logged_in_client.get(
        reverse("balances"), {"alias": "acme-ue\nmuellr\nzzzzzzzz", "ids": "c-4"}
    )
    report = response.context["listing"].match_report
    assert [t.token for t in report.tokens] == ["acme-ue", "muellr", "zzzzzzzz", "c-4"]
    by_token = {t.token: t for t in report.tokens}
    assert not by_token["acme-ue"].matched
    assert by_token["acme-ue"].suggestions[0].text == "acme-eu"
    assert by_token["muellr"].suggestions[0].customer_id == "c-2"
    assert by_token["zzzzzzzz"].suggestions == ()
    assert all(len(t.suggestions) <= 3 for t in report.tokens)
    html = response.content.decode()
    assert html.count("no match") == 3
    assert "did you mean" in html
    assert reverse("customer", args=["c-4"]) in html
    assert names(response.context["listing"]) == ["Quantum Labs"]


def test_suggestions_come_from_names_too(logged_in_client, customers):
    response = logged_in_client.get(reverse("balances"), {"ids": "QuantumLabs"})
    (token,) = response.context["listing"].match_report.tokens
    assert token.suggestions[0].text == "Quantum Labs"
    assert token.suggestions[0].customer_id == "c-4"


def test_match_report_stays_out_of_the_csv(logged_in_client, customers):
    response = logged_in_client.get(reverse("balances_csv"), {"ids": "c-1 nobody acme-ue"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "nobody" not in body and "acme-ue" not in body and "no match" not in body
    assert {r["customer_id"] for r in csv.DictReader(io.StringIO(body))} == {"c-1"}


def test_each_box_prefers_its_own_kind_when_a_token_is_both():
    from seatdash.services.balance_index import BalanceIndex
    from seatdash.services.paste_match import match_pasted

    index = BalanceIndex.from_customers(
        [
            customer("x-1", "By ID", {"admin": 1}),
            customer("c-9", "By alias", {"admin": 1}, aliases=("x-1",)),
        ]
    )
    report = match_pasted(index, aliases=("x-1",), ids=("x-1",))
    as_alias, as_id = report.tokens
    assert (as_alias.customer_id, as_alias.matched_as) == ("c-9", "alias")
    assert (as_id.customer_id, as_id.matched_as) == ("x-1", "id")
    assert match_pasted(index, aliases=(), ids=()) is None


def test_a_seat_type_given_twice_is_counted_once(logged_in_client, customers):
    result = listing(logged_in_client, seat_type=["viewer", "viewer"], seats_min="8")
    assert names(result) == []  # Müller's 7 viewer seats are not 14
    result = listing(logged_in_client, seat_type=["viewer", "viewer"])
    assert result.seats_total == 11 and result.columns == ("viewer",)
