"""Every answer the sandbox gives validates against Sequence's OpenAPI spec in ../shared/specs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import hypothesis
import pytest

from seatdash.sandbox.auth import sandbox_credentials
from tests.sandbox_support import api, make_customer, post_event

SPEC = Path(__file__).resolve().parents[3] / "shared" / "specs" / "sequence-seats.openapi.yaml"
if not SPEC.exists():
    pytest.skip(
        f"the Sequence spec is not at {SPEC} (../shared is absent)", allow_module_level=True
    )

import schemathesis  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

schema = schemathesis.openapi.from_path(SPEC)


def conforms(path: str, response: httpx.Response) -> None:
    """Raises unless the answer matches the spec's response schema for GET `path`."""
    response.read()
    try:
        response.elapsed  # noqa: B018 - schemathesis reads it; in-process answers may lack it
    except RuntimeError:
        response.elapsed = timedelta(0)
    schema[path]["GET"].validate_response(response)


@pytest.fixture
def seeded(db):
    make_customer("d82010a6-6835-41f8-9dd3-6f858f617f35", "Acme Corp", "acme")
    make_customer("c2", "Beta", "beta")
    client = api()
    for day in range(1, 6):
        post_event(client, "acme", day * 2, f"2026-01-0{day}T00:00:00Z", seat_type="admin")
    post_event(
        client, "beta", 3, "2026-01-02T00:00:00Z", seat_type="viewer", customer_event_id="dup"
    )
    post_event(
        client, "beta", 4, "2026-01-03T00:00:00Z", seat_type="viewer", customer_event_id="dup"
    )
    return client


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@hypothesis.settings(
    max_examples=25, deadline=None, suppress_health_check=list(hypothesis.HealthCheck)
)
def test_sandbox_answers_conform_to_the_spec(case, live_server):
    from django.core.management import call_command

    call_command(
        "sandbox_seed", "--customers", "20", "--if-empty", "--anchor", "2026-06-01", verbosity=0
    )
    user, secret = sandbox_credentials()
    auth = "Basic " + __import__("base64").b64encode(f"{user}:{secret}".encode()).decode()
    case.call_and_validate(
        base_url=f"{live_server.url}/sandbox/api",
        headers={"Authorization": auth},
        checks=[not_a_server_error, response_schema_conformance],
    )


def test_sandbox_list_answers_validate_against_the_spec(seeded):
    conforms("/seat-balances", seeded.get("/seat-balances"))
    conforms("/seat-balances", seeded.get("/seat-balances", params={"customerIds": "c2"}))
    for params in (
        {"limit": 2},
        {"limit": 2, "customerIds": "c2"},
        {"sortOrder": "ASC", "limit": 100},
    ):
        page = seeded.get("/seat-events", params=params)
        conforms("/seat-events", page)
        for key in ("after", "before"):
            assert page.json()["pagination"].get(key, "") is not None  # omitted, never null
    after = seeded.get("/seat-events", params={"limit": 2}).json()["pagination"]["after"]
    conforms("/seat-events", seeded.get("/seat-events", params={"limit": 2, "after": after}))


def test_sandbox_single_event_validates_against_the_spec(seeded):
    first = seeded.get("/seat-events", params={"limit": 1}).json()["items"][0]
    conforms("/seat-events/{id}", seeded.get(f"/seat-events/{first['id']}"))


def test_sandbox_spec_check_catches_a_broken_answer():
    """The validation above can fail: an event without its required fields is rejected."""
    broken = httpx.Response(
        200,
        json={"items": [{"id": "x"}], "pagination": {}},
        request=httpx.Request("GET", "http://sandbox.internal/seat-events"),
    )
    broken.elapsed = timedelta(0)
    with pytest.raises(Exception, match=r"(?i)schema|required"):
        conforms("/seat-events", broken)
