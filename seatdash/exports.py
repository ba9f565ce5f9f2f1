"""CSV export of seat balances: streamed row by row, RFC 4180 quoting, formula-safe text cells."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from seatdash.clients.sequence import CustomerBalances

BALANCE_COLUMNS = (
    "customer_id",
    "legal_name",
    "aliases",
    "seat_type",
    "seats",
    "changed_at",
    "fetched_at",
)
# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
ALIAS_SEPARATOR = "; "
# Lines per chunk handed to the server: one write per line would cost a WSGI round trip each.
LINES_PER_CHUNK = 500
# Excel reads a CSV as UTF-8 only when it starts with a byte order mark; names are not all ASCII.
BOM = "\ufeff"


def neutralise(text: str) -> str:
    """Text a spreadsheet will show, not run: a leading formula character gets a `'` before it."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def balance_csv_chunks(
    customers: Iterable[CustomerBalances],
    *,
    seat_types: tuple[str, ...],
    fetched_at: datetime,
) -> Iterator[str]:
    """The CSV text in chunks of LINES_PER_CHUNK lines, for a streaming response."""
    chunk: list[str] = []
    for line in balance_csv_lines(customers, seat_types=seat_types, fetched_at=fetched_at):
        chunk.append(line)
        if len(chunk) == LINES_PER_CHUNK:
            yield "".join(chunk)
            chunk.clear()
    if chunk:
        yield "".join(chunk)


def balance_csv_lines(
    customers: Iterable[CustomerBalances],
    *,
    seat_types: tuple[str, ...],
    fetched_at: datetime,
) -> Iterator[str]:
    """One line per customer and seat type (only `seat_types` when given), header first.

    A customer holding no seats of the selected types still gets one line, with no seat type and
    0 seats, so the file lists exactly the customers the filters selected.
    """
    # QUOTE_NONNUMERIC quotes every text cell and leaves seat counts as numbers.
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    yield BOM + writer.writerow(BALANCE_COLUMNS)
    fetched = _iso(fetched_at)
    for customer in customers:
        identity = (
            neutralise(customer.id),
            neutralise(customer.legal_name),
            neutralise(ALIAS_SEPARATOR.join(customer.aliases)),
        )
        balances = [
            balance
            for balance in customer.balances
            if not seat_types or balance.seat_type in seat_types
        ]
        if not balances:
            yield writer.writerow((*identity, "", 0, _iso(customer.changed_at), fetched))
        for balance in balances:
            yield writer.writerow(
                (
                    *identity,
                    neutralise(balance.seat_type),
                    int(balance.total),
                    _iso(balance.changed_at),
                    fetched,
                )
            )
