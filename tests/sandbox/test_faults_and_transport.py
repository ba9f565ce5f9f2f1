from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from django.core.signals import request_finished

from seatdash.clients.errors import (
    UpstreamBadPayload,
    UpstreamNotFound,
    UpstreamRateLimited,
    UpstreamUnavailable,
)
from seatdash.clients.http import RetryPolicy
from seatdash.clients.sequence import EventQuery, SequenceClient
from seatdash.sandbox import faults
from seatdash.sandbox.auth import sandbox_credentials
from seatdash.sandbox.models import request_count
from seatdash.sandbox.transport import SANDBOX_BASE_URL, SandboxTransport
from tests.sandbox_support import api, make_customer

pytestmark = pytest.mark.django_db


def sequence(deadline: float = 5.0, sleeps: list | None = None) -> SequenceClient:
    client_id, secret = sandbox_credentials()
    return SequenceClient(
        base_url=SANDBOX_BASE_URL,
        client_id=client_id,
        client_secret=secret,
        transport=SandboxTransport(),
        retry=RetryPolicy(deadline=deadline),
        sleep=(sleeps.append if sleeps is not None else lambda _: None),
    )


@pytest.fixture
def acme():
    return make_customer("c1", "Acme Corp", "acme", "acme-eu")


def test_client_against_sandbox_round_trip(acme):
    client = sequence()
    created = client.create_seat_event(
        customer_alias="acme-eu",
        seat_type="admin",
        total=4,
        event_timestamp=datetime(2026, 1, 2, tzinfo=UTC),
    )
    assert client.get_seat_event(created.id) == created
    [customer] = client.list_seat_balances(customer_ids=["c1"])
    assert customer.total == 4 and customer.aliases == ("acme", "acme-eu")
    page = client.list_seat_events(EventQuery(customer_ids=("c1",)), limit=10)
    assert [e.id for e in page.items] == [created.id]
    with pytest.raises(UpstreamNotFound):
        client.get_seat_event("missing")


def test_client_against_sandbox_pages_through_every_event(acme):
    client = sequence()
    for day in range(1, 10):
        client.create_seat_event(
            customer_alias="acme",
            seat_type="admin",
            total=day,
            event_timestamp=datetime(2026, 1, day, tzinfo=UTC),
        )
    totals = [e.total for e in client.iter_seat_events(EventQuery(sort_order="ASC"), limit=4)]
    assert totals == list(range(1, 10))


def test_fault_errors_are_retried_then_unavailable(acme):
    sleeps: list[float] = []
    before = request_count()
    with faults.injected(error_rate=1.0, error_status=503), pytest.raises(UpstreamUnavailable):
        sequence(sleeps=sleeps).list_seat_balances()
    assert request_count() - before == 3  # three attempts, no more
    assert len(sleeps) == 2


def test_fault_500_is_not_retried(acme):
    with faults.injected(error_rate=1.0, error_status=500):
        before = request_count()
        with pytest.raises(UpstreamUnavailable):
            sequence().list_seat_balances()
        assert request_count() - before == 1


def test_fault_rate_limit_honours_retry_after(acme):
    sleeps: list[float] = []
    with faults.injected(rate_limit_rate=1.0, retry_after=2), pytest.raises(UpstreamRateLimited):
        sequence(sleeps=sleeps).list_seat_balances()
    assert sleeps == [2.0, 2.0]


def test_fault_malformed_body_is_bad_payload(acme):
    with faults.injected(malformed_rate=1.0), pytest.raises(UpstreamBadPayload):
        sequence().list_seat_balances()


def test_fault_dripping_body_hits_the_call_deadline(acme):
    with faults.injected(drip_ms=200), pytest.raises(UpstreamUnavailable, match=r"(?i)deadline"):
        sequence(deadline=0.3).list_seat_balances()


def test_faults_cleared_answers_normally(acme):
    with faults.injected(error_rate=1.0):
        pass
    assert sequence().list_seat_balances()[0].id == "c1"


def test_transport_does_not_end_the_callers_request_cycle(acme):
    fired = []

    def record(**kwargs):
        fired.append(kwargs)

    request_finished.connect(record)
    try:
        httpx.Client(
            base_url=SANDBOX_BASE_URL, transport=SandboxTransport(), auth=sandbox_credentials()
        ).get("/seat-balances")
    finally:
        request_finished.disconnect(record)
    assert fired == []


def test_transport_unknown_path_is_404():
    client = httpx.Client(transport=SandboxTransport())
    assert client.get(f"{SANDBOX_BASE_URL}/nothing-here").status_code == 404
    assert client.get("http://sandbox.internal/elsewhere").status_code == 404


# --- Authentication before faults, a bounded request log -----------------------------------------


@pytest.mark.parametrize(
    ("knobs", "authenticated_status"),
    [({"error_rate": 1.0, "error_status": 503}, 503), ({"rate_limit_rate": 1.0}, 429)],
)
def test_fault_anonymous_request_gets_401_before_any_fault_and_no_log_row(
    acme, knobs, authenticated_status
):
    with faults.injected(**knobs):
        before = request_count()
        anonymous = api(auth=False).get("/seat-balances")
        logged_after_anonymous = request_count()
        # The same fault does reach a caller with credentials: the 401 is the auth check's.
        authenticated = api().get("/seat-balances")

    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["type"] == "Unauthorized"
    assert logged_after_anonymous == before
    assert authenticated.status_code == authenticated_status


def test_fault_delay_is_not_spent_on_anonymous_requests(acme, monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr("seatdash.sandbox.faults.time.sleep", slept.append)
    with faults.injected(delay_ms=5000):
        assert api(auth=False).get("/seat-balances").status_code == 401
        assert slept == []
        assert api().get("/seat-balances").status_code == 200
        assert slept == [5.0]


def test_request_log_keeps_only_the_newest_rows(acme, settings):
    from seatdash.sandbox.models import RequestLog

    settings.SANDBOX_REQUEST_LOG_ROWS = 3
    sandbox = api()
    for _ in range(4):
        sandbox.get("/seat-balances")
    sandbox.get("/seat-events")

    rows = list(RequestLog.objects.order_by("pk").values_list("path", flat=True))
    assert rows == ["/sandbox/api/seat-balances"] * 2 + ["/sandbox/api/seat-events"]
