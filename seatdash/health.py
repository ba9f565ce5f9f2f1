"""/healthz: is this process able to serve (database, cache), and what did the upstream last do."""

from __future__ import annotations

import logging
import secrets

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

# Written by the service layer after each upstream call, read by the probe. Agreed contract.
UPSTREAM_STATUS_KEY = "health:upstream"
# An old verdict says nothing about now: past this, the probe reports "unknown".
UPSTREAM_STATUS_TTL = 15 * 60


def record_upstream_state(ok: bool) -> None:
    """Remember whether the last upstream call succeeded; the service layer calls this."""
    state = {"state": "ok" if ok else "unreachable", "at": timezone.now().isoformat()}
    try:
        cache.set(UPSTREAM_STATUS_KEY, state, UPSTREAM_STATUS_TTL)
    except Exception as exc:
        # A cache outage must not turn a good upstream answer into an error page.
        logger.warning("upstream state not recorded: %s", type(exc).__name__)


def check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception as exc:
        # The class name only: driver messages can carry host names and user names.
        logger.warning("healthz database probe failed: %s", type(exc).__name__)
        return False


def check_cache() -> bool:
    # A fresh key and value per probe, so concurrent probes cannot vouch for each other.
    key = f"health:probe:{secrets.token_hex(8)}"
    value = secrets.token_hex(8)
    try:
        cache.set(key, value, 10)
        ok = cache.get(key) == value
        cache.delete(key)
        return ok
    except Exception as exc:
        logger.warning("healthz cache probe failed: %s", type(exc).__name__)
        return False


def upstream_state() -> str:
    try:
        recorded = cache.get(UPSTREAM_STATUS_KEY)
    except Exception:
        return "unknown"
    state = recorded.get("state") if isinstance(recorded, dict) else None
    return state if state in ("ok", "unreachable") else "unknown"


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and cache answer, 503 otherwise; the upstream never decides it.

    An unreachable upstream is reported but is not "unhealthy": restarting seatdash would not fix
    it, and the pages still serve cached data with a banner.
    """
    database = "ok" if check_database() else "unreachable"
    cache_state = "ok" if check_cache() else "unreachable"
    healthy = database == "ok" and cache_state == "ok"
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": database,
        "cache": cache_state,
        "upstream": upstream_state(),
    }
    return JsonResponse(body, status=200 if healthy else 503)
