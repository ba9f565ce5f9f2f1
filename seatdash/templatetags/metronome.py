"""Template helpers of the Metronome pages: amounts in one format, signed ledger amounts."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


def _digits(value: Decimal) -> str:
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    # Cents keep two places; finer amounts (Metronome allows them) are shown, not rounded away.
    return f"{value:,.2f}" if value.as_tuple().exponent >= -2 else f"{value.normalize():,f}"


@register.filter
def amount(value: Decimal | int | None) -> str:
    """`1,234.50`, `500`, a dash for none; negatives get a typographic minus that lines up."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    if not isinstance(value, Decimal):
        # None, or "" from a missing cell (a seat without that credit type): nothing to show.
        return "—"
    return _digits(value).replace("-", "\u2212")


@register.filter
def signed_amount(value: Decimal | None) -> str:
    text = amount(value)
    return f"+{text}" if isinstance(value, Decimal | int) and value > 0 else text
