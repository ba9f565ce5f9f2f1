"""Template tags drawing the time pages' SVG charts (see seatdash.web.charts)."""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import mark_safe

from seatdash.web import charts

register = template.Library()


def _signed(number: int) -> str:
    return f"+{number:,}" if number > 0 else f"{number:,}".replace("-", "\u2212")


@register.simple_tag
def movers_chart(listing) -> str:
    """Total seats per seat type at the end of each day of the movers window (drawn once per
    kept answer)."""
    drawn = listing.drawn.get("chart")
    if drawn is None:
        drawn = listing.drawn["chart"] = _draw_movers_chart(listing)
    return mark_safe(drawn)  # noqa: S308 (every label is escaped in charts.step_chart)


def _draw_movers_chart(listing) -> str:
    series: dict[str, list[charts.Step]] = {}
    for seat_type in listing.seat_types:
        steps: list[charts.Step] = []
        previous = None
        for point in listing.chart:
            value = point.totals.get(seat_type, 0)
            if previous is None or value != previous:
                change = 0 if previous is None else value - previous
                title = f"{point.day:%Y-%m-%d} · {seat_type}: {value:,} seats"
                if previous is not None:
                    title += f" ({_signed(change)})"
                steps.append(charts.Step(charts.as_moment(point.day), value, title))
            previous = value
        series[seat_type] = steps
    first, last = listing.chart[0].day, listing.chart[-1].day
    label = f"Total seats per seat type from {first:%Y-%m-%d} to {last:%Y-%m-%d}"
    return charts.step_chart(
        series, start=charts.as_moment(first), end=charts.as_moment(last), label=label
    )


@register.simple_tag
def movers_chart_rows(listing) -> str:
    """The chart's numbers as table rows: its first point (the seats held before `from`), each
    day whose totals changed, and its last day; drawn once per kept answer."""
    drawn = listing.drawn.get("rows")
    if drawn is None:
        start = f"before {listing.filters.start:%Y-%m-%d}"
        lines = []
        for index, point in enumerate(listing.chart_rows):
            day = start if index == 0 else f"{point.day:%Y-%m-%d}"
            cells = "".join(
                f'<td class="num">{point.totals.get(seat_type, 0):,}</td>'
                for seat_type in listing.seat_types
            )
            lines.append(f"<tr><td>{escape(day)}</td>{cells}</tr>")
        drawn = listing.drawn["rows"] = "\n".join(lines)
    return mark_safe(drawn)  # noqa: S308 (dates and numbers only)


@register.simple_tag
def seat_history_chart(history) -> str:
    """One customer's seats per seat type, a step at every effective change."""
    series = {
        seat_type: [
            charts.Step(
                point.event_timestamp,
                point.total,
                f"{point.event_timestamp:%Y-%m-%d %H:%M} UTC · {seat_type}: "
                f"{point.total:,} seats ({_signed(point.change)})",
            )
            for point in points
        ]
        for seat_type, points in history.series.items()
    }
    return mark_safe(  # noqa: S308 (every label is escaped in charts.step_chart)
        charts.step_chart(series, start=history.start, end=history.end, label=history.label)
    )


@register.simple_tag
def sparkline(values, label: str = "") -> str:
    return mark_safe(charts.sparkline(list(values), label=label))  # noqa: S308 (label escaped)


@register.filter
def errors_by_field(form, names: str) -> list[tuple[str, list[str]]]:
    """(field name, its errors) for each of the space-separated `names`, for out-of-band swaps."""
    return [(name, form.errors.get(name, [])) for name in names.split()]


@register.filter
def get(mapping, key):
    return mapping.get(key, 0)
