"""Records: our hand-written parsing against msgspec's typed decoding, on the shapes we fetch.

Sequence: the whole GET /seat-balances snapshot (100,000 customers by default) as the client gets
it, pages of 100 in the OpenAPI shape; Metronome: seatBalances/list pages (100 seats each, every
seat with commits, a credit and ledger entries). For each: decode + validate time (median of 3),
peak Python memory while the records are built and kept (tracemalloc), lines of parsing code, and
the message a bad field gives. msgspec runs two ways: as a bare typed decode into its own Structs
(the ceiling), and followed by what adopting it would take to keep today's behaviour (timestamps
made UTC, integral floats read as int, the records the rest of the code uses).

msgspec is not a dependency of the project; without it the hand figures alone are printed
(`uv pip install msgspec` to compare).

Over 300 lines because the msgspec schema for both providers lives here, beside the bodies it
decodes, so that its line count is measured from the code that ran.
"""

from __future__ import annotations

import gc
import inspect
import json
import statistics
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

from bench.data import customers
from seatdash.clients.errors import UpstreamBadPayload
from seatdash.clients.metronome import records as metronome_records
from seatdash.clients.metronome.records import parse_seat_balances_page
from seatdash.clients.sequence import CustomerBalances, SeatBalance
from seatdash.clients.sequence import records as sequence_records
from seatdash.clients.sequence.records import parse_customer_balances, parse_page

try:
    import msgspec
except ImportError:  # pragma: no cover - the comparison is optional
    msgspec = None

ENDPOINT = "GET /seat-balances"
PAGE_SIZE = 100
METRONOME_SEATS = 20_000


# --- the bodies the providers would send ---------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sequence_pages(count: int) -> list[bytes]:
    """GET /seat-balances pages of 100, in the spec's shape, from the benchmarks' synthetic customers."""
    items = [
        {
            "id": c.id,
            "sequenceAccountId": c.sequence_account_id,
            "legalName": c.legal_name,
            "customerAliases": list(c.aliases),
            "total": c.total,
            "changeTimestamp": _iso(c.changed_at),
            "balances": [
                {"seatType": b.seat_type, "total": b.total, "changeTimestamp": _iso(b.changed_at)}
                for b in c.balances
            ],
        }
        for c in customers(count)
    ]
    pages = []
    for start in range(0, len(items), PAGE_SIZE):
        last = start + PAGE_SIZE >= len(items)
        pagination = {"after": None if last else f"cursor-{start}", "totalResultSize": len(items)}
        pages.append(
            json.dumps({"items": items[start : start + PAGE_SIZE], "pagination": pagination})
        )
    return [page.encode() for page in pages]


def metronome_pages(seats: int) -> list[bytes]:
    """seatBalances/list pages of 100 seats in the current shape (commits, credits, ledgers)."""

    def grant(kind: str, seat: int, i: int) -> dict:
        return {
            "id": f"{kind}-{seat}-{i}",
            "balance": 1250.5,
            "start_date": "2026-01-01T00:00:00Z",
            "end_date": "2027-01-01T00:00:00Z",
            "credit_type_id": "2714e483-4ff1-48e4-9e25-ac732e8f24f2",
            "access_type": "SHARED",
            "ledger_entries": [
                {"type": "PREPAID_COMMIT_SEGMENT_START", "amount": 2000, "timestamp": "2026-01-01T00:00:00Z"},
                {"type": "PREPAID_COMMIT_AUTOMATED_INVOICE_DEDUCTION", "amount": -749.5, "timestamp": "2026-02-01T00:00:00Z"},
            ],
        }  # fmt: skip

    pages = []
    for start in range(0, seats, PAGE_SIZE):
        data = [
            {
                "seat_id": f"seat-{n}",
                "balances": [
                    {
                        "credit_type_id": "2714e483-4ff1-48e4-9e25-ac732e8f24f2",
                        "balance": 2501,
                        "starting_balance": 4000,
                        "access_type": "SHARED",
                    }
                ],
                "commits": [grant("commit", n, 0), grant("commit", n, 1)],
                "credits": [grant("credit", n, 0)],
            }
            for n in range(start, min(start + PAGE_SIZE, seats))
        ]
        last = start + PAGE_SIZE >= seats
        pages.append(json.dumps({"data": data, "pagination": {"next_page": None if last else "c"}}))
    return [page.encode() for page in pages]


