"""/movers/ read as `/` reads its input: pasted lists, unknown seat types, empty selections, pages."""

from __future__ import annotations

import csv
import io
import re

import pytest
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
    # One alias, in two spellings, held by two customers: `/` gives it to one owner.
    make_customer("c5", "Duo Upper", "DUO")
    make_customer("c6", "Duo Lower", "duo")
    sandbox_events(
        [
            ("acme", 5, 1),
            ("acme", 8, 5),
            ("acme", 2, 3, "editor"),
            ("beta", 1, 1),
            ("beta", 4, 6),
            ("gamma", 10, 4),
            ("DUO", 3, 4),
            ("duo", 7, 4),
        ]
    )
    assert sync_once().status == "ok"


def get(client, extra=None, **params):
    return client.get(reverse("movers"), {**WINDOW, **params}, **(extra or {}))


def ids_of(response) -> list[str]:
    return sorted(m.id for m in response.context["listing"].rows)


def results(response) -> str:
    html = response.content.decode()
    return html[html.index('id="results"') :] if 'id="results"' in html else html


@pytest.mark.parametrize(
    "pasted",
    ["acme; beta", "acme\tbeta", "acme beta", '"acme", “beta”', "'acme'\n'beta'", "ACME;Beta"],
)
def test_movers_alias_box_splits_and_unquotes_as_balances_does(logged_in_client, history, pasted):
    assert ids_of(get(logged_in_client, alias=pasted)) == ["c1", "c2"]
    as_ids = pasted.lower().replace("acme", "c1").replace("beta", "c2")
    assert ids_of(get(logged_in_client, ids=as_ids)) == ["c1", "c2"]


def test_movers_alias_in_ids_and_id_in_aliases_are_matched_and_marked(logged_in_client, history):
    response = get(logged_in_client, ids="acme c2", alias="c3")
    assert ids_of(response) == ["c1", "c2", "c3"]
    report = response.context["listing"].match_report
    by_token = {t.token: t for t in report.tokens}
    assert by_token["acme"].wrong_box and by_token["acme"].matched_as == "alias"
    assert by_token["c3"].wrong_box and by_token["c3"].matched_as == "id"
    assert not by_token["c2"].wrong_box
    html = results(response)
    assert "matched as an alias" in html and "matched as an ID" in html
    assert "Pasted: 3" in html


def test_movers_unmatched_paste_reports_did_you_mean_and_lists_nobody(logged_in_client, history):
    for extra in ({}, HX):
        response = get(logged_in_client, extra, alias="acmee")
        listing = response.context["listing"]
        (token,) = listing.match_report.unmatched
        assert "acme" in [s.text for s in token.suggestions]
        html = results(response)
        assert "did you mean" in html and "no match" in html
        assert listing.nobody_selected and listing.rows == [] and listing.chart == []
        assert "No customers match these filters" in html
        assert "<svg" not in html  # no chart of zeros


def test_movers_more_than_5000_pasted_ids_fail_closed(logged_in_client, history):
    pasted = " ".join(f"x{i}" for i in range(5_001))
    response = get(logged_in_client, ids=pasted)
    assert "listing" not in response.context
    html = response.content.decode()
    assert re.search(r'id="error-ids"[^>]*>[^<]*5,001 customer IDs pasted; at most 5,000', html)
    assert "Nothing listed" in html
    script = logged_in_client.get(reverse("movers_csv"), {**WINDOW, "ids": pasted})
    assert script.status_code == 400 and "ids" in script.content.decode()


def test_movers_alias_two_customers_hold_goes_to_the_owner_balances_picks(
    logged_in_client, history
):
    on_balances = logged_in_client.get(reverse("balances"), {"alias": "duo"})
    picked = [c.id for c in on_balances.context["listing"].rows]
    assert len(picked) == 1
    as_of = logged_in_client.get(reverse("balances"), {"alias": "duo", "as_of": "2026-01-09"})
    assert [c.id for c in as_of.context["listing"].rows] == picked
    for spelling in ("duo", "DUO", "Duo"):
        assert ids_of(get(logged_in_client, alias=spelling)) == picked


def test_movers_search_folds_case_and_accents_as_balances_does(logged_in_client, history):
    assert ids_of(get(logged_in_client, q="GAMMA")) == ["c3"]
    assert ids_of(get(logged_in_client, q="gámma")) == ["c3"]
    assert ids_of(get(logged_in_client, q="c2")) == ["c2"]


def test_movers_unknown_seat_type_fails_closed_listing_known_types(logged_in_client, history):
    for extra in ({}, HX):
        response = get(logged_in_client, extra, seat_type=["admin", "bogus"])
        assert response.status_code == 200
        listing = response.context["listing"]
        assert listing.rows == [] and listing.chart == []
        html = response.content.decode()
        error = re.search(r'id="error-seat_type"[^>]*>([^<]*)<', html).group(1)
        assert "bogus" in error and "Choose from: admin, editor" in error
        assert "Nothing listed" in html
        assert "<svg" not in results(response)
    # The fieldset offers the known types to choose from.
    assert 'value="editor"' in get(logged_in_client, seat_type="bogus").content.decode()


