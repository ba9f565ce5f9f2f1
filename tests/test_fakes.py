"""The strict fake Sequence: it refuses what it was not told to expect and honours what it accepts."""

from __future__ import annotations

import inspect

import pytest

from seatdash.clients.errors import UpstreamRejected
from seatdash.clients.sequence import EventQuery, SequenceClient
from tests.fakes import FakeSequence, UnexpectedCall, at, customer, event


@pytest.fixture
def fake():
    return FakeSequence(
        customers=[
            customer("c-1", "Acme", {"admin": 2, "viewer": 0}, aliases=("acme",)),
            customer("c-2", "Initech", {"admin": 1}, aliases=("initech",)),
        ],
        events=[event(f"e-{i}", total=i, at=at(i)) for i in range(5)],
    )


def test_fake_refuses_a_method_it_was_not_told_to_expect(fake):
    with pytest.raises(UnexpectedCall, match="list_seat_balances"):
        fake.list_seat_balances()
    with pytest.raises(UnexpectedCall, match="create_seat_event"):
        fake.create_seat_event(
            customer_alias="acme", seat_type="admin", total=1, event_timestamp=at(0)
        )
    assert not fake.calls


@pytest.mark.parametrize(
    "call",
    [
        lambda f: f.list_seat_balances(customer_aliases=["acme"]),
        lambda f: f.list_seat_balances(exclude_zero=True),
        lambda f: f.list_seat_events(limit=10),
        lambda f: f.list_seat_events(after="fake-cursor:after:2"),
        lambda f: f.list_seat_events(EventQuery(seat_type="admin")),
    ],
    ids=["aliases", "exclude_zero", "limit", "cursor", "query-field"],
)
def test_fake_refuses_parameters_it_was_not_told_to_expect(fake, call):
    fake.expect("list_seat_balances").expect("list_seat_events")
    with pytest.raises(UnexpectedCall, match="with"):
        call(fake)


def test_fake_refuses_an_unexpected_query_even_when_set_to_fail(fake):
    fake.expect("iter_seat_events")
    fake.failing = True
    with pytest.raises(UnexpectedCall, match="seat_type"):
        list(fake.iter_seat_events(EventQuery(seat_type="admin")))
    assert not fake.calls


def test_fake_expect_refuses_a_parameter_the_client_does_not_take(fake):
    with pytest.raises(ValueError, match="takes no"):
        fake.expect("list_seat_balances", "limit")


def test_fake_honours_alias_and_exclude_zero_when_expected(fake):
    fake.expect("list_seat_balances", "customer_aliases", "exclude_zero")
    [acme] = fake.list_seat_balances(customer_aliases=["acme"], exclude_zero=True)
    assert acme.id == "c-1"
    assert [b.seat_type for b in acme.balances] == ["admin"]


def test_fake_pages_events_through_the_cursors_it_issued(fake):
    fake.expect("list_seat_events", "limit", "after", "before", "sort_order")
    query = EventQuery(sort_order="ASC")
    first = fake.list_seat_events(query, limit=2)
    second = fake.list_seat_events(query, limit=2, after=first.pagination.after)
    last = fake.list_seat_events(query, limit=2, after=second.pagination.after)
    back = fake.list_seat_events(query, limit=2, before=last.pagination.before)

    assert [e.id for e in first.items] == ["e-0", "e-1"]
    assert [e.id for e in second.items] == ["e-2", "e-3"]
    assert [e.id for e in last.items] == ["e-4"]
    assert last.pagination.after is None
    assert [e.id for e in back.items] == ["e-2", "e-3"]
    assert first.pagination.before is None
    assert first.pagination.total_result_size == 5


def test_fake_rejects_a_cursor_it_did_not_issue_as_sequence_does(fake):
    fake.expect("list_seat_events", "after")
    with pytest.raises(UpstreamRejected, match="cursor"):
        fake.list_seat_events(after="50")


def test_fake_refuses_a_limit_over_sequences_maximum(fake):
    fake.expect("list_seat_events", "limit")
    with pytest.raises(ValueError, match="limit"):
        fake.list_seat_events(limit=101)


@pytest.mark.parametrize(
    "method",
    [
        "list_seat_balances",
        "fetch_seat_balances",
        "list_seat_events",
        "iter_seat_events",
        "get_seat_event",
    ],
)
def test_fake_methods_take_the_real_clients_parameters(method):
    real = inspect.signature(getattr(SequenceClient, method)).parameters
    faked = inspect.signature(getattr(FakeSequence, method)).parameters
    assert [(p.name, p.kind) for p in faked.values()] == [(p.name, p.kind) for p in real.values()]
