"""Server-rendered SVG step charts: one line per seat type, a <title> on every step; no JavaScript.

Built as text with every label escaped; the pages put a data table with the same numbers beside
each chart for screen readers and copying.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from html import escape

# Distinguishable on white and for the common colour-vision deficiencies (Okabe-Ito).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
WIDTH, HEIGHT = 720, 240
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 56, 12, 12, 46


@dataclass(frozen=True, slots=True)
class Step:
    at: datetime
    value: int
    title: str  # shown on hover, read by screen readers


def as_moment(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.combine(value, time.min, tzinfo=UTC)


def step_chart(
    series: dict[str, list[Step]],
    *,
    start: datetime,
    end: datetime,
    label: str,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> str:
    """An inline <svg>: each series a step line held from each step until the next (or `end`)."""
    start, end = as_moment(start), as_moment(end)
    span = max((end - start).total_seconds(), 1.0)
    values = [step.value for steps in series.values() for step in steps] or [0]
    top = max(max(values), 1)
    bottom = min(min(values), 0)
    plot_w = width - PAD_LEFT - PAD_RIGHT
    plot_h = height - PAD_TOP - PAD_BOTTOM

    def x(moment: datetime) -> float:
        seconds = (as_moment(moment) - start).total_seconds()
        return round(PAD_LEFT + plot_w * min(max(seconds / span, 0.0), 1.0), 1)

    def y(value: int) -> float:
        return round(PAD_TOP + plot_h * (top - value) / (top - bottom), 1)

    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg" aria-label="{escape(label)}">',
        f"<title>{escape(label)}</title>",
        f'<line class="axis" x1="{PAD_LEFT}" y1="{y(bottom)}" x2="{width - PAD_RIGHT}" '
        f'y2="{y(bottom)}" stroke="#888"/>',
    ]
    for value in sorted({bottom, top}):
        parts.append(
            f'<text x="{PAD_LEFT - 6}" y="{y(value) + 4}" text-anchor="end" font-size="11" '
            f'fill="#444">{value:,}</text>'
        )
    for moment, anchor in ((start, "start"), (end, "end")):
        parts.append(
            f'<text x="{x(moment)}" y="{height - 28}" text-anchor="{anchor}" font-size="11" '
            f'fill="#444">{moment:%Y-%m-%d}</text>'
        )
    for index, (name, steps) in enumerate(series.items()):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<g class="series" data-seat-type="{escape(name)}">')
        parts.append(f"<title>{escape(name)}</title>")
        if steps:
            path = [f"M{x(steps[0].at)},{y(steps[0].value)}"]
            for step in steps[1:]:
                path.append(f"H{x(step.at)}V{y(step.value)}")
            path.append(f"H{x(end)}")
            parts.append(
                f'<path d="{"".join(path)}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
            for step in steps:
                parts.append(
                    f'<circle class="step" cx="{x(step.at)}" cy="{y(step.value)}" r="3" '
                    f'fill="{colour}"><title>{escape(step.title)}</title></circle>'
                )
        parts.append("</g>")
    legend_x = PAD_LEFT
    for index, name in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(
            f'<rect x="{legend_x}" y="{height - 14}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{legend_x + 14}" y="{height - 5}" font-size="11" fill="#222">'
            f"{escape(name)}</text>"
        )
        legend_x += 24 + 7 * len(name)
    parts.append("</svg>")
    return "".join(parts)


def sparkline(values: list[int], *, width: int = 80, height: int = 20, label: str = "") -> str:
    """A tiny step line of `values` (oldest first), for a table cell."""
    if not values:
        return ""
    top, bottom = max(values), min(values)
    spread = max(top - bottom, 1)
    step_w = width / max(len(values) - 1, 1)
    path = []
    for index, value in enumerate(values):
        px = round(index * step_w, 1)
        py = round(1 + (height - 2) * (top - value) / spread, 1)
        path.append(f"M{px},{py}" if index == 0 else f"H{px}V{py}")
    return (
        f'<svg class="sparkline" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        f'<path d="{"".join(path)}" fill="none" stroke="#0072B2" stroke-width="1.5"/></svg>'
    )
