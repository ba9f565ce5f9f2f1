"""CSV exports: streamed in chunks, RFC 4180 quoting, formula-safe text cells, numbers kept."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal

from seatdash.services.records import CustomerBalances

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


CsvValue = str | int | float | Decimal | datetime | None


def _cell(value: CsvValue) -> str | int | float | Decimal:
    """Text neutralised, numbers kept as numbers, instants in one UTC format, None empty."""
    kind = type(value)  # exact type checks first: this runs for every cell of 100,000s of rows
    if kind is str:
        return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
    if kind is int or kind is float or kind is Decimal:
        return value
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float | Decimal):
        return value
    return neutralise(str(value))


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[CsvValue]]) -> Iterator[str]:
    """A byte-order mark and the header, then one CSV line per row (RFC 4180, CRLF)."""
    # QUOTE_NONNUMERIC quotes every text cell and leaves numbers bare, so they stay numbers.
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    yield BOM + writer.writerow(tuple(header))
    for row in rows:
        yield writer.writerow(map(_cell, row))  # no tuple per row: this runs 100,000s of times


def chunked(lines: Iterable[str], size: int = LINES_PER_CHUNK) -> Iterator[str]:
    """Lines joined into chunks of `size`, for a streaming response."""
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) == size:
            yield "".join(chunk)
            chunk.clear()
    if chunk:
        yield "".join(chunk)


class RowCounter:
    """Passes an export's rows through and counts them, for the audit log once the stream ends."""

    def __init__(self, rows: Iterable[Iterable[CsvValue]]) -> None:
        self._rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[Iterable[CsvValue]]:
        for row in self._rows:
            self.count += 1
            yield row


def csv_chunks(header: Iterable[str], rows: Iterable[Iterable[CsvValue]]) -> Iterator[str]:
    """A formula-safe CSV of `rows` under `header`, in chunks for a StreamingHttpResponse."""
    return chunked(csv_lines(header, rows))


def balance_csv_rows(
    customers: Iterable[CustomerBalances],
    *,
    seat_types: tuple[str, ...],
    fetched_at: datetime,
) -> Iterator[tuple[CsvValue, ...]]:
    """One row per customer and seat type (only `seat_types` when given).

    A customer holding no seats of the selected types still gets one row, with no seat type and
    0 seats, so the file lists exactly the customers the filters selected.
    """
    fetched = _iso(fetched_at)
    for customer in customers:
        identity = (customer.id, customer.legal_name, ALIAS_SEPARATOR.join(customer.aliases))
        balances = [
            balance
            for balance in customer.balances
            if not seat_types or balance.seat_type in seat_types
        ]
        if not balances:
            yield (*identity, "", 0, customer.changed_at, fetched)
        for balance in balances:
            yield (
                *identity,
                balance.seat_type,
                int(balance.total),
                balance.changed_at,
                fetched,
            )
