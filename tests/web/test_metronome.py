"""The Metronome pages over the sandbox: pages and fragments, filters, expands, CSVs, failures."""

from __future__ import annotations

import csv
import io
import math
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from seatdash.sandbox_metronome.models import LedgerEntry
from seatdash.services.cache import now
from tests.fakes import customer
from tests.metronome_fixtures import (
    CountingTransport,
    build_account,
    build_large_contract,
    counting_client,
    use_client,
)

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def upstream(monkeypatch) -> CountingTransport:
    transport = CountingTransport()
    client = counting_client(transport)
    use_client(monkeypatch, lambda: client)
    return transport


@pytest.fixture
def account(upstream):
    return build_account()


def seats_url(account, name="metronome_seats"):
    return reverse(name, args=account.ids)


def balance_of(grant) -> Decimal:
    return sum((e.amount for e in LedgerEntry.objects.filter(grant=grant)), Decimal(0))


def read_csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


# --- Finder and contracts ------------------------------------------------------------------------


def test_metronome_customers_lists_all_and_filters_by_exact_alias(logged_in_client, account):
    everyone = logged_in_client.get(reverse("metronome_customers"))
    assert sorted(c.name for c in everyone.context["fetched"].value) == ["Acme", "Globex"]
    by_alias = logged_in_client.get(reverse("metronome_customers"), {"alias": "acme-eu"}, **HX)
    assert [c.name for c in by_alias.context["fetched"].value] == ["Acme"]
    assert "<html" not in by_alias.content.decode()
    assert "HX-Request" in by_alias["Vary"]


def test_metronome_customers_search_matches_external_id_and_names_empty(logged_in_client, account):
    found = logged_in_client.get(reverse("metronome_customers"), {"q": "CRM-9"})
    assert [c.name for c in found.context["fetched"].value] == ["Globex"]
    none = logged_in_client.get(reverse("metronome_customers"), {"q": "zzz"}).content.decode()
    assert "No Metronome customer matches." in none


def test_metronome_customer_shows_contract_with_seat_based_subscriptions_only(
    logged_in_client, account
):
    response = logged_in_client.get(reverse("metronome_customer", args=[account.ids[0]]))
    html = response.content.decode()
    assert response.status_code == 200
    assert account.contract.name in html
    assert account.pro.product_name in html and account.viewer.product_name in html
    assert account.fee.product_name not in html
    assert seats_url(account) in html


def test_metronome_unknown_customer_is_404_with_metronome_message(logged_in_client, upstream):
    response = logged_in_client.get(reverse("metronome_customer", args=["nope"]))
    assert response.status_code == 404
    assert "Customer nope not found" in response.content.decode()


def test_metronome_unknown_contract_is_404(logged_in_client, account):
    url = reverse("metronome_seats", args=[account.ids[0], "00000000-0000-4000-8000-000000000000"])
    assert logged_in_client.get(url).status_code == 404


def test_metronome_pages_need_login(client, account):
    response = client.get(seats_url(account))
    assert response.status_code == 302
    assert reverse("login") in response.url


# --- Seat balances -------------------------------------------------------------------------------


def test_seat_balances_rows_per_seat_with_named_credit_types_and_totals(logged_in_client, account):
    response = logged_in_client.get(seats_url(account))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    listing = response.context["fetched"].value
    assert {r.seat_id for r in listing.rows} == {
        "alice@acme.example",
        "bob@acme.example",
        "=HYPERLINK(1)",
    }
    labels = [c.label for c in listing.columns]
    assert {"USD", "Seat credits", "Goodwill (EUR)"} == set(labels)
    usd = labels.index("USD")
    expected = balance_of(account.grants["alice-commit"]) + balance_of(account.grants["bob-commit"])
    assert listing.totals[usd].balance == expected
    assert "Seat balances as of" in response.content.decode()


