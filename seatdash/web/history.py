"""The /history/ page: the seat history's sync state, its progress while running, the last
reconciliation, and "Sync now" for exporters (viewers see the state only)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from seatdash.history.queries import NOT_SYNCED_MESSAGE
from seatdash.permissions import can_export, export_required
from seatdash.services.history import history_overview, sync_now_start
from seatdash.web.htmx import render_page_or_fragment

SYNC_NOW_MESSAGES = {
    "started": (messages.SUCCESS, "Sync started. This page follows its progress."),
    "running": (messages.INFO, "A sync is already running."),
    "too-soon": (messages.WARNING, "A sync was started moments ago; try again in a minute."),
}


@never_cache
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    context = {
        "overview": history_overview(),
        "can_sync": can_export(request.user),
        "not_synced_message": NOT_SYNCED_MESSAGE,
    }
    return render_page_or_fragment(request, "history.html", "status", context)


@never_cache
@require_POST
@export_required
def history_sync_now(request: HttpRequest) -> HttpResponse:
    level, text = SYNC_NOW_MESSAGES[sync_now_start()]
    messages.add_message(request, level, text)
    return redirect("history", permanent=False)
