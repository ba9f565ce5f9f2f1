"""MetronomeClient: seat-balance response shapes parsed, and how calls fail."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from seatdash.clients.errors import (
    UpstreamBadPayload,
    UpstreamNotFound,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamUnauthorized,
    UpstreamUnavailable,
)
from tests.clients.metronome.support import (
    CREDIT_TYPE,
    SEAT_BALANCES,
    page,
    query,
    seat,
)


def test_list_seat_balances_current_shape_parses_decimals_grants_and_ledgers(client, upstream):
    upstream.expect(
        "POST",
        SEAT_BALANCES,
        httpx.Response(
            200,
            json={
                "data": [
                    {
                        "seat_id": "user_0042@acme.example",
                        "balances": [
                            {
                                "credit_type_id": CREDIT_TYPE,
                                "balance": 300.1,
                                "starting_balance": 500,
                                "access_type": "SPEND",
                            }
                        ],
                        "commits": [
                            {
                                "id": "c-1",
                                "balance": 300.1,
                                "start_date": "2026-01-01T00:00:00.000Z",
                                "end_date": "2027-01-01T00:00:00Z",
                                "credit_type_id": CREDIT_TYPE,
                                "access_type": "SPEND",
                                "ledger_entries": [
                                    {
                                        "type": "PREPAID_COMMIT_SEGMENT_START",
                                        "amount": 500,
                                        "timestamp": "2026-01-01T00:00:00Z",
                                    },
                                    {
                                        "type": "PREPAID_COMMIT_AUTOMATED_INVOICE_DEDUCTION",
                                        "amount": -199.9,
                                        "timestamp": "2026-02-01T00:00:00Z",
                                    },
                                ],
                            }
                        ],
                        "credits": [
                            {"id": "k-1", "balance": "0", "start_date": "2026-01-01T00:00:00Z"}
                        ],
                    }
                ],
                "pagination": {
                    "seats_included": 1,
                    "seats_available_for_next_page": 0,
                    "next_page": None,
                },
            },
        ),
    )
    (record,) = client.list_seat_balances(
        query(include_credits_and_commits=True, include_ledgers=True)
    )
    assert record.seat_id == "user_0042@acme.example"
    (balance,) = record.balances
    assert balance.balance == Decimal("300.1")
    assert balance.starting_balance == Decimal("500")
    assert (balance.credit_type_id, balance.access_type) == (CREDIT_TYPE, "SPEND")
    (commit,) = record.commits
    assert commit.end_date == datetime(2027, 1, 1, tzinfo=UTC)
    assert [e.amount for e in commit.ledger_entries] == [Decimal("500"), Decimal("-199.9")]
    assert sum(e.amount for e in commit.ledger_entries) == commit.balance
    (credit,) = record.credits
    assert (credit.end_date, credit.credit_type_id, credit.ledger_entries) == (None, None, ())


def test_list_seat_balances_older_scalar_shape_maps_to_one_unknown_credit_type(client, upstream):
    upstream.expect(
        "POST",
        SEAT_BALANCES,
        httpx.Response(200, json={"data": [{"seat_id": "user_1", "balance": 42.5}]}),
    )
    (record,) = client.list_seat_balances(query())
    (balance,) = record.balances
    assert balance.balance == Decimal("42.5")
    assert balance.credit_type_id is None
    assert balance.starting_balance is None
    assert record.commits == ()


@pytest.mark.parametrize(
    ("mutate", "field_path"),
    [
        (lambda s: s.pop("seat_id"), "data[0].seat_id"),
        (
            lambda s: s["balances"][0].pop("starting_balance"),
            "data[0].balances[0].starting_balance",
        ),
        (lambda s: s["balances"][0].update(balance="lots"), "data[0].balances[0].balance"),
        (lambda s: s["commits"][0].pop("start_date"), "data[0].commits[0].start_date"),
        (lambda s: s["commits"][0].update(start_date="soon"), "data[0].commits[0].start_date"),
        (lambda s: s.pop("balances"), "data[0].balances"),
    ],
)
def test_list_seat_balances_malformed_field_raises_bad_payload_naming_it(
    client, upstream, mutate, field_path
):
    raw = seat("user_1", commits=1)
    mutate(raw)
    upstream.expect("POST", SEAT_BALANCES, page([raw]))
    with pytest.raises(UpstreamBadPayload) as excinfo:
        client.list_seat_balances(query())
    assert field_path in excinfo.value.message
    assert excinfo.value.endpoint == "POST /v1/contracts/seatBalances/list"
    assert excinfo.value.provider == "Metronome"


def test_list_seat_balances_body_without_data_raises_bad_payload(client, upstream):
    upstream.expect("POST", SEAT_BALANCES, httpx.Response(200, json={"items": []}))
    with pytest.raises(UpstreamBadPayload) as excinfo:
        client.list_seat_balances(query())
    assert "data" in excinfo.value.message


def test_list_seat_balances_non_json_body_raises_bad_payload(client, upstream):
    upstream.expect("POST", SEAT_BALANCES, httpx.Response(200, text="<html>oops</html>"))
    with pytest.raises(UpstreamBadPayload):
        client.list_seat_balances(query())


@pytest.mark.parametrize("status", [400, 409, 422])
def test_list_seat_balances_rejected_surfaces_metronome_message(client, upstream, status):
    message = f"seat_ids not found on contract (status {status})"
    upstream.expect("POST", SEAT_BALANCES, httpx.Response(status, json={"message": message}))
    with pytest.raises(UpstreamRejected) as excinfo:
        client.list_seat_balances(query(seat_ids=("ghost",)))
    assert message in excinfo.value.message
    assert excinfo.value.status == status
    assert excinfo.value.provider == "Metronome"


@pytest.mark.parametrize(
    ("status", "error_type"),
    [(401, UpstreamUnauthorized), (403, UpstreamUnauthorized), (404, UpstreamNotFound)],
)
def test_list_seat_balances_auth_and_not_found_map_to_their_errors_unretried(
    client, upstream, status, error_type
):
    upstream.expect("POST", SEAT_BALANCES, httpx.Response(status, json={"message": "nope"}))
    with pytest.raises(error_type) as excinfo:
        client.list_seat_balances(query())
    assert excinfo.value.status == status
    assert len(upstream.requests) == 1


def test_list_seat_balances_server_error_after_retries_raises_unavailable(client, upstream):
    for _ in range(2):
        upstream.expect("POST", SEAT_BALANCES, httpx.Response(503, json={"message": "down"}))
    with pytest.raises(UpstreamUnavailable):
        client.list_seat_balances(query())


def test_list_seat_balances_server_error_then_success_returns_data(client, upstream):
    upstream.expect("POST", SEAT_BALANCES, httpx.Response(502, text="bad gateway"))
    upstream.expect("POST", SEAT_BALANCES, page([seat("user_1")]))
    assert [s.seat_id for s in client.list_seat_balances(query())] == ["user_1"]


def test_list_seat_balances_rate_limited_after_retries_raises_rate_limited(client, upstream):
    for _ in range(2):
        upstream.expect("POST", SEAT_BALANCES, httpx.Response(429, json={"message": "slow down"}))
    with pytest.raises(UpstreamRateLimited):
        client.list_seat_balances(query())


def test_list_seat_balances_connection_error_raises_unavailable(client, upstream):
    def refuse(request):
        raise httpx.ConnectError("refused", request=request)

    for _ in range(2):
        upstream.expect("POST", SEAT_BALANCES, refuse)
    with pytest.raises(UpstreamUnavailable):
        client.list_seat_balances(query())
