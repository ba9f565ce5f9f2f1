"""The GET forms (seatdash/web/forms.py, web/time_forms.py): what they accept, refuse and yield.

No database and no pages: the forms alone, so a broken rule points here rather than at a page test.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django import forms

from seatdash.web.forms import (
    MAX_LISTED,
    BalanceFilterForm,
    CrossCustomerEventFilterForm,
    EventFilterForm,
    InstantField,
    ListField,
    SeatTypesField,
    parse_instant,
    split_list,
)
from seatdash.web.time_forms import FUTURE_MESSAGE, AsOfForm, MoverFilterForm

NOW = "2026-05-15T12:00:00Z"


# --- split_list -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "c-1,c-2;c-3",
        "c-1\tc-2\tc-3",
        "c-1\r\nc-2\nc-3",
        "c-1 c-2  c-3",
        "\"c-1\", 'c-2'; “c-3”",
        "c-1;; ,c-2\t\n c-3 c-1",
        "`c-1` ‘c-2’ «c-3»",
        ' " c-1 " ,, c-2 , c-3 ',
    ],
)
def test_split_list_separators_and_quotes(text):
    assert split_list(text) == ("c-1", "c-2", "c-3")


def test_split_list_keeps_first_order_drops_empties_and_is_case_sensitive():
    assert split_list("b a B b a") == ("b", "a", "B")
    assert split_list(" ;,\t\n\"\" '' ") == ()


def test_split_list_with_its_own_separators_keeps_spaces_inside_values():
    assert split_list("Acme Corp, Beta Ltd", re.compile(r",")) == ("Acme Corp", "Beta Ltd")


# --- parse_instant --------------------------------------------------------------------------


def test_parse_instant_a_date_is_the_start_or_the_end_of_that_day_utc():
    assert parse_instant("2026-03-31", end_of_day=False) == datetime(2026, 3, 31, tzinfo=UTC)
    end = parse_instant("2026-03-31", end_of_day=True)
    assert end == datetime(2026, 3, 31, 23, 59, 59, 999_999, tzinfo=UTC)
    assert end + timedelta(microseconds=1) == datetime(2026, 4, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-31T14:00Z", datetime(2026, 3, 31, 14, tzinfo=UTC)),
        ("2026-03-31t14:00z", datetime(2026, 3, 31, 14, tzinfo=UTC)),
        ("2026-03-31T14:00:00+02:00", datetime(2026, 3, 31, 12, tzinfo=UTC)),
        ("2026-03-31T23:30-01:00", datetime(2026, 4, 1, 0, 30, tzinfo=UTC)),
        ("2026-03-31T14:00", datetime(2026, 3, 31, 14, tzinfo=UTC)),  # no zone: UTC
        ("  2026-03-31  ", datetime(2026, 3, 31, tzinfo=UTC)),
    ],
)
def test_parse_instant_a_time_is_read_in_utc_and_not_moved_to_a_day_edge(text, expected):
    has_time = "T" in text.upper()
    for end_of_day in (False, True):
        moment = parse_instant(text, end_of_day=end_of_day)
        assert moment.tzinfo == UTC
        if has_time or not end_of_day:
            assert moment == expected


@pytest.mark.parametrize(
    ("text", "end_of_day"),
    [("1970-01-01", False), ("1970-01-01T00:00Z", False), ("2999-12-31", True)],
)
def test_parse_instant_accepts_the_edges_of_1970_to_2999(text, end_of_day):
    assert 1970 <= parse_instant(text, end_of_day=end_of_day).year <= 2999


@pytest.mark.parametrize(
    "text",
    [
        "1969-12-31",
        "3000-01-01",
        "1969-12-31T23:59Z",
        "0001-01-01T00:00+01:00",  # overflows when moved to UTC
        "9999-12-31T23:59-05:00",
    ],
)
def test_parse_instant_outside_1970_to_2999_is_out_of_range(text):
    for end_of_day in (False, True):
        with pytest.raises(forms.ValidationError) as caught:
            parse_instant(text, end_of_day=end_of_day)
        assert caught.value.code == "out_of_range"
        assert "between 1970 and 2999" in caught.value.messages[0]


@pytest.mark.parametrize("text", ["yesterday", "31/03/2026", "2026-02-30", "2026-03-31 14h"])
def test_parse_instant_other_text_says_what_to_type(text):
    with pytest.raises(forms.ValidationError) as caught:
        parse_instant(text, end_of_day=False)
    assert caught.value.code == "invalid"
    assert "2026-03-31" in caught.value.messages[0]


def test_instant_field_refuses_long_text_and_nul_and_reads_blank_as_none():
    field = InstantField(end_of_day=False)
    assert field.clean("") is None and field.clean("   ") is None
    with pytest.raises(forms.ValidationError, match="Too long: at most 40"):
        field.clean("2026-03-31T14:00:00.000000+00:00" + " " * 10 + "x")
    with pytest.raises(forms.ValidationError, match="Null characters"):
        field.clean("2026-03-31\x00")


# --- lists and seat types -------------------------------------------------------------------


def test_list_field_bounds_the_count_and_each_value():
    field = ListField(noun="customer ID", most=3)
    assert field.clean("a b c a") == ("a", "b", "c")
    with pytest.raises(forms.ValidationError) as caught:
        field.clean("a b c d")
    assert caught.value.code == "too_many"
    assert caught.value.messages == [
        "4 customer IDs pasted; at most 3 at once. Paste them in smaller batches."
    ]
    with pytest.raises(forms.ValidationError, match="longer than 200"):
        field.clean("x" * 201)
    assert field.clean("x" * 200) == ("x" * 200,)
    assert ListField(noun="alias").plural == "aliases"


def test_aliases_box_splits_a_spreadsheet_row_too():
    form = BalanceFilterForm({"alias": "acme\tmueller;zeta qtm"})
    assert form.filters().aliases == ("acme", "mueller", "zeta", "qtm")


def test_more_than_5000_tokens_is_a_clear_message():
    form = BalanceFilterForm({"ids": " ".join(f"x{n}" for n in range(5_001))})
    assert form.errors["ids"] == [
        "5,001 customer IDs pasted; at most 5,000 at once. Paste them in smaller batches."
    ]
    assert form.unusable() == {"ids": "Customer IDs"}
    assert not BalanceFilterForm({"ids": " ".join(f"x{n}" for n in range(5_000))}).errors


def test_seat_types_field_takes_any_name_of_1_to_80_characters():
    field = SeatTypesField(required=False)
    assert field.clean(["admin", "x" * 80]) == ["admin", "x" * 80]
    with pytest.raises(forms.ValidationError):
        field.clean(["x" * 81])


def test_balance_form_seat_types_are_deduplicated_in_order():
    form = BalanceFilterForm({"seat_type": ["editor", "admin", "editor"]})
    assert form.filters().seat_types == ("editor", "admin")


# --- the balances form ----------------------------------------------------------------------


def test_balance_form_from_after_to_marks_to_and_drops_it():
    form = BalanceFilterForm({"from": "2026-03-02", "to": "2026-03-01"})
    assert form.errors["to"] == ["“to” is before “from”."]
    filters = form.filters()
    assert filters.changed_to is None and filters.changed_from == datetime(2026, 3, 2, tzinfo=UTC)
    assert "to" in form.unusable()
    same_day = BalanceFilterForm({"from": "2026-03-01", "to": "2026-03-01"})
    assert not same_day.errors
    assert same_day.filters().changed_to == datetime(2026, 3, 1, 23, 59, 59, 999_999, tzinfo=UTC)


def test_balance_form_seats_min_above_max_marks_max():
    form = BalanceFilterForm({"seats_min": "10", "seats_max": "9"})
    assert "seats_max" in form.errors and form.filters().seats_max is None
    assert not BalanceFilterForm({"seats_min": "10", "seats_max": "10"}).errors
    bad = BalanceFilterForm({"seats_min": "-1"})
    assert bad.errors["seats_min"] == ["At least: use a whole number of seats, 0 or more."]


@pytest.mark.parametrize("page", ["x", "0", "-2", "1000001"])
def test_balance_form_bad_page_falls_back_to_page_one_without_blocking(page):
    form = BalanceFilterForm({"page": page, "q": "  acme "})
    assert "page" in form.errors and form.unusable() == {}
    assert form.filters().page == 1 and form.filters().q == "acme"


def test_balance_form_sort_is_passed_on_for_the_service_to_judge():
    assert BalanceFilterForm({"sort": "-total"}).filters().sort == "-total"
    assert BalanceFilterForm({}).filters().sort == "name"
    assert BalanceFilterForm({"sort": "x" * 81}).unusable() == {}


# --- the events forms -----------------------------------------------------------------------


def test_event_form_order_and_paging_both_ways():
    form = EventFilterForm({"order": "sideways"})
    assert "is not an order" in form.errors["order"][0]
    assert form.unusable() == {"order": "Order"}
    assert EventFilterForm({"order": "asc"}).filters().order == "asc"
    both = EventFilterForm({"after": "a", "before": "b"})
    assert both.errors["before"] == ["Page forwards or backwards, not both at once."]
    assert both.filters().before is None and both.filters().after == "a"


def test_event_form_from_after_to_is_refused():
    form = EventFilterForm({"from": "2026-03-02", "to": "2026-03-01"})
    assert "to" in form.errors and form.filters().timestamp_to is None


def test_cross_customer_event_form_takes_as_many_customers_as_balances_does():
    # The store answers any number; Sequence's path keeps its 25 in the service, which says so.
    form = CrossCustomerEventFilterForm({"ids": " ".join(f"c{n}" for n in range(MAX_LISTED))})
    assert not form.errors and len(form.cleaned_data["ids"]) == MAX_LISTED
    too_many = " ".join(f"c{n}" for n in range(MAX_LISTED + 1))
    assert "ids" in CrossCustomerEventFilterForm({"ids": too_many}).errors


# --- the movers form ------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_movers_form_defaults_to_the_last_30_days_up_to_now():
    filters = MoverFilterForm({}).filters()
    assert filters.start == datetime(2026, 4, 15, tzinfo=UTC)
    assert filters.end == datetime(2026, 5, 15, 12, tzinfo=UTC)
    assert (filters.direction, filters.sort, filters.min_change, filters.page) == (
        "all",
        "abs",
        0,
        1,
    )
    only_to = MoverFilterForm({"to": "2026-03-31"}).filters()
    assert only_to.start == datetime(2026, 3, 1, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_movers_form_today_means_up_to_now_and_later_is_refused():
    assert MoverFilterForm({"to": "2026-05-15"}).filters().end == datetime(
        2026, 5, 15, 12, tzinfo=UTC
    )
    form = MoverFilterForm({"to": "2026-05-16"})
    assert form.errors["to"] == [FUTURE_MESSAGE] and form.filters() is None
    assert "to" in MoverFilterForm({"to": "2026-05-15T12:00:01Z"}).errors
    assert not MoverFilterForm({"to": "2026-05-15T12:00:00Z"}).errors


@time_machine.travel(NOW, tick=False)
def test_movers_form_from_after_to_and_too_long_windows_are_refused():
    form = MoverFilterForm({"from": "2026-03-02", "to": "2026-03-01"})
    assert form.errors["to"] == ["“to” is before “from”."] and form.filters() is None
    assert not MoverFilterForm({"from": "2026-03-01", "to": "2026-03-01"}).errors
    instant = {"from": "2026-03-01T10:00Z", "to": "2026-03-01T10:00Z"}  # a window of one instant
    assert MoverFilterForm(instant).filters().start == MoverFilterForm(instant).filters().end
    assert "from" in MoverFilterForm({"from": "2016-01-01", "to": "2026-03-01"}).errors
    assert not MoverFilterForm({"from": "2016-03-10", "to": "2026-03-01"}).errors


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"direction": "sideways"}, "direction", "Choose up, down or all"),
        ({"sort": "size"}, "sort", "Unknown sort “size”"),
        ({"min_change": "ten"}, "min_change", "Enter a whole number of seats."),
        ({"min_change": "-1"}, "min_change", "greater than or equal to 0"),
        ({"from": "yesterday"}, "from", "Use a date like"),
    ],
)
def test_movers_form_bad_filters_give_no_filters(params, field, message):
    form = MoverFilterForm(params)
    assert message in " ".join(form.errors[field])
    assert field in form.unusable() and form.filters() is None


@pytest.mark.parametrize("sort", ["abs", "change", "-change", "pct", "name", "from", "-to"])
def test_movers_form_known_sorts_and_directions_pass(sort):
    for direction in ("up", "down", "all"):
        filters = MoverFilterForm({"sort": sort, "direction": direction}).filters()
        assert (filters.sort, filters.direction) == (sort, direction)


@pytest.mark.parametrize("page", ["x", "0", "-3"])
def test_movers_form_bad_page_still_gives_filters_on_page_one(page):
    form = MoverFilterForm({"page": page, "min_change": "5"})
    assert "page" in form.errors and form.unusable() == {}
    filters = form.filters()
    assert filters.page == 1 and filters.min_change == 5


def test_movers_form_splits_pasted_lists_as_the_balances_form_does():
    pasted = {"alias": 'acme;"beta"\tgamma', "ids": "c1, 'c2'\nc3"}
    movers, balances = MoverFilterForm(pasted).filters(), BalanceFilterForm(pasted).filters()
    assert movers.aliases == balances.aliases == ("acme", "beta", "gamma")
    assert movers.ids == balances.ids == ("c1", "c2", "c3")


# --- the as-of form -------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_as_of_form_date_is_end_of_day_today_is_now_and_bad_input_is_none():
    assert AsOfForm({"as_of": "2026-03-31"}).instant == datetime(
        2026, 3, 31, 23, 59, 59, 999_999, tzinfo=UTC
    )
    assert AsOfForm({"as_of": "2026-05-15"}).instant == datetime(2026, 5, 15, 12, tzinfo=UTC)
    assert AsOfForm({}).instant is None
    for text in ("2026-05-16", "someday", "1969-01-01"):
        form = AsOfForm({"as_of": text})
        assert form.instant is None and form.errors["as_of"]
