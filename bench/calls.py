"""Upstream calls per page, cold (empty cache) and warm, counted at the sandbox."""

from __future__ import annotations

from django.core.cache import cache
from django.core.management import call_command
from django.db.models import Count

from bench.support import logged_in_client
from seatdash.sandbox.models import Customer, SeatEvent, request_count
from seatdash.services import balances
from seatdash.services.events import EventFilters, customer_event_list
from seatdash.services.providers import sequence_client


def run(sizes: list[int]) -> None:
    client = logged_in_client()
    call_command(
        "sandbox_seed", "--customers", "300", "--reset", "--anchor", "2026-06-01", verbosity=0
    )
    balances.sequence_client = sequence_client  # undo any fake another suite installed
    busiest = SeatEvent.objects.values("customer_id").annotate(n=Count("id")).order_by("-n").first()
    customer = Customer.objects.get(id=busiest["customer_id"])
    event = SeatEvent.objects.filter(customer=customer).order_by("-seq").first()
    older = customer_event_list(customer_id=customer.id, filters=EventFilters()).value.after
    pages = {
        "/ (balances)": "/",
        "/?q=acme&sort=-total": "/?q=acme&sort=-total",
        "/balances.csv": "/balances.csv",
        f"customer page ({busiest['n']} events)": f"/customers/{customer.id}/",
        "customer events, older page": f"/customers/{customer.id}/?after={older}",
        "event page": f"/events/{event.id}/",
        "/events/ (all customers)": "/events/",
    }
    print(f"  {'page':<40} {'cold':>6} {'warm':>6}   (upstream calls)")
    for label, url in pages.items():
        cache.clear()
        balances.forget_decoded_snapshots()
        counts = []
        for _ in range(2):
            before = request_count()
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            assert response.status_code == 200, (url, response.status_code)
            counts.append(request_count() - before)
        print(f"  {label:<40} {counts[0]:>6} {counts[1]:>6}")
