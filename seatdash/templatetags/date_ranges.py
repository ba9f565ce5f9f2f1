"""Quick date ranges (last 7 / 30 / 90 days, this and last quarter) as links built on the server.

They are plain links keeping the page's other filters, so they work with JavaScript off; with it,
seatdash.js fills the date fields from their data attributes and applies the form instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django import template
from django.utils import timezone

register = template.Library()

# Parameters that address one page of a result; a new range starts again at its first page.
_PAGE_PARAMETERS = ("page", "after", "before", "refresh")


@dataclass(frozen=True, slots=True)
class QuickRange:
    label: str
    start: date
    end: date


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quick_ranges(today: date) -> list[QuickRange]:
    """The ranges offered beside the date fields, inclusive at both ends, as of `today` (UTC)."""
    this_quarter = quarter_start(today)
    last_quarter = quarter_start(this_quarter - timedelta(days=1))
    return [
        QuickRange("Last 7 days", today - timedelta(days=6), today),
        QuickRange("Last 30 days", today - timedelta(days=29), today),
        QuickRange("Last 90 days", today - timedelta(days=89), today),
        QuickRange("This quarter", this_quarter, today),
        QuickRange("Last quarter", last_quarter, this_quarter - timedelta(days=1)),
    ]


@register.inclusion_tag("_quick_ranges.html", takes_context=True)
def quick_range_links(context):
    """Links that set `from` and `to` to each quick range and keep every other filter of the page."""
    request = context["request"]
    today = timezone.now().date()
    links = []
    for quick in quick_ranges(today):
        query = request.GET.copy()
        for name in _PAGE_PARAMETERS:
            query.pop(name, None)
        query["from"], query["to"] = quick.start.isoformat(), quick.end.isoformat()
        links.append(
            {
                "label": quick.label,
                "start": query["from"],
                "end": query["to"],
                "url": f"{request.path}?{query.urlencode()}",
                "current": request.GET.get("from") == query["from"]
                and request.GET.get("to") == query["to"],
            }
        )
    return {"links": links}