# --- today's hand parsing ------------------------------------------------------------------------


def hand_sequence(pages: list[bytes]) -> list[CustomerBalances]:
    found: list[CustomerBalances] = []
    for body in pages:
        items, _ = parse_page(json.loads(body), ENDPOINT, parse_customer_balances)
        found.extend(items)
    return found


def hand_metronome(pages: list[bytes]) -> list:
    found: list = []
    for body in pages:
        seats, _ = parse_seat_balances_page(json.loads(body))
        found.extend(seats)
    return found


# --- msgspec: the schema it would need -------------------------------------------------- msgspec
if msgspec is not None:

    class MsSeatBalance(msgspec.Struct, frozen=True):
        seat_type: str = msgspec.field(name="seatType")
        total: int
        changed_at: datetime = msgspec.field(name="changeTimestamp")

    class MsCustomer(msgspec.Struct, frozen=True):
        id: str
        sequence_account_id: str = msgspec.field(name="sequenceAccountId")
        legal_name: str = msgspec.field(name="legalName")
        aliases: tuple[str, ...] = msgspec.field(name="customerAliases")
        total: int
        changed_at: datetime = msgspec.field(name="changeTimestamp")
        balances: tuple[MsSeatBalance, ...]

    class MsPagination(msgspec.Struct, frozen=True):
        after: str | None = None
        before: str | None = None
        total_result_size: int | None = msgspec.field(default=None, name="totalResultSize")

    class MsPage(msgspec.Struct, frozen=True):
        items: list[MsCustomer]
        pagination: MsPagination | None = None

    class MsLedger(msgspec.Struct, frozen=True):
        type: str
        amount: Decimal
        timestamp: datetime

    class MsGrant(msgspec.Struct, frozen=True):
        id: str
        balance: Decimal
        start_date: datetime
        end_date: datetime | None = None
        credit_type_id: str | None = None
        access_type: str | None = None
        ledger_entries: tuple[MsLedger, ...] = ()

    class MsCreditTypeBalance(msgspec.Struct, frozen=True):
        balance: Decimal
        starting_balance: Decimal
        credit_type_id: str
        access_type: str | None = None

    class MsSeat(msgspec.Struct, frozen=True):
        seat_id: str
        balances: tuple[MsCreditTypeBalance, ...]
        commits: tuple[MsGrant, ...] = ()
        credits: tuple[MsGrant, ...] = ()

    class MsNext(msgspec.Struct, frozen=True):
        next_page: str | None = None

    class MsSeatPage(msgspec.Struct, frozen=True):
        data: list[MsSeat]
        pagination: MsNext | None = None

    _sequence_decoder = msgspec.json.Decoder(MsPage)
    _metronome_decoder = msgspec.json.Decoder(MsSeatPage)

    def msgspec_sequence(pages: list[bytes]) -> list:
        found: list = []
        for body in pages:
            found.extend(_sequence_decoder.decode(body).items)
        return found

    def msgspec_metronome(pages: list[bytes]) -> list:
        found: list = []
        for body in pages:
            found.extend(_metronome_decoder.decode(body).data)
        return found

    def _utc(moment: datetime) -> datetime:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

    def msgspec_sequence_as_today(pages: list[bytes]) -> list[CustomerBalances]:
        """The decode plus what keeping today's records and UTC timestamps would add."""
        found: list[CustomerBalances] = []
        for body in pages:
            for c in _sequence_decoder.decode(body).items:
                found.append(
                    CustomerBalances(
                        id=c.id,
                        sequence_account_id=c.sequence_account_id,
                        legal_name=c.legal_name,
                        aliases=c.aliases,
                        total=c.total,
                        changed_at=_utc(c.changed_at),
                        balances=tuple(
                            SeatBalance(b.seat_type, b.total, _utc(b.changed_at))
                            for b in c.balances
                        ),
                    )
                )
        return found


# --- msgspec: end -----------------------------------------------------------------------------


