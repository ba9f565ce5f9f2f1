"""URL contract: see README "Pages and URLs". Bookmarks and other tools rely on these paths."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from seatdash import views

urlpatterns = [
    path("", views.balances, name="balances"),
    path("balances.csv", views.balances_csv, name="balances_csv"),
    path("customers/<str:customer_id>/", views.customer_detail, name="customer"),
    path("events/", views.events, name="events"),
    path("events/<str:event_id>/", views.event, name="event"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("sandbox/api/", include("seatdash.sandbox.urls")),
    path("sandbox/metronome/", include("seatdash.sandbox_metronome.urls")),
]
