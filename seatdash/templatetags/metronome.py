"""Template helpers of the Metronome pages: amounts in one format and in their credit type's unit."""

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


@register.filter
def in_unit(value: Decimal | None, unit) -> str:
    """A raw Metronome amount in its unit: USD cents 564178 -> `$5,641.78`; custom credit types
    as Metronome gave them; a dash for none. `unit` is a services.metronome_units.CreditUnit."""
    if not isinstance(value, Decimal) or unit is None:
        return amount(value)
    shown = unit.shown(value)
    text = f"{abs(shown):,.{unit.places}f}" if unit.places is not None else _digits(abs(shown))
    sign = "\u2212" if shown < 0 else ""
    return f"{sign}{unit.symbol}{text}"


@register.filter
def signed_in_unit(value: Decimal | None, unit) -> str:
    text = in_unit(value, unit)
    return f"+{text}" if isinstance(value, Decimal) and value > 0 else text
