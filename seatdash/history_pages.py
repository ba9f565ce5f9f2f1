"""What the existing pages add from the seat history (the customer chart, balances as of).

Kept apart from seatdash.views so those views gain one line each, and so the history never breaks
a page that works without it: not synced yet is said on the page, never shown as zeros.
"""

from __future__ import annotations

from django.http import HttpRequest

from seatdash.history.queries import HistoryNotSynced
from seatdash.history_forms import AsOfForm
from seatdash.services.history import customer_history


def customer_history_context(request: HttpRequest, customer_id: str, filters) -> dict:
    """The customer page's seat-history chart (over its from/to when given) and its "as of" box."""
    as_of_form = AsOfForm(request.GET)
    context: dict = {"as_of_form": as_of_form}
    try:
        context["history"] = customer_history(
            customer_id,
            start=filters.timestamp_from,
            end=filters.timestamp_to,
            as_of=as_of_form.instant,
        )
    except HistoryNotSynced as error:
        context["history_not_synced"] = str(error)
    return context
