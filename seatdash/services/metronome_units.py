"""What Metronome's amounts are measured in: fiat credit types in currency units (USD cents shown
as dollars), custom credit types by name at their own precision, the quantity type as seat units,
and ledger entry types in words."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from decimal import Decimal

from seatdash.clients.errors import UpstreamError
from seatdash.clients.metronome import PROVIDER, CreditType
from seatdash.services.cache import cache_key, cached_fetch
from seatdash.services.providers import metronome_client

logger = logging.getLogger(__name__)

# Part of every Metronome cache key: bump it when a cached record's class moves or changes shape
# (m3: every record moved into the clients.metronome package), so no old pickle is read.
RECORDS_SHAPE = "m3"
# Credit types are configuration, not activity: an hour-old list of names is as good as a new one.
CREDIT_TYPES_FRESH_SECONDS = 60 * 60
# Quantity-based balances carry the nil credit-type UUID (SDK 4.12 docstring).
QUANTITY_CREDIT_TYPE_ID = "00000000-0000-0000-0000-000000000000"
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}
_FIAT_NAME = re.compile(r"^([A-Z]{3})(?: \((cents)\))?$")


@dataclass(frozen=True, slots=True)
class CreditUnit:
    """How one credit type's raw amounts are read: divide by 10**scale, show `places` places."""

    id: str | None
    label: str  # column header: "USD", "Seat credits", "Seat units"
    raw_unit: str  # what the raw number counts, for CSV headers: "USD cents", "Seat credits"
    symbol: str = ""
    scale: int = 0
    places: int | None = None  # None: as many as Metronome sent

    def shown(self, raw: Decimal) -> Decimal:
        value = raw.scaleb(-self.scale) if self.scale else raw
        return value.quantize(Decimal(1).scaleb(-self.places)) if self.places is not None else value


def unit_for(credit_type: CreditType) -> CreditUnit:
    match = _FIAT_NAME.match(credit_type.name.strip())
    if credit_type.is_currency and match:
        code, cents = match.groups()
        return CreditUnit(
            id=credit_type.id,
            label=code,
            raw_unit=f"{code} cents" if cents else code,
            symbol=CURRENCY_SYMBOLS.get(code, f"{code} "),
            scale=2 if cents else 0,
            places=2,
        )
    return CreditUnit(id=credit_type.id, label=credit_type.name, raw_unit=credit_type.name)


def unknown_unit(credit_type_id: str | None) -> CreditUnit:
    if credit_type_id == QUANTITY_CREDIT_TYPE_ID:
        return CreditUnit(id=credit_type_id, label="Seat units", raw_unit="seat units")
    if credit_type_id is None:
        return CreditUnit(id=None, label="Credit type not given", raw_unit="units")
    short = credit_type_id if len(credit_type_id) <= 12 else f"{credit_type_id[:8]}…"
    return CreditUnit(id=credit_type_id, label=f"Credit type {short}", raw_unit="units")


def credit_type_units() -> dict[str, CreditUnit]:
    """Credit type ID -> unit. Names only make the page friendlier, so a failure gives {}."""
    try:
        fetched = cached_fetch(
            cache_key("metronome", RECORDS_SHAPE, "credit-units"),
            lambda: {t.id: unit_for(t) for t in metronome_client().list_credit_types()},
            fresh_seconds=CREDIT_TYPES_FRESH_SECONDS,
            provider=PROVIDER,
        )
    except UpstreamError as error:
        logger.warning("Metronome credit types unavailable: %s", error)
        return {}
    return fetched.value


def unit_of(credit_type_id: str | None, units: dict[str, CreditUnit]) -> CreditUnit:
    return units.get(credit_type_id or "") or unknown_unit(credit_type_id)


LEDGER_ENTRY_WORDS = {
    "SEGMENT_START": "Segment start",
    "AUTOMATED_INVOICE_DEDUCTION": "Invoice deduction",
    "ROLLOVER": "Rollover",
    "EXPIRATION": "Expiration",
    "CANCELED": "Canceled",
    "CREDITED": "Credited",
    "MANUAL": "Manual adjustment",
    "SEAT_BASED_ADJUSTMENT": "Seat adjustment",
}


def ledger_entry_words(code: str) -> str:
    """`PREPAID_COMMIT_AUTOMATED_INVOICE_DEDUCTION` -> "Invoice deduction"; unknown codes in
    sentence case rather than hidden."""
    for prefix in ("PREPAID_COMMIT_", "POSTPAID_COMMIT_", "CREDIT_"):
        if code.startswith(prefix):
            rest = code[len(prefix) :]
            return LEDGER_ENTRY_WORDS.get(rest) or rest.replace("_", " ").capitalize()
    return code.replace("_", " ").capitalize()
