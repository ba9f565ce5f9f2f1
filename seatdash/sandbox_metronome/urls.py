"""Routes of the Metronome sandbox, mounted at /sandbox/metronome/ with Metronome's own paths."""

from __future__ import annotations

from django.urls import path

from seatdash.sandbox_metronome import views

app_name = "sandbox_metronome"

urlpatterns = [
    path("v1/customers", views.customers_list, name="customers_list"),
    path("v1/customers/<str:customer_id>", views.customer_detail, name="customer_detail"),
    path("v1/credit-types/list", views.credit_types_list, name="credit_types_list"),
    path("v1/contracts/list", views.contracts_list, name="contracts_list"),
    path(
        "v1/contracts/getSubscriptionSeatsHistory",
        views.subscription_seats_history,
        name="subscription_seats_history",
    ),
    path("v1/contracts/seatBalances/list", views.seat_balances_list, name="seat_balances_list"),
]
