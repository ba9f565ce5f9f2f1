"""Metronome service rules without pages: labels, running balances, matching, filter rules."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from seatdash.clients.errors import UpstreamUnavailable
from seatdash.clients.metronome import CreditType, LedgerEntry, MetronomeCustomer
from seatdash.services import metronome as service
from seatdash.services.metronome import metronome_matches_for
from seatdash.services.metronome_seat_filters import SeatFilters, seat_filter_errors
from seatdash.services.metronome_seat_rows import running_balance
from seatdash.services.metronome_units import (
    QUANTITY_CREDIT_TYPE_ID,
    credit_type_units,
    ledger_entry_words,
    unit_for,
    unit_of,
)
from seatdash.templatetags.metronome import in_unit, signed_in_unit
from seatdash.web.exports import LINES_PER_CHUNK, csv_chunks
from tests.metronome_fixtures import CountingTransport, build_account, counting_client, use_client

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class FakeMetronome:
    def __init__(self, customers=(), *, failing=False):
        self.customers = list(customers)
        self.failing = failing
        self.calls = 0

    def list_customers(self, **kwargs):
        self.calls += 1
        if self.failing:
            raise UpstreamUnavailable("down (fake)", provider="Metronome")
        return self.customers

    def list_credit_types(self):
        self.calls += 1
        raise UpstreamUnavailable("down (fake)", provider="Metronome")


def test_unit_fiat_cents_are_dollars_with_two_places_and_the_symbol():
    usd = unit_for(CreditType("2714e483-4ff1-48e4-9e25-ac732e8f24f2", "USD (cents)", True))
    assert (usd.label, usd.raw_unit) == ("USD", "USD cents")
    assert in_unit(Decimal("564178"), usd) == "$5,641.78"
    assert in_unit(Decimal("5"), usd) == "$0.05"
    assert in_unit(Decimal("-120050"), usd) == "\u2212$1,200.50"
    assert signed_in_unit(Decimal("2500"), usd) == "+$25.00"


def test_unit_custom_credit_type_by_name_with_its_own_precision():
    credits = unit_for(CreditType("6c4f3d0e", "Seat credits", False))
    assert credits.label == "Seat credits" and credits.raw_unit == "Seat credits"
    assert in_unit(Decimal("759.15"), credits) == "759.15"
    assert in_unit(Decimal("500"), credits) == "500"
    assert in_unit(Decimal("0.125"), credits) == "0.125"
    # A name that looks fiat is not money unless Metronome says it is a currency.
    assert unit_for(CreditType("x", "USD (cents)", False)).scale == 0


def test_unit_quantity_type_is_seat_units_and_unknown_ids_are_shortened():
    assert unit_of(QUANTITY_CREDIT_TYPE_ID, {}).label == "Seat units"
    long_id = "2714e483-4ff1-48e4-9e25-ac732e8f24f2"
    label = unit_of(long_id, {}).label
    assert long_id[:8] in label and long_id not in label
    assert unit_of(None, {}).label


def test_ledger_entry_types_in_words():
    assert ledger_entry_words("PREPAID_COMMIT_AUTOMATED_INVOICE_DEDUCTION") == "Invoice deduction"
    assert ledger_entry_words("CREDIT_SEGMENT_START") == "Segment start"
    assert ledger_entry_words("CREDIT_ROLLOVER") == "Rollover"
    assert ledger_entry_words("PREPAID_COMMIT_SEAT_BASED_ADJUSTMENT") == "Seat adjustment"
    assert ledger_entry_words("CREDIT_SOMETHING_NEW") == "Something new"


def test_running_balance_sorts_by_timestamp_and_keeps_ties_in_upstream_order():
    entries = [
        LedgerEntry("B", Decimal("-2"), T0 + timedelta(days=2)),
        LedgerEntry("A", Decimal("10"), T0),
        LedgerEntry("C1", Decimal("-3"), T0 + timedelta(days=5)),
        LedgerEntry("C2", Decimal("1"), T0 + timedelta(days=5)),
    ]
    lines = running_balance(entries)
    assert [line.type for line in lines] == ["A", "B", "C1", "C2"]
    totals = [Decimal(0)]
    for line in lines:
        totals.append(totals[-1] + line.amount)
    assert [line.balance_after for line in lines] == totals[1:]


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        (SeatFilters(covering_date=T0, starting_at=T0), "covering_date"),
        (SeatFilters(covering_date=T0, effective_before=T0), "covering_date"),
        (SeatFilters(starting_at=T0, effective_before=T0 - timedelta(days=1)), "effective_before"),
        (SeatFilters(seat_ids=("ok", " ")), "seats"),
    ],
)
def test_seat_filter_errors_names_the_form_field(filters, field):
    errors = seat_filter_errors(filters=filters)
    assert list(errors) == [field]
    assert errors[field][0].isupper()


def test_seat_filter_errors_empty_for_valid_filters():
    assert seat_filter_errors(filters=SeatFilters(starting_at=T0, effective_before=T0)) == {}


def test_metronome_matches_for_alias_or_id_against_ingest_alias_or_external_id(monkeypatch):
    fake = FakeMetronome(
        [
            MetronomeCustomer("m-1", "By alias", None, ("acme", "x")),
            MetronomeCustomer("m-2", "By external id", "seq-1", ()),
            MetronomeCustomer("m-3", "Unrelated", "seq-2", ("globex",)),
        ]
    )
    use_client(monkeypatch, lambda: fake)
    matches = metronome_matches_for(aliases=("ACME", "nope"), customer_id="seq-1").value
    assert [m.id for m in matches] == ["m-1", "m-2"]
    assert metronome_matches_for(aliases=(), customer_id="seq-9").value == []
    assert fake.calls == 1  # one cached customer list serves every match


def test_metronome_matches_for_upstream_down_without_copy_raises(monkeypatch):
    use_client(monkeypatch, lambda: FakeMetronome(failing=True))
    with pytest.raises(UpstreamUnavailable):
        metronome_matches_for(aliases=("acme",), customer_id="c-1")


def test_credit_type_units_failure_gives_empty_units(monkeypatch):
    use_client(monkeypatch, lambda: FakeMetronome())
    assert credit_type_units() == {}


@pytest.mark.django_db
def test_seat_balance_list_names_unknown_credit_types_by_short_id(monkeypatch):
    client = counting_client(CountingTransport())
    use_client(monkeypatch, lambda: client)
    monkeypatch.setattr("seatdash.services.metronome_seats.credit_type_units", lambda: {})
    account = build_account()
    customer_id, contract_id = account.ids
    listing = service.seat_balance_list(
        customer_id=customer_id, contract_id=contract_id, filters=SeatFilters()
    ).value
    assert listing.columns  # else the check below passes on nothing
    assert all(len(c.label) < len(c.id) for c in listing.columns)


@pytest.mark.django_db
def test_client_list_credit_types_from_sandbox_names_each_type():
    client = counting_client(CountingTransport())
    account_types = {str(t.grants[k].credit_type_id) for t in [build_account()] for k in t.grants}
    found = {t.id: t.name for t in client.list_credit_types()}
    assert account_types
    assert account_types <= set(found)
    assert all(found.values())


def test_csv_chunks_neutralises_text_keeps_numbers_and_formats_instants():
    rows = [("=1+1", Decimal("-1.5"), 3, None, T0, "-x", "plain")]
    text = "".join(csv_chunks(("a", "b", "c", "d", "e", "f", "g"), rows))
    assert text.startswith("\ufeff")
    line = text.splitlines()[1]
    assert line == '"\'=1+1",-1.5,3,"","2026-01-01T00:00:00Z","\'-x","plain"'
    parsed = next(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert parsed["a"] == "'=1+1"


def test_csv_chunks_streams_in_chunks_of_lines():
    rows = [(str(n), n) for n in range(LINES_PER_CHUNK * 2 + 1)]
    chunks = list(csv_chunks(("id", "n"), rows))
    assert len(chunks) == 3
    assert sum(chunk.count("\r\n") for chunk in chunks) == len(rows) + 1
