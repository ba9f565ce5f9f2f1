"""Template context every page needs: which optional providers are switched on."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def provider_switches(request: HttpRequest) -> dict[str, bool]:
    return {"METRONOME_ENABLED": bool(settings.METRONOME_ENABLED)}