def test_movers_csv_unknown_seat_type_is_refused_not_a_header_only_file(logged_in_client, history):
    params = {**WINDOW, "seat_type": "bogus"}
    script = logged_in_client.get(reverse("movers_csv"), params)
    assert script.status_code == 400
    assert script["Content-Type"].startswith("text/plain")
    body = script.content.decode()
    assert "No CSV" in body and "seat_type" in body and "admin, editor" in body
    browser = logged_in_client.get(reverse("movers_csv"), params, HTTP_ACCEPT="text/html")
    assert browser.status_code == 302 and browser["Location"].startswith(reverse("movers"))
    htmx = logged_in_client.get(reverse("movers_csv"), params, **HX)
    assert htmx["HX-Redirect"].startswith(reverse("movers"))


def test_movers_csv_of_an_empty_selection_is_refused_not_an_empty_file(logged_in_client, history):
    # A header-only file would read as "nobody moved"; the page says "No customers match".
    response = logged_in_client.get(reverse("movers_csv"), {**WINDOW, "q": "nobody"})
    assert response.status_code == 400
    assert "No customer matches them." in response.content.decode()
    matched = logged_in_client.get(reverse("movers_csv"), {**WINDOW, "q": "acme"})
    rows = list(csv.reader(io.StringIO(b"".join(matched.streaming_content).decode())))
    assert matched.status_code == 200 and len(rows) > 1


@pytest.mark.parametrize(
    ("page", "note"),
    [
        ("x", "Showing page 1"),
        ("0", "Showing page 1"),
        ("-3", "Showing page 1"),
        ("99", "There is no page 99; the last page is 1."),
    ],
)
def test_movers_bad_page_falls_back_with_a_note(logged_in_client, history, page, note):
    for extra in ({}, HX):
        response = get(logged_in_client, extra, page=page)
        assert response.status_code == 200
        listing = response.context["listing"]
        assert listing.page == 1 and len(listing.rows) == 5
        html = results(response)
        assert note in html and "Nothing listed" not in html
    assert logged_in_client.get(reverse("movers_csv"), {**WINDOW, "page": page}).status_code == 200


def test_as_of_csv_not_synced_is_refused_through_the_one_refusal(logged_in_client, db):
    response = logged_in_client.get(reverse("balances_csv"), {"as_of": "2026-01-05"})
    assert response.status_code == 400
    body = response.content.decode()
    assert body.startswith("No CSV: a filter cannot be applied.")
    assert "as_of" in body and "sync_seat_events" in body
    browser = logged_in_client.get(
        reverse("balances_csv"), {"as_of": "2026-01-05"}, HTTP_ACCEPT="text/html"
    )
    assert browser.status_code == 302 and "as_of=2026-01-05" in browser["Location"]


def test_customer_chart_honours_a_known_seat_type(logged_in_client, history):
    url = reverse("customer", args=["c1"])
    whole = logged_in_client.get(url).context["history"]
    assert sorted(whole.series) == ["admin", "editor"]
    response = logged_in_client.get(url, {"seat_type": "editor"})
    history_ = response.context["history"]
    assert list(history_.series) == ["editor"]
    assert {seat_type for _, seat_type in history_.table} == {"editor"}
    html = response.content.decode()
    chart = html[html.index('class="seat-history"') :]
    svg = chart[chart.index("<svg") : chart.index("</svg>")]
    assert svg.count('class="series"') == 1 and "editor" in svg and "admin" not in svg
    unknown = logged_in_client.get(url, {"seat_type": "bogus"})
    assert "history" not in unknown.context  # fails closed, as before


def test_an_unknown_seat_type_is_its_own_error_not_an_empty_selection(logged_in_client, history):
    listing = logged_in_client.get(reverse("movers"), {**WINDOW, "seat_type": "bogus"}).context[
        "listing"
    ]
    assert "seat_type" in listing.errors
    assert listing.nobody_selected is False and listing.rows == [] and listing.chart == []


def test_while_the_history_loads_movers_and_as_of_poll_instead_of_waiting(
    logged_in_client, history, monkeypatch
):
    from seatdash.services import cache, change_series

    change_series.clear()
    held_back = []

    def run(job, name):  # the series load is held back; every other job runs inline
        return held_back.append(job) if name == "change series" else job()

    monkeypatch.setattr(cache, "run_in_background", run)
    movers_page = logged_in_client.get(reverse("movers"), WINDOW).content.decode()
    as_of_page = logged_in_client.get(reverse("balances"), {"as_of": "2026-01-09"})
    for page in (movers_page, as_of_page.content.decode()):
        assert "Loading the seat history" in page and 'hx-trigger="every 2s"' in page
        assert "Acme" not in page  # no rows from a half-known history
    assert held_back  # the load was started, off the request

    download = logged_in_client.get(reverse("movers_csv"), WINDOW)  # a download waits for it
    assert download.status_code == 200 and "Acme" in b"".join(download.streaming_content).decode()
    held_back[0]()
    assert "Acme" in logged_in_client.get(reverse("movers"), WINDOW).content.decode()
