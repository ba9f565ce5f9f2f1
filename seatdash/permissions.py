"""Who may do what beyond browsing: `can_export` and the `export_required` view decorator."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

EXPORT_PERMISSION = "seatdash.export_csv"


def can_export(user) -> bool:
    """True for active users holding seatdash.export_csv (the "exporter" group) and superusers."""
    return bool(user.is_authenticated and user.is_active and user.has_perm(EXPORT_PERMISSION))


def export_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse the view with the 403 page (templates/403.html) unless `can_export(request.user)`."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not can_export(request.user):
            # Failed authorisation is a security event worth a line (ASVS 16.3.2).
            logger.warning(
                "permission_denied permission=%s user_id=%s path=%s",
                EXPORT_PERMISSION,
                request.user.pk,
                request.path,
            )
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
