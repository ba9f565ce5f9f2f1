"""The sandbox API's paths, as in Sequence's spec (mounted under /sandbox/api/)."""

from django.urls import path

from seatdash.sandbox import api

urlpatterns = [
    path("seat-balances", api.seat_balances, name="sandbox-seat-balances"),
    path("seat-events", api.seat_events, name="sandbox-seat-events"),
    path("seat-events/<str:event_id>", api.seat_event, name="sandbox-seat-event"),
]
