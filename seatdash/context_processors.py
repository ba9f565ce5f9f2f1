"""Template context every page needs: which optional providers are switched on, and which
navigation section the current page belongs to (base.html marks that item `aria-current`)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

# URL name -> navigation section, for the pages whose names do not start with their section.
NAV_SECTION_BY_URL_NAME = {
    "balances": "balances",
    "customer": "balances",
    "movers": "movers",
    "events": "events",
    "event": "events",
}
# Every URL named `history…` or `metronome…` belongs to that section.
NAV_SECTION_PREFIXES = ("history", "metronome")


def nav_section(url_name: str | None) -> str | None:
    """The navigation section a URL name belongs to; None for pages outside the navigation."""
    if not url_name:
        return None
    if url_name in NAV_SECTION_BY_URL_NAME:
        return NAV_SECTION_BY_URL_NAME[url_name]
    return next((prefix for prefix in NAV_SECTION_PREFIXES if url_name.startswith(prefix)), None)


def navigation(request: HttpRequest) -> dict:
    match = getattr(request, "resolver_match", None)
    return {
        "METRONOME_ENABLED": bool(settings.METRONOME_ENABLED),
        "nav_section": nav_section(match.url_name if match else None),
    }