def _timed(fn: Callable[[], object], repeat: int = 3) -> float:
    samples = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _peak_mb(fn: Callable[[], object]) -> float:
    gc.collect()
    tracemalloc.start()
    kept = fn()  # noqa: F841 - the records stay alive, as the snapshot keeps them
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def _code_lines(source: str) -> int:
    return sum(
        1
        for line in source.splitlines()
        if line.strip() and not line.strip().startswith("#") and not line.strip().startswith('"""')
    )


def _hand_lines(module, marker: str) -> int:
    source = inspect.getsource(module)
    return _code_lines(source.split(marker, 1)[1])


def _msgspec_lines() -> tuple[int, int]:
    """(schema + decode, the conversion keeping today's records) in this module."""
    source = inspect.getsource(inspect.getmodule(_timed))
    section = source.split("if msgspec is not None:\n", 1)[1].split("# --- msgspec: end", 1)[0]
    schema, convert = section.split("    def _utc(", 1)
    return _code_lines(schema), _code_lines("    def _utc(" + convert)


def _bad_page() -> bytes:
    page = json.loads(sequence_pages(PAGE_SIZE)[0])
    page["items"][3]["balances"][0]["total"] = "10"
    return json.dumps(page).encode()


def _missing_page() -> bytes:
    page = json.loads(sequence_pages(PAGE_SIZE)[0])
    del page["items"][3]["legalName"]
    return json.dumps(page).encode()


def _messages(body: bytes) -> tuple[str, str]:
    try:
        hand_sequence([body])
        hand = "accepted"
    except UpstreamBadPayload as exc:
        hand = str(exc)
    if msgspec is None:
        return hand, "(msgspec not installed)"
    try:
        msgspec_sequence([body])
        return hand, "accepted"
    except msgspec.ValidationError as exc:
        return hand, str(exc)


def _report(rows: list[tuple[str, Callable[[], object]]]) -> None:
    for label, fn in rows:
        print(f"    {label:<40} {_timed(fn):6.2f} s   peak {_peak_mb(fn):6.1f} MB")


def run(sizes: list[int]) -> None:
    size = max(sizes)
    pages = sequence_pages(size)
    megabytes = sum(map(len, pages)) / 1e6
    print(
        f"  Sequence: {size:,} customers in {len(pages):,} pages of {PAGE_SIZE}, {megabytes:.1f} MB JSON"
    )
    rows = [("hand: json.loads + parse_page", lambda: hand_sequence(pages))]
    if msgspec is not None:
        rows += [
            ("msgspec: typed decode into Structs", lambda: msgspec_sequence(pages)),
            ("msgspec + today's records, UTC", lambda: msgspec_sequence_as_today(pages)),
        ]
    _report(rows)

    seats = metronome_pages(METRONOME_SEATS)
    megabytes = sum(map(len, seats)) / 1e6
    print(
        f"  Metronome: {METRONOME_SEATS:,} seats (3 grants, 6 ledger entries each), {megabytes:.1f} MB JSON"
    )
    rows = [("hand: json.loads + PayloadReader", lambda: hand_metronome(seats))]
    if msgspec is not None:
        rows += [("msgspec: typed decode into Structs", lambda: msgspec_metronome(seats))]
    _report(rows)

    hand_seq = _hand_lines(sequence_records, "# --- response parsing")
    hand_met = _hand_lines(metronome_records, "# --- Parsing")
    print(
        f"  parsing code lines (no blanks/comments): hand Sequence {hand_seq}, Metronome {hand_met}"
    )
    if msgspec is not None:
        schema, convert = _msgspec_lines()
        print(
            f"    msgspec schema + decoders for both: {schema}; conversion to today's records: {convert}"
        )
        print(
            "    (msgspec alone does not: read naive or offset timestamps as UTC, accept 10.0 as 10,"
        )
        print(
            "     read the older scalar Metronome shape, reject non-finite decimals, name the item's id)"
        )
    for label, body in (("wrong type", _bad_page()), ("missing field", _missing_page())):
        hand, other = _messages(body)
        print(f"  {label}:\n    hand:    {hand}\n    msgspec: {other}")
