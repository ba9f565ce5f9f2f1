"""URL contract: see README "Pages and URLs". Bookmarks and other tools rely on these paths."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from seatdash import views
from seatdash.health import healthz

urlpatterns = [
    path("", views.balances, name="balances"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("sandbox/api/", include("seatdash.sandbox.urls")),
    path("sandbox/metronome/", include("seatdash.sandbox_metronome.urls")),
]

if settings.OIDC_ENABLED:
    from seatdash.auth import oidc_urlpatterns

    urlpatterns.append(path("oidc/", include(oidc_urlpatterns)))
