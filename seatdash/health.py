"""/healthz: is this process able to serve (database, cache), and what each provider last did."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from seatdash.services.cache import breaker_open

logger = logging.getLogger(__name__)

# One verdict per provider and outcome, written through the cache core's outcome hook (registered
# at start-up by seatdash.wiring) and read by the probe. Two keys, so neither write loses the other.
PROVIDERS = ("Sequence", "Metronome")
OUTCOME_TTL = 24 * 60 * 60
# An old verdict says nothing about now: past this, the state reads "unknown" (the times stay).
STATE_WINDOW_SECONDS = 15 * 60


def _outcome_key(provider: str, outcome: str) -> str:
    return f"health:upstream:{provider.lower()}:{outcome}"


def record_upstream_outcome(*, provider: str, ok: bool) -> None:
    """Remember when `provider` last answered (ok) or last failed; the cache core calls this."""
    key = _outcome_key(provider, "success" if ok else "failure")
    try:
        cache.set(key, timezone.now().isoformat(), OUTCOME_TTL)
    except Exception as exc:
        # A cache outage must not turn a good upstream answer into an error page.
        logger.warning("upstream outcome not recorded: %s", type(exc).__name__)


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


def _recorded_time(provider: str, outcome: str) -> datetime | None:
    try:
        value = cache.get(_outcome_key(provider, outcome))
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except Exception:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def provider_state(provider: str) -> dict[str, object]:
    """What the last real calls to `provider` saw; never a call of its own."""
    if provider == "Metronome" and not settings.METRONOME_ENABLED:
        return {"state": "disabled"}
    success = _recorded_time(provider, "success")
    failure = _recorded_time(provider, "failure")
    latest = max((t for t in (success, failure) if t is not None), default=None)
    if latest is None or (timezone.now() - latest).total_seconds() > STATE_WINDOW_SECONDS:
        state = "unknown"
    else:
        state = "ok" if latest == success else "unreachable"
    try:
        breaker = breaker_open(provider)
    except Exception:
        breaker = False
    return {
        "state": state,
        "last_success": success.isoformat() if success else None,
        "last_failure": failure.isoformat() if failure else None,
        "breaker_open": breaker,
    }


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
        "providers": {provider.lower(): provider_state(provider) for provider in PROVIDERS},
    }
    return JsonResponse(body, status=200 if healthy else 503)
