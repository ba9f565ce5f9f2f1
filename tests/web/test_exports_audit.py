"""Who may download, and the audit row each download leaves."""

from __future__ import annotations

import pytest
from django.urls import reverse

from seatdash.audit import audited_stream
from seatdash.models import ExportAudit
from seatdash.web.exports import RowCounter, csv_chunks
from tests.fakes import at, customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(fake_sequence):
    fake_sequence.customers = [
        customer("c-1", "Acme Corp", {"admin": 3, "editor": 10}, aliases=("acme",), changed=at(1)),
        customer("c-2", "Beta BV", {"viewer": 7}, aliases=("beta",), changed=at(2)),
        customer("c-3", "Gamma", {}, aliases=("gamma",), changed=at(3)),
    ]
    return fake_sequence


def test_viewer_sees_no_csv_button_and_gets_403_on_the_csv(viewer_client, customers):
    page = viewer_client.get(reverse("balances"))
    assert page.status_code == 200
    assert reverse("balances_csv") not in page.content.decode()
    refused = viewer_client.get(reverse("balances_csv"))
    assert refused.status_code == 403
    assert ExportAudit.objects.count() == 0


def test_exporter_sees_the_csv_button(logged_in_client, customers):
    assert reverse("balances_csv") in logged_in_client.get(reverse("balances")).content.decode()


def test_completed_download_writes_one_audit_row_with_filters_and_rows(
    logged_in_client, customers, user
):
    response = logged_in_client.get(reverse("balances_csv"), {"q": "a", "seat_type": "admin"})
    assert ExportAudit.objects.count() == 0  # nothing is recorded before the file has been sent
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    [audit] = ExportAudit.objects.all()
    assert audit.outcome == "completed"
    assert audit.user == user
    assert audit.view == "balances_csv"
    assert audit.filters["q"] == "a" and audit.filters["seat_type"] == "admin"
    assert audit.row_count == len(body.strip().splitlines()) - 1  # data rows, header aside


def test_download_stopped_early_is_recorded_as_aborted(rf, user):
    """What a WSGI server does when the browser goes away: it closes the response's iterator."""
    request = rf.get(reverse("balances_csv"), {"q": "acme"})
    request.user = user
    rows = RowCounter([n, f"Customer {n}"] for n in range(5_000))
    stream = audited_stream(
        request, csv_chunks(("n", "name"), rows), view="balances_csv", rows=rows
    )
    next(stream)
    assert ExportAudit.objects.count() == 0
    stream.close()
    [audit] = ExportAudit.objects.all()
    assert audit.outcome == "aborted"
    assert 0 < audit.row_count < 5_000
    assert audit.filters == {"q": "acme"}
