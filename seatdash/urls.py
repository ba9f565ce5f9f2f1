"""URL contract: see README "Pages and URLs". Bookmarks and other tools rely on these paths."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from seatdash.converters import IdentifierConverter
from seatdash.health import healthz
from seatdash.web import balances, customers, events, history, metronome, movers

register_converter(IdentifierConverter, "ident")

urlpatterns = [
    path("", balances.balances, name="balances"),
    path("balances.csv", balances.balances_csv, name="balances_csv"),
    path("customers/<ident:customer_id>/", customers.customer_detail, name="customer"),
    path("movers/", movers.movers_page, name="movers"),
    path("movers.csv", movers.movers_csv, name="movers_csv"),
    path("events/", events.events, name="events"),
    path("events.csv", events.events_csv, name="events_csv"),
    path("events/<ident:event_id>/", events.event, name="event"),
    path("history/", history.history, name="history"),
    path("history/sync/", history.history_sync_now, name="history_sync_now"),
    path("metronome/", metronome.customers, name="metronome_customers"),
    path(
        "metronome/customers/<ident:customer_id>/",
        metronome.customer,
        name="metronome_customer",
    ),
    path(
        "metronome/customers/<ident:customer_id>/contracts/<ident:contract_id>/",
        metronome.seat_balances,
        name="metronome_seats",
    ),
    path(
        "metronome/customers/<ident:customer_id>/contracts/<ident:contract_id>/seat-balances.csv",
        metronome.seat_balances_csv,
        name="metronome_seats_csv",
    ),
    path(
        "metronome/customers/<ident:customer_id>/contracts/<ident:contract_id>/seat/",
        metronome.seat,
        name="metronome_seat",
    ),
    path(
        "metronome/customers/<ident:customer_id>/contracts/<ident:contract_id>/seat/ledger/",
        metronome.ledger,
        name="metronome_ledger",
    ),
    path(
        "metronome/customers/<ident:customer_id>/contracts/<ident:contract_id>/seat/ledger.csv",
        metronome.seat_ledger_csv,
        name="metronome_seat_ledger_csv",
    ),
    path(
        "metronome/sequence-customers/<ident:customer_id>/seat-credits/",
        metronome.seat_credits,
        name="metronome_seat_credits",
    ),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

# The built-in sandboxes exist only where SANDBOX_ENABLED (the DEBUG default), never in production.
if settings.SANDBOX_ENABLED:
    urlpatterns += [
        path("sandbox/api/", include("seatdash.sandbox.urls")),
        path("sandbox/metronome/", include("seatdash.sandbox_metronome.urls")),
    ]

if settings.OIDC_ENABLED:
    from seatdash.auth import oidc_urlpatterns

    urlpatterns.append(path("oidc/", include(oidc_urlpatterns)))
