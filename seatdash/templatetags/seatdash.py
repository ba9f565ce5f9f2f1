"""Template helpers for tables: sortable headers, freshness wording, upstream problems."""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.utils.timesince import timesince

from seatdash.services.errors import (
    UpstreamBadPayload,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamUnauthorized,
    UpstreamUnavailable,
)

register = template.Library()


@register.inclusion_tag("_sort_header.html", takes_context=True)
def sort_header(
    context, column: str, label: str, numeric: bool = False, descending_first: bool = False
):
    """A column header that sorts by `column`, flipping direction when already sorted by it.

    `descending_first`: the first click sorts largest first ("biggest growth" in one click)."""
    current = context["listing"].sort
    if current == column:
        direction, next_sort = "ascending", f"-{column}"
    elif current == f"-{column}":
        direction, next_sort = "descending", column
    else:
        direction, next_sort = None, f"-{column}" if descending_first else column
    return {
        "request": context["request"],
        "label": label,
        "next_sort": next_sort,
        "direction": direction,
        "numeric": numeric,
    }


@register.filter
def utc(moment: datetime | None) -> str:
    """One timestamp format everywhere, with the zone shown."""
    if moment is None:
        return "—"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@register.filter
def utc_time(moment: datetime | None) -> str:
    """`14:02 UTC` today, `2026-03-31 14:02 UTC` on another day."""
    if moment is None:
        return "—"
    moment = moment.astimezone(UTC)
    if moment.date() == datetime.now(UTC).date():
        return f"{moment:%H:%M} UTC"
    return f"{moment:%Y-%m-%d %H:%M} UTC"


@register.filter
def as_of(moment: datetime) -> str:
    """`14:02 UTC, 3 minutes ago` (the date too when not today)."""
    moment = moment.astimezone(UTC)
    now = datetime.now(UTC)
    when = f"{moment:%H:%M} UTC" if moment.date() == now.date() else f"{moment:%Y-%m-%d %H:%M} UTC"
    ago = timesince(moment, now).split(",")[0]
    return f"{when}, just now" if ago.startswith("0\xa0minutes") else f"{when}, {ago} ago"


@register.filter
def upstream_problem(error: UpstreamError) -> str:
    """What went wrong upstream, in words a CS person can act on (never a stack trace)."""
    provider = getattr(error, "provider", "The provider")
    if isinstance(error, UpstreamRateLimited):
        return f"{provider} is asking seatdash to slow down (too many requests)."
    if isinstance(error, UpstreamUnavailable):
        return f"{provider} is unreachable right now."
    if isinstance(error, UpstreamUnauthorized):
        return f"{provider} refused seatdash's credentials; an administrator needs to check them."
    if isinstance(error, UpstreamBadPayload):
        return f"{provider} sent an answer seatdash could not read."
    if isinstance(error, UpstreamRejected):
        return f"{provider} rejected the request: {error.message}"
    return f"{provider} could not answer."


@register.filter
def signed(number: int) -> str:
    # A typographic minus (U+2212) lines up with the plus sign in a right-aligned column.
    return f"+{number:,}" if number > 0 else f"{number:,}".replace("-", "\u2212")


@register.simple_tag
def seat_count(customer, seat_type: str) -> str:
    """The customer's seats of one type, or a dash when it never had that type."""
    for balance in customer.balances:
        if balance.seat_type == seat_type:
            return f"{balance.total:,}"
    return "—"


@register.simple_tag
def customer_link(customer_alias: str, customers: dict | None) -> str:
    """The customer an event names (by alias or ID), linked when it is known."""
    from django.urls import reverse
    from django.utils.html import format_html

    customer = (customers or {}).get(customer_alias)
    if customer is None:
        return format_html('<span class="mono">{}</span>', customer_alias)
    return format_html(
        '<a href="{}">{}</a> <span class="mono small">{}</span>',
        reverse("customer", args=[customer.id]),
        customer.legal_name,
        customer_alias,
    )
