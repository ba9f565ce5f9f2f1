"""The pages against odd and slow upstreams: the spec's own examples served verbatim, a snapshot
still loading, and fewer customers received than Sequence reported."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest
import yaml
from django.urls import reverse

from seatdash.clients.sequence import BalancePages, SequenceClient
from seatdash.services import balances as balance_service
from seatdash.services import events as event_service
from tests.fakes import customer

pytestmark = pytest.mark.django_db

SPEC = Path("/work/shared/specs/sequence-seats.openapi.yaml")
if not SPEC.exists():
    SPEC = Path(__file__).resolve().parents[3] / "shared" / "specs" / "sequence-seats.openapi.yaml"


def _example(spec: dict, path: str) -> dict:
    """The 200 example the spec gives for GET `path`, verbatim."""
    content = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    return next(iter(content["examples"].values()))["value"]


@pytest.fixture
def spec_example_server(monkeypatch):
    """Sequence as its spec's examples show it: the same page and cursor for every request,
    whatever the parameters (the spec declares no `after` on /seat-balances)."""
    if not SPEC.exists():
        pytest.skip("the shared OpenAPI spec is not on this machine")
    spec = yaml.safe_load(SPEC.read_text())
    bodies = {
        "/api/seat-balances": _example(spec, "/seat-balances"),
        "/api/seat-events": _example(spec, "/seat-events"),
    }
    requests = []

    def respond(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        path = request.url.path
        if path.startswith("/api/seat-events/"):
            return httpx.Response(200, json=_example(spec, "/seat-events/{id}"))
        return httpx.Response(200, json=bodies[path])

    client = SequenceClient(
        base_url="https://eu.sequencehq.com/api",
        client_id="id",
        client_secret="secret-secret",
        transport=httpx.MockTransport(respond),
    )
    monkeypatch.setattr(balance_service, "sequence_client", lambda: client)
    monkeypatch.setattr(event_service, "sequence_client", lambda: client)
    balance_service.forget_decoded_snapshots()
    return requests


EXAMPLE_ID = "d82010a6-6835-41f8-9dd3-6f858f617f35"


def test_spec_examples_balances_page_shows_the_customer_and_the_reported_count(
    logged_in_client, spec_example_server
):
    response = logged_in_client.get(reverse("balances"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Acme Corp" in body
    assert "could not read" not in body
    assert "Sequence reported 10 customers; 1 received." in body
    assert len(spec_example_server) == 2  # the second page repeated the cursor: paging stopped


def test_spec_examples_customer_page_shows_the_customer(logged_in_client, spec_example_server):
    response = logged_in_client.get(reverse("customer", args=[EXAMPLE_ID]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Acme Corp" in body
    assert "could not read" not in body


def test_spec_examples_csv_holds_the_customer(logged_in_client, spec_example_server):
    response = logged_in_client.get(reverse("balances_csv"))

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert EXAMPLE_ID in text and "Acme Corp" in text


class SlowSequence:
    """Reports 37,000 of 100,000 customers, then holds until released."""

    def __init__(self):
        self.release = threading.Event()

    def fetch_seat_balances(self, *, budget=None, on_page=None, **filters):
        on_page(37_000, 100_000)
        assert self.release.wait(10)
        return BalancePages([customer("c-1", "Acme Corp", {"admin": 2})], 1, pages=1)


def test_cold_snapshot_answers_at_once_with_loading_progress_then_fills_in(
    logged_in_client, monkeypatch, background_threads
):
    slow = SlowSequence()
    monkeypatch.setattr(balance_service, "sequence_client", lambda: slow)
    monkeypatch.setattr(balance_service, "COLD_WAIT_SECONDS", 0.3)
    balance_service.forget_decoded_snapshots()
    try:
        loading = logged_in_client.get(reverse("balances"), HTTP_HX_REQUEST="true")
        body = loading.content.decode()
        assert loading.status_code == 200
        assert "Loading balances: 37,000 of 100,000 customers" in body
        assert 'hx-trigger="every 2s"' in body
        plain = logged_in_client.get(reverse("balances")).content.decode()
        assert "Reload" in plain  # JavaScript off: a reload link
    finally:
        slow.release.set()
    background_threads.wait_for_background_refreshes()

    filled = logged_in_client.get(reverse("balances"), HTTP_HX_REQUEST="true").content.decode()
    assert "Acme Corp" in filled and "Loading balances" not in filled


def test_csv_while_loading_sends_to_the_balances_page(
    logged_in_client, monkeypatch, background_threads
):
    slow = SlowSequence()
    monkeypatch.setattr(balance_service, "sequence_client", lambda: slow)
    monkeypatch.setattr(balance_service, "COLD_WAIT_SECONDS", 0.1)
    try:
        response = logged_in_client.get(reverse("balances_csv"))
        assert response.status_code == 302
        assert response["Location"] == reverse("balances")
    finally:
        slow.release.set()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("status", [401, 403])
def test_cold_balances_page_with_refused_credentials_answers_at_once(
    logged_in_client, monkeypatch, background_threads, status
):
    """A fetch that fails for good (refused credentials) must end the wait of the request that
    started it, not restart in the background for ever (the loading path once did)."""
    calls = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(status, json={"message": "bad credentials"})

    client = SequenceClient(
        base_url="https://eu.sequencehq.com/api",
        client_id="id",
        client_secret="secret-secret",
        transport=httpx.MockTransport(refuse),
    )
    monkeypatch.setattr(balance_service, "sequence_client", lambda: client)
    balance_service.forget_decoded_snapshots()
    answered = {}

    worker = threading.Thread(
        target=lambda: answered.setdefault("response", logged_in_client.get(reverse("balances")))
    )
    worker.start()
    worker.join(10)

    assert "response" in answered, "the page was still waiting after 10 s"
    body = answered["response"].content.decode()
    assert answered["response"].status_code == 200
    assert "refused seatdash" in body
    assert len(calls) <= 2
