"""Metronome's seat balances, customers and contracts: the client, its query and its records."""

from seatdash.clients.metronome.client import (
    MAX_CUSTOMER_IDS_PER_CALL,
    MetronomeClient,
    metronome_error_message,
)
from seatdash.clients.metronome.contracts import (
    Contract,
    CreditType,
    MetronomeCustomer,
    QuantityPeriod,
    SeatPeriod,
    Subscription,
)
from seatdash.clients.metronome.query import (
    DEFAULT_SEAT_LIMIT,
    MAX_SEAT_LIMIT,
    MetronomeQueryError,
    SeatBalanceQuery,
)
from seatdash.clients.metronome.records import (
    PROVIDER,
    CommitOrCredit,
    CreditTypeBalance,
    LedgerEntry,
    SeatBalanceRecord,
)

__all__ = [
    "DEFAULT_SEAT_LIMIT",
    "MAX_CUSTOMER_IDS_PER_CALL",
    "MAX_SEAT_LIMIT",
    "PROVIDER",
    "CommitOrCredit",
    "Contract",
    "CreditType",
    "CreditTypeBalance",
    "LedgerEntry",
    "MetronomeClient",
    "MetronomeCustomer",
    "MetronomeQueryError",
    "QuantityPeriod",
    "SeatBalanceQuery",
    "SeatBalanceRecord",
    "SeatPeriod",
    "Subscription",
    "metronome_error_message",
]
