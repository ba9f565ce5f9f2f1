"""Session rules Django lacks: an absolute lifetime, and a login redirect htmx can follow."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django_htmx.http import HttpResponseClientRedirect

logger = logging.getLogger(__name__)

LOGIN_AT_KEY = "seatdash_login_at"


@receiver(user_logged_in, dispatch_uid="seatdash.middleware.stamp_login_time")
def stamp_login_time(sender, request: HttpRequest | None, user, **kwargs) -> None:
    # Django keeps session data when the same user logs in again, so the stamp must be reset here.
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT_KEY] = int(time.time())


class SessionLifetimeMiddleware:
    """Logs a user out once SESSION_ABSOLUTE_AGE seconds have passed since they logged in.

    SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST is only an idle timeout: an active session
    would otherwise live for ever. Goes after AuthenticationMiddleware and before the login check.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            login_at = request.session.get(LOGIN_AT_KEY)
            if not isinstance(login_at, int):
                # A session from before this rule (or a login that bypassed the signal): start now.
                request.session[LOGIN_AT_KEY] = now
            elif now - login_at >= settings.SESSION_ABSOLUTE_AGE:
                logger.info("session_expired reason=absolute_lifetime user_id=%s", request.user.pk)
                # Flushes the session on the server too, not just the cookie.
                logout(request)
        return self.get_response(request)


class HtmxLoginRequiredMiddleware(LoginRequiredMiddleware):
    """LoginRequiredMiddleware, but an htmx request gets HX-Redirect to the login page.

    A plain 302 would be followed by the XHR and the login page swapped into a table.
    """

    def handle_no_permission(self, request: HttpRequest, view_func) -> HttpResponse:
        response = super().handle_no_permission(request, view_func)
        if not getattr(request, "htmx", False):
            return response
        # The page to come back to is the one the person sees, not the fragment URL htmx called.
        current_url = getattr(request.htmx, "current_url_abs_path", None)
        if current_url:
            response = redirect_to_login(
                current_url,
                self.get_login_url(view_func),
                self.get_redirect_field_name(view_func),
            )
        return HttpResponseClientRedirect(response["Location"])