def test_seat_balances_htmx_fragment_and_full_page_for_history_and_boost(logged_in_client, account):
    fragment = logged_in_client.get(seats_url(account), **HX)
    assert "<html" not in fragment.content.decode()
    assert "alice@acme.example" in fragment.content.decode()
    assert "HX-Request" in fragment["Vary"]
    restore = logged_in_client.get(seats_url(account), **HX, HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    boosted = logged_in_client.get(seats_url(account), **HX, HTTP_HX_BOOSTED="true")
    assert "<html" in restore.content.decode()
    assert "<html" in boosted.content.decode()


def test_seat_balances_subscription_filter_keeps_its_seats(logged_in_client, account):
    response = logged_in_client.get(seats_url(account), {"subscription": str(account.viewer.id)})
    assert [r.seat_id for r in response.context["fetched"].value.rows] == ["=HYPERLINK(1)"]


def test_seat_balances_pasted_seat_ids_select_and_report_unknown(logged_in_client, account):
    response = logged_in_client.get(seats_url(account), {"seats": "bob@acme.example, ghost\n"})
    listing = response.context["fetched"].value
    assert [r.seat_id for r in listing.rows] == ["bob@acme.example"]
    assert listing.unmatched_seat_ids == ("ghost",)
    assert "ghost" in response.content.decode()


def test_seat_balances_covering_date_keeps_only_active_grants(logged_in_client, account):
    grant = account.grants["alice-mar"]
    inside = grant.start_date + timedelta(days=1)
    response = logged_in_client.get(
        seats_url(account, "metronome_seat"),
        {"covering_date": inside.date().isoformat(), "seat": "alice@acme.example"},
    )
    grants = response.context["detail"].value.commits_and_credits
    assert len(grants) == 2  # the annual commit and March's credit; January's has ended


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"covering_date": "2026-02-01", "starting_at": "2026-01-01"}, "covering_date"),
        ({"covering_date": "2026-02-01", "effective_before": "2026-03-01"}, "covering_date"),
        ({"starting_at": "2026-03-01", "effective_before": "2026-01-01"}, "effective_before"),
        ({"subscription": "not-on-this-contract"}, "subscription"),
        ({"starting_at": "31/12/2026"}, "starting_at"),
    ],
)
def test_seat_balances_rule_broken_is_field_error_without_seat_call(
    logged_in_client, account, upstream, params, field
):
    response = logged_in_client.get(seats_url(account), params, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["form"].errors[field]
    assert f'id="error-{field}" hx-swap-oob="true"' in html
    assert "Fix the filter marked above" in html
    assert upstream.seat_calls == 0


def test_seat_balances_quantity_only_subscription_is_refused_before_any_seat_call(
    logged_in_client, account, upstream
):
    response = logged_in_client.get(seats_url(account), {"subscription": str(account.fee.id)})
    assert response.context["form"].errors["subscription"]
    assert upstream.seat_calls == 0


def test_seat_balances_expand_asks_for_its_seat_once_and_warm_pages_ask_nothing(
    logged_in_client, account, upstream
):
    grant = account.grants["alice-commit"]

    def visit():
        logged_in_client.get(seats_url(account))
        logged_in_client.get(
            seats_url(account, "metronome_seat"), {"seat": "alice@acme.example"}, **HX
        )
        logged_in_client.get(
            seats_url(account, "metronome_ledger"),
            {"seat": "alice@acme.example", "grant": str(grant.id)},
            **HX,
        )

    visit()
    # The listing (one batch of seat IDs) and the seat's commits, credits and ledgers (one call).
    assert upstream.seat_calls == 2
    visit()
    assert upstream.seat_calls == 2


def test_seat_balances_metronome_down_with_copy_shows_stale_banner(
    logged_in_client, account, upstream
):
    logged_in_client.get(seats_url(account))
    upstream.failing = True
    with time_machine.travel(now() + timedelta(minutes=10), tick=False):
        response = logged_in_client.get(seats_url(account), **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Metronome is unreachable right now." in html
    assert "Showing data from" in html
    assert "alice@acme.example" in html


def test_seat_balances_metronome_down_without_copy_shows_error_with_retry(
    logged_in_client, account, upstream
):
    upstream.failing = True
    response = logged_in_client.get(seats_url(account))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Metronome is unreachable right now." in html
    assert "Retry" in html and "refresh=1" in html


@override_settings(METRONOME_ENABLED=False)
def test_metronome_disabled_pages_404_and_nav_link_gone(logged_in_client, account, fake_sequence):
    for url in (
        reverse("metronome_customers"),
        seats_url(account),
        reverse("metronome_seat_credits", args=["c-1"]),
    ):
        assert logged_in_client.get(url).status_code == 404
    fake_sequence.customers = [customer("c-1", "Acme Corp", {"admin": 1}, aliases=("acme",))]
    page = logged_in_client.get(reverse("customer", args=["c-1"])).content.decode()
    assert reverse("metronome_customers") not in page
    assert "seat-credits" not in page


def test_metronome_enabled_nav_link_and_lazy_section_on_sequence_page(
    logged_in_client, account, fake_sequence
):
    fake_sequence.customers = [customer("c-1", "Acme Corp", {"admin": 1}, aliases=("acme",))]
    page = logged_in_client.get(reverse("customer", args=["c-1"])).content.decode()
    section_url = reverse("metronome_seat_credits", args=["c-1"])
    assert f'href="{reverse("metronome_customers")}"' in page
    assert f'hx-get="{section_url}" hx-trigger="load"' in page
    assert f'href="{section_url}"' in page  # the no-JS fallback


# --- Seat expand and ledger ----------------------------------------------------------------------


def test_seat_expand_fragment_lists_commits_and_credits(logged_in_client, account):
    fragment = logged_in_client.get(
        seats_url(account, "metronome_seat"), {"seat": "alice@acme.example"}, **HX
    )
    assert "<html" not in fragment.content.decode()
    assert "Commits and credits on" in fragment.content.decode()
    # Fragments render without the test client's context capture; the page shares the data.
    response = logged_in_client.get(
        seats_url(account, "metronome_seat"), {"seat": "alice@acme.example"}
    )
    grants = response.context["detail"].value.commits_and_credits
    alice = {k: g for k, g in account.grants.items() if k.startswith("alice")}
    assert {g.id for g in grants} == {str(g.id) for g in alice.values()}
    assert {g.kind for g in grants} == {"commit", "credit"}
    commit = next(g for g in grants if g.id == str(alice["alice-commit"].id))
    assert commit.balance == balance_of(alice["alice-commit"])
    assert commit.credit_type == "USD"
    html = response.content.decode()
    assert "$7.70" in html  # 1000 - 150.25 - 100 + 20 = 769.75 cents, shown as dollars


def test_seat_expand_without_js_is_a_full_page(logged_in_client, account):
    response = logged_in_client.get(
        seats_url(account, "metronome_seat"), {"seat": "bob@acme.example"}
    )
    assert "<html" in response.content.decode()
    assert "Commits and credits on" in response.content.decode()


def test_seat_expand_unknown_seat_is_404(logged_in_client, account):
    response = logged_in_client.get(seats_url(account, "metronome_seat"), {"seat": "ghost"}, **HX)
    assert response.status_code == 404


def test_ledger_running_balance_follows_timestamps_not_upstream_order(logged_in_client, account):
    grant = account.grants["alice-commit"]
    response = logged_in_client.get(
        seats_url(account, "metronome_ledger"),
        {"seat": "alice@acme.example", "grant": str(grant.id)},
    )
    lines = response.context["ledger"].value.lines
    entries = sorted(LedgerEntry.objects.filter(grant=grant), key=lambda e: e.timestamp)
    assert [line.timestamp for line in lines] == [e.timestamp for e in entries]
    running = Decimal(0)
    for line, entry in zip(lines, entries, strict=True):
        running += entry.amount
        assert (line.amount, line.balance_after) == (entry.amount, running)
    assert lines[-1].balance_after == balance_of(grant)
    html = response.content.decode()
    assert "\u2212" in html  # deductions shown signed


def test_ledger_unknown_grant_is_404(logged_in_client, account):
    response = logged_in_client.get(
        seats_url(account, "metronome_ledger"), {"seat": "alice@acme.example", "grant": "nope"}
    )
    assert response.status_code == 404


# --- CSVs ----------------------------------------------------------------------------------------


def test_seat_balances_csv_one_row_per_seat_and_credit_type_as_filtered(logged_in_client, account):
    response = logged_in_client.get(
        seats_url(account, "metronome_seats_csv"), {"subscription": str(account.pro.id)}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="seat-balances-')
    assert "no-store" in response["Cache-Control"]
    rows = read_csv(response)
    assert {(r["seat_id"], r["credit_type"]) for r in rows} == {
        ("alice@acme.example", "USD"),
        ("alice@acme.example", "Seat credits"),
        ("bob@acme.example", "USD"),
    }
    bob = next(r for r in rows if r["seat_id"].startswith("bob"))
    # Raw cents, not dollars, and the row says so.
    assert Decimal(bob["balance_raw"]) == balance_of(account.grants["bob-commit"])
    assert bob["raw_unit"] == "USD cents"
    assert bob["fetched_at"].endswith("Z")


def test_seat_balances_csv_neutralises_formulas_and_keeps_numbers_bare(logged_in_client, account):
    response = logged_in_client.get(
        seats_url(account, "metronome_seats_csv"), {"seats": "=HYPERLINK(1)"}
    )
    raw = b"".join(response.streaming_content).decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(raw)))
    assert row["seat_id"] == "'=HYPERLINK(1)"
    assert Decimal(row["balance_raw"]) == balance_of(account.grants["evil-credit"])
    assert f",{row['balance_raw']}," in raw  # unquoted: a number to the spreadsheet


def test_seat_balances_csv_with_invalid_filters_returns_to_the_page(logged_in_client, account):
    params = {"covering_date": "2026-02-01", "starting_at": "2026-01-01"}
    response = logged_in_client.get(seats_url(account, "metronome_seats_csv"), params)
    assert response.status_code == 302
    assert response.url.startswith(seats_url(account) + "?")


def test_seat_ledger_csv_has_every_entry_with_running_balance(logged_in_client, account):
    response = logged_in_client.get(
        seats_url(account, "metronome_seat_ledger_csv"), {"seat": "alice@acme.example"}
    )
    assert response["Content-Disposition"].startswith('attachment; filename="seat-ledger-')
    assert "no-store" in response["Cache-Control"]
    rows = read_csv(response)
    alice = [g for k, g in account.grants.items() if k.startswith("alice")]
    assert len(rows) == LedgerEntry.objects.filter(grant__in=alice).count()
    for grant in alice:
        mine = [r for r in rows if r["commit_or_credit_id"] == str(grant.id)]
        assert Decimal(mine[-1]["running_balance_raw"]) == balance_of(grant)
        assert [r["timestamp"] for r in mine] == sorted(r["timestamp"] for r in mine)


def test_seat_ledger_csv_neutralises_seat_id(logged_in_client, account):
    rows = read_csv(
        logged_in_client.get(
            seats_url(account, "metronome_seat_ledger_csv"), {"seat": "=HYPERLINK(1)"}
        )
    )
    assert rows and all(r["seat_id"] == "'=HYPERLINK(1)" for r in rows)


# --- Seat credits section on the Sequence customer page ------------------------------------------


def test_seat_credits_section_links_metronome_customer_matched_by_alias(
    logged_in_client, account, fake_sequence
):
    fake_sequence.customers = [
        customer("c-1", "Acme Corp", {"admin": 1}, aliases=("ACME-EU", "other"))
    ]
    response = logged_in_client.get(reverse("metronome_seat_credits", args=["c-1"]), **HX)
    html = response.content.decode()
    assert "<html" not in html
    assert reverse("metronome_customer", args=[account.ids[0]]) in html
    assert "Globex" not in html


def test_seat_credits_section_matches_sequence_id_to_external_id(
    logged_in_client, account, fake_sequence
):
    fake_sequence.customers = [customer("seq-acme-id", "Acme Corp", {"admin": 1})]
    response = logged_in_client.get(reverse("metronome_seat_credits", args=["seq-acme-id"]))
    assert [m.name for m in response.context["matches"].value] == ["Acme"]


def test_seat_credits_section_no_match_and_unknown_sequence_customer(
    logged_in_client, account, fake_sequence
):
    fake_sequence.customers = [customer("c-2", "Initech", {"admin": 1}, aliases=("initech",))]
    html = logged_in_client.get(reverse("metronome_seat_credits", args=["c-2"]), **HX)
    assert "No Metronome customer has one of this customer" in html.content.decode()
    missing = logged_in_client.get(reverse("metronome_seat_credits", args=["c-404"]), **HX)
    assert missing.status_code == 404


def test_seat_credits_section_metronome_down_is_200_with_retry(
    logged_in_client, account, upstream, fake_sequence
):
    fake_sequence.customers = [customer("c-1", "Acme Corp", {"admin": 1}, aliases=("acme",))]
    upstream.failing = True
    response = logged_in_client.get(reverse("metronome_seat_credits", args=["c-1"]), **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Metronome is unreachable right now." in html
    assert "Retry" in html


# --- Every contract, every seat ------------------------------------------------------------------


def test_customer_page_lists_contracts_past_the_first_page_of_twenty(logged_in_client, account):
    from seatdash.sandbox_metronome.models import Contract

    for n in range(21):
        Contract.objects.create(
            customer=account.customer,
            name=f"Extra {n:02d}",
            starting_at=account.contract.starting_at,
        )
    response = logged_in_client.get(reverse("metronome_customer", args=[account.ids[0]]))
    names = [c.name for c in response.context["contracts"].value]
    assert len(names) == 22 and "Extra 20" in names
    last = next(c for c in response.context["contracts"].value if c.name == "Extra 20")
    page = logged_in_client.get(reverse("metronome_seats", args=[account.ids[0], last.id]))
    assert page.status_code == 200


def test_large_contract_shows_every_seat_in_ceil_250_over_100_calls_and_warm_in_none(
    logged_in_client, account, upstream
):
    contract, _ = build_large_contract(account.customer, seats=250)
    url = reverse("metronome_seats", args=[account.ids[0], str(contract.id)])
    response = logged_in_client.get(url)
    listing = response.context["fetched"].value
    assert len(listing.rows) == 250  # an unfiltered enumeration would have stopped at 150
    assert listing.count.expected == 250 and not listing.count.is_short
    assert upstream.seat_calls <= math.ceil(250 / 100)
    assert upstream.calls["/v1/contracts/getSubscriptionSeatsHistory"] == 1  # the seat discovery
    usd = [c.label for c in listing.columns].index("USD")
    assert listing.totals[usd].balance == 250 * 10000
    assert "$25,000.00" in response.content.decode()  # 250 seats x 10000 cents
    before = sum(upstream.calls.values())
    logged_in_client.get(url)
    assert sum(upstream.calls.values()) == before  # warm: nothing asked of Metronome


def test_large_contract_with_fewer_seats_than_its_quantity_says_so(logged_in_client, account):
    contract, _ = build_large_contract(account.customer, seats=240, quantity=250)
    response = logged_in_client.get(
        reverse("metronome_seats", args=[account.ids[0], str(contract.id)])
    )
    html = response.content.decode()
    assert "240 of 250 seats." in html
    assert "10 seats not assigned to anyone" in html


def test_large_contract_seat_missing_from_balances_is_named(logged_in_client, account, monkeypatch):
    contract, _ = build_large_contract(account.customer, seats=120)
    from seatdash.sandbox_metronome import seat_balances as sandbox_seats

    real = sandbox_seats.list_seat_balances

    def lose_one(body):
        answer = real(body)
        answer["data"] = [s for s in answer["data"] if s["seat_id"] != "u0042@big.example"]
        return answer

    monkeypatch.setattr(sandbox_seats, "list_seat_balances", lose_one)
    response = logged_in_client.get(
        reverse("metronome_seats", args=[account.ids[0], str(contract.id)])
    )
    html = response.content.decode()
    assert "119 of 120 seats." in html
    assert "u0042@big.example" in html


def test_seat_filter_errors_appear_once_in_the_fields_words(logged_in_client, account):
    params = {"covering_date": "2026-02-01", "starting_at": "2026-01-01"}
    html = logged_in_client.get(seats_url(account), params).content.decode()
    assert html.count('id="error-covering_date"') == 1
    assert "Cannot be combined with Starting at." in html
    assert "(starting_at)" not in html


def test_metronome_customers_exact_id_or_alias_asks_metronome_without_the_whole_list(
    logged_in_client, account, upstream
):
    by_id = logged_in_client.get(reverse("metronome_customers"), {"alias": account.ids[0]})
    assert [c.name for c in by_id.context["fetched"].value] == ["Acme"]
    by_alias = logged_in_client.get(reverse("metronome_customers"), {"alias": "globex"})
    assert [c.name for c in by_alias.context["fetched"].value] == ["Globex"]
    sent = [s for m, p, s, _, _ in upstream.exchanges if p == "/v1/customers"]
    assert sent[0]["customer_ids"] == [account.ids[0]] and "ingest_alias" not in sent[0]
    assert sent[1]["ingest_alias"] == "globex" and "customer_ids" not in sent[1]
    assert len(sent) == 2  # never the unfiltered list
    assert "Customers as of" in by_alias.content.decode()
