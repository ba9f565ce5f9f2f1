"""Bearer-token check of the Metronome sandbox; the token is derived, so none is committed."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.http import HttpRequest


def sandbox_token() -> str:
    """METRONOME_BEARER_TOKEN when set, else an HMAC of SECRET_KEY that is stable per deployment."""
    if settings.METRONOME_BEARER_TOKEN:
        return settings.METRONOME_BEARER_TOKEN
    return hmac.new(
        settings.SECRET_KEY.encode(), b"seatdash.sandbox_metronome.bearer", hashlib.sha256
    ).hexdigest()


def is_authorized(request: HttpRequest) -> bool:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    return hmac.compare_digest(token.strip().encode(), sandbox_token().encode())
