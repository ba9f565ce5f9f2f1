from __future__ import annotations

import base64

import pytest

from seatdash.sandbox.models import RequestLog, request_count
from tests.sandbox_support import api, make_customer, post_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    make_customer("c1", "Acme Corp", "acme", "acme-eu")
    make_customer("c2", "Beta BV", "beta")
    make_customer("c3", "Zero Ltd", "zero")
    sandbox = api()
    for day in range(1, 8):
        post_event(sandbox, "acme", day, f"2026-01-0{day}T00:00:00Z", customer_event_id=f"a{day}")
    post_event(sandbox, "acme-eu", 3, "2026-01-02T12:00:00Z", seat_type="viewer")
    post_event(sandbox, "beta", 4, "2026-01-03T00:00:00Z")
    post_event(sandbox, "zero", 0, "2026-01-03T00:00:00Z")
    return sandbox


def test_api_without_basic_auth_is_401(client):
    assert api(auth=False).get("/seat-balances").status_code == 401
    wrong = base64.b64encode(b"sandbox:wrong").decode()
    assert (
        api(auth=False)
        .get("/seat-balances", headers={"Authorization": f"Basic {wrong}"})
        .status_code
        == 401
    )


def test_api_unknown_version_is_400_and_answers_carry_version(client):
    response = api(version="2023-01-01").get("/seat-balances")
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "UnrecognisedApiVersion"
    assert api(version=None).get("/seat-balances").headers["Sequence-Version"] == "2024-07-30"


def test_balances_filters(client):
    items = client.get("/seat-balances").json()["items"]
    assert {i["id"] for i in items} == {"c1", "c2", "c3"}
    assert {
        i["id"]
        for i in client.get("/seat-balances", params={"excludeZeroQuantity": "true"}).json()[
            "items"
        ]
    } == {"c1", "c2"}
    assert [
        i["id"]
        for i in client.get("/seat-balances", params={"customerIds": "c2,c3"}).json()["items"]
    ] == ["c2", "c3"]
    assert [
        i["id"]
        for i in client.get("/seat-balances", params={"customerAliases": "acme-eu"}).json()["items"]
    ] == ["c1"]
    acme = next(i for i in items if i["id"] == "c1")
    assert acme["total"] == 10 and acme["changeTimestamp"] == "2026-01-07T00:00:00Z"


def test_balances_more_than_25_ids_is_400(client):
    ids = ",".join(f"c{n}" for n in range(26))
    assert client.get("/seat-balances", params={"customerIds": ids}).status_code == 400


def test_events_limit_out_of_range_is_400(client):
    for limit in ("0", "101", "ten"):
        assert client.get("/seat-events", params={"limit": limit}).status_code == 400


def test_events_bad_timestamp_is_400(client):
    response = client.get("/seat-events", params={"eventTimestampAfter": "yesterday"})
    assert response.status_code == 400
    assert "eventTimestampAfter" in response.json()["error"]["message"]


def test_events_unknown_id_is_404(client):
    assert client.get("/seat-events/nope").status_code == 404


def test_events_filters(client):
    def ids(**params):
        return [
            e["customerEventId"]
            for e in client.get(
                "/seat-events", params={"limit": 100, "sortOrder": "ASC", **params}
            ).json()["items"]
        ]

    assert len(ids(customerIds="c1")) == 8  # both aliases of c1
    assert len(ids(customerAlias="acme-eu")) == 1
    assert len(ids(seatType="viewer")) == 1
    assert ids(customerEventId="a3") == ["a3"]
    window = ids(
        customerAlias="acme",
        eventTimestampAfter="2026-01-02T00:00:00Z",
        eventTimestampBefore="2026-01-04T00:00:00Z",
    )
    assert window == ["a2", "a3", "a4"]  # inclusive at both ends


def test_events_cursor_paging_forward_and_back_with_total(client):
    first = client.get("/seat-events", params={"limit": 4}).json()
    assert first["pagination"]["totalResultSize"] == 10
    assert "before" not in first["pagination"]
    second = client.get(
        "/seat-events", params={"limit": 4, "after": first["pagination"]["after"]}
    ).json()
    third = client.get(
        "/seat-events", params={"limit": 4, "after": second["pagination"]["after"]}
    ).json()
    assert len(third["items"]) == 2 and "after" not in third["pagination"]
    seen = [e["id"] for page in (first, second, third) for e in page["items"]]
    assert len(set(seen)) == 10
    back = client.get(
        "/seat-events", params={"limit": 4, "before": second["pagination"]["before"]}
    ).json()
    assert [e["id"] for e in back["items"]] == [e["id"] for e in first["items"]]


def test_events_sort_order_and_sort_by_event_time(client):
    newest = client.get("/seat-events", params={"limit": 100}).json()["items"]
    oldest = client.get("/seat-events", params={"limit": 100, "sortOrder": "ASC"}).json()["items"]
    assert newest == oldest[::-1]
    by_time = client.get(
        "/seat-events", params={"limit": 100, "sortBy": "eventTimestamp", "sortOrder": "ASC"}
    ).json()["items"]
    stamps = [e["eventTimestamp"] for e in by_time]
    assert stamps == sorted(stamps)


def test_events_cursor_from_another_sort_is_400(client):
    after = client.get("/seat-events", params={"limit": 2}).json()["pagination"]["after"]
    assert (
        client.get(
            "/seat-events", params={"limit": 2, "sortOrder": "ASC", "after": after}
        ).status_code
        == 400
    )
    assert client.get("/seat-events", params={"after": "garbage!!"}).status_code == 400


def test_post_event_validates_body(client):
    assert post_event(client, "nobody", 1, "2026-01-01T00:00:00Z").status_code == 400
    assert post_event(client, "acme", -1, "2026-01-01T00:00:00Z").status_code == 400
    assert post_event(client, "acme", 1, "soon").status_code == 400
    assert client.post("/seat-events", content=b"not json").status_code == 400
    created = post_event(client, "acme", 12, "2026-02-01T00:00:00Z")
    assert created.status_code == 201
    assert created.json()["customerEventId"]  # generated when not sent


def test_every_api_request_is_counted(client):
    before = request_count("/sandbox/api/seat-events")
    client.get("/seat-events")
    client.get("/seat-balances")
    assert request_count("/sandbox/api/seat-events") == before + 1
    assert RequestLog.objects.filter(path="/sandbox/api/seat-balances", status=200).count() == 1


def test_sandbox_served_over_http_needs_no_login(client, live_server):
    import httpx

    from seatdash.sandbox.auth import sandbox_credentials

    response = httpx.get(f"{live_server.url}/sandbox/api/seat-balances", auth=sandbox_credentials())
    assert response.status_code == 200
    assert response.headers["Sequence-Version"] == "2024-07-30"
