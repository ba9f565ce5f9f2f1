"""Sign-in glue: client IP behind proxies, the axes lockout page, optional OIDC single sign-on."""

from __future__ import annotations

import math
from typing import Any

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import Group
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

VIEWER_GROUP = "viewer"
EXPORTER_GROUP = "exporter"


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the entry TRUSTED_PROXY_COUNT proxies from the right.

    Each trusted proxy appends the address it saw to X-Forwarded-For, so only the rightmost
    TRUSTED_PROXY_COUNT entries can be believed; anything further left is whatever the client sent.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The login page again, saying how long to wait (django-axes' AXES_LOCKOUT_CALLABLE)."""
    cool_off = get_cool_off(request)
    # Every attempt during a lockout restarts the cool-off, so the full period is the honest wait.
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "next": request.POST.get("next", ""),
        "lockout_minutes": minutes,
        "locked_out": True,
    }
    return render(request, "registration/login.html", context, status=429)


def sso(request: HttpRequest) -> dict[str, Any]:
    """Template context: the single sign-on button's label, or None when SSO is off."""
    return {"sso_provider_name": settings.OIDC_PROVIDER_NAME if settings.OIDC_ENABLED else None}


def oidc_username(email: str, claims: dict[str, Any] | None = None) -> str:
    """Usernames are the e-mail address, so staff recognise people in the admin."""
    return email.strip().lower()[:150]


class OIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend; people it creates start as viewers."""

    def create_user(self, claims: dict[str, Any]):
        user = super().create_user(claims)
        user.first_name = str(claims.get("given_name", ""))[:150]
        user.last_name = str(claims.get("family_name", ""))[:150]
        user.save(update_fields=["first_name", "last_name"])
        group, _ = Group.objects.get_or_create(name=VIEWER_GROUP)
        user.groups.add(group)
        return user


# The sign-in endpoints must be reachable signed out, which LoginRequiredMiddleware would refuse.
oidc_urlpatterns = [
    path(
        "authenticate/",
        login_not_required(OIDCAuthenticationRequestView.as_view()),
        name="oidc_authentication_init",
    ),
    path(
        "callback/",
        login_not_required(OIDCAuthenticationCallbackView.as_view()),
        name="oidc_authentication_callback",
    ),
]
