"""SequenceClient: a bad payload is UpstreamBadPayload naming the endpoint and the field."""

from __future__ import annotations

import httpx
import pytest

from seatdash.clients.errors import UpstreamBadPayload
from seatdash.clients.sequence import PROVIDER
from tests.clients.sequence.support import (
    customer,
    page,
    respond,
)


@pytest.mark.parametrize(
    ("mutate", "field", "problem"),
    [
        (lambda c: c["balances"][0].pop("total"), "items[3].balances[0].total", "missing"),
        (lambda c: c.pop("legalName"), "items[3].legalName", "missing"),
        (lambda c: c.update(total="10"), "items[3].total", "is string, expected integer"),
        (lambda c: c.update(total=True), "items[3].total", "expected integer"),
        (lambda c: c.update(total=1.5), "items[3].total", "expected integer"),
        (lambda c: c.update(id=None), "items[3].id", "is null"),
        (lambda c: c.update(balances={}), "items[3].balances", "expected array"),
        (lambda c: c.update(customerAliases=[1]), "items[3].customerAliases[0]", "not a string"),
        (lambda c: c.update(changeTimestamp="yesterday"), "items[3].changeTimestamp", "ISO 8601"),
        (lambda c: c["balances"].append("x"), "items[3].balances[1]", "not an object"),
    ],
)
def test_list_seat_balances_bad_item_raises_bad_payload_naming_endpoint_and_field(
    fake, client, mutate, field, problem
):
    items = [customer(n) for n in range(5)]
    mutate(items[3])
    fake.expect("GET", "/api/seat-balances", page(items))

    with pytest.raises(UpstreamBadPayload) as info:
        client.list_seat_balances()

    message = str(info.value)
    assert message.startswith(f"GET /seat-balances: {field} ")
    assert problem in message
    assert (info.value.provider, info.value.endpoint) == (PROVIDER, "GET /seat-balances")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"pagination": {}}, "items missing"),
        ({"items": {}, "pagination": {}}, "items is object"),
        ({"items": [], "pagination": {"after": 5}}, "pagination.after is integer"),
        ({"items": [], "pagination": []}, "pagination is not an object"),
        ([], "body is not an object"),
    ],
)
def test_list_seat_balances_bad_envelope_raises_bad_payload(fake, client, body, field):
    fake.expect("GET", "/api/seat-balances", respond(200, body))

    with pytest.raises(UpstreamBadPayload, match=field):
        client.list_seat_balances()


def test_list_seat_balances_malformed_json_raises_bad_payload_naming_endpoint(fake, client):
    fake.expect("GET", "/api/seat-balances", lambda r: httpx.Response(200, content=b'{"items": [{'))

    with pytest.raises(UpstreamBadPayload, match="GET /seat-balances") as info:
        client.list_seat_balances()

    assert info.value.status == 200
