"""The seat-events sync: Sequence's `GET /seat-events` into the history tables, resumably.

How it walks the listing (newest first, Sequence's default creation-time order, pages of 100):
- Each run starts a *chain* at the top and follows `pagination.after` until a page holds only
  events already stored (or the listing ends). A fresh store therefore reads everything; a synced
  one reads ⌈new events / 100⌉ + 1 pages.
- A chain's cursor and next receipt index are written in the same transaction as its page's rows,
  so a run that crashes or is interrupted leaves its chain behind; the next run first walks a new
  chain from the top (events received meanwhile), then continues every unfinished chain from its
  cursor. Nothing is read twice and nothing is skipped.
- Sequence shows no creation time, so each event's receipt `position` comes from the listing:
  chain *epoch* * 2**36 minus its index in the chain. Every run takes a higher epoch than any before,
  so new events rank above everything held; within a chain, earlier in the listing ranks higher.
- Each page: one transaction that inserts the events not held (an event ID is stored once),
  re-marks superseding for the customerEventIds it touched, notes the touched (alias, seat type)
  pairs, moves the chain, and renews the lease (a lease row: two syncs never run at once).
- After the chains: a fresh `/seat-balances` read names customers and their aliases, the touched
  customers' change series and balances are rebuilt by the shared balance rule, and reconcile.py
  compares them with that read.

Over 300 lines because the walk, the page transaction, the lease and the rebuild share the chain
state; splitting the rebuild out is the next step.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from seatdash.balance_rule import (
    EventFacts,
    balance_from_series,
    change_series,
    is_effective,
    latest_receipts,
)
from seatdash.clients.errors import UpstreamError
from seatdash.clients.sequence import CustomerBalances, EventPage, EventQuery, SequenceClient
from seatdash.history.models import (
    DirtyPair,
    HeldAlias,
    HeldBalance,
    HeldCustomer,
    Reconciliation,
    SeatChange,
    SeatEvent,
    SyncChain,
    SyncState,
)

logger = logging.getLogger(__name__)

PAGE_SIZE = 100
EPOCH_SPAN = 2**36  # receipt indexes per chain; a chain of 68 billion events is not data
REBUILD_BATCH = 500  # customers whose series are rebuilt in one transaction
FULL_REBUILD_PAIRS = 20_000  # more dirty (alias, seat type) pairs than this: rebuild everything
FULL_REBUILD_CUSTOMERS = 5000  # customers read per range in a full rebuild
SUPERSEDED_ELSEWHERE = -1  # no receipt position is negative: "the latest is another event"
_NO_TIME = datetime(1970, 1, 1, tzinfo=UTC)  # superseding depends on receipt order only
WRITE_BATCH = 2000
NEWEST_FIRST = EventQuery(sort_order="DESC")


def sequence_client() -> SequenceClient:
    """The process's Sequence client, built where the services build theirs (one place to move)."""
    from seatdash.services.providers import sequence_client as provided

    return provided()


class LeaseLost(Exception):
    """This sync's lease expired and another sync took it; this one stops without writing."""


@dataclass
class SyncProgress:
    """What a running sync reports after each step (the command's progress bar, the page)."""

    phase: str = "events"
    pages: int = 0
    calls: int = 0
    events_read: int = 0
    new_events: int = 0
    expected_new: int | None = None


@dataclass
class SyncResult:
    status: str  # "ok", "failed" or "busy"
    seconds: float = 0.0
    pages: int = 0
    calls: int = 0
    events_read: int = 0
    new_events: int = 0
    error: str = ""
    reconciliation: Reconciliation | None = None
    timings: dict[str, float] = field(default_factory=dict)


ProgressCallback = Callable[[SyncProgress], None]


def sync_once(
    *,
    full: bool = False,
    client: SequenceClient | None = None,
    progress: ProgressCallback | None = None,
) -> SyncResult:
    """One sync pass: read new events, rebuild what they touched, reconcile. Never raises for
    upstream trouble (the result and the stored state carry the error); `status="busy"` when
    another sync holds the lease."""
    return _Sync(client or sequence_client(), progress=progress).run(full=full)


# --- the lease -----------------------------------------------------------------------------------


def _lease_seconds() -> int:
    return settings.HISTORY_SYNC_LEASE_SECONDS


def acquire_lease(owner: str) -> bool:
    """Take the lease when it is free or expired (one atomic UPDATE: safe on SQLite and PostgreSQL)."""
    SyncState.objects.get_or_create(pk=1)
    now = timezone.now()
    taken = (
        SyncState.objects.filter(pk=1)
        .filter(Q(lease_owner="") | Q(lease_expires_at__lt=now) | Q(lease_expires_at=None))
        .update(lease_owner=owner, lease_expires_at=now + timedelta(seconds=_lease_seconds()))
    )
    return taken == 1


def release_lease(owner: str) -> None:
    SyncState.objects.filter(pk=1, lease_owner=owner).update(lease_owner="", lease_expires_at=None)


def sync_is_running(state: SyncState) -> bool:
    """A sync holds an unexpired lease (a killed process's lease runs out by itself)."""
    return bool(
        state.lease_owner and state.lease_expires_at and state.lease_expires_at > timezone.now()
    )


# --- one run -------------------------------------------------------------------------------------


class _Sync:
    def __init__(self, client: SequenceClient, *, progress: ProgressCallback | None) -> None:
        self.client = client
        self.report = progress or (lambda _progress: None)
        self.owner = secrets.token_hex(16)
        self.progress = SyncProgress()
        self.timings: dict[str, float] = {}

    def run(self, *, full: bool) -> SyncResult:
        if not acquire_lease(self.owner):
            return SyncResult(status="busy", error="Another sync is running.")
        started = time.monotonic()
        reconciliation = None
        error = ""
        try:
            SyncState.objects.filter(pk=1).update(
                running=True,
                full=full,
                phase="events",
                started_at=timezone.now(),
                finished_at=None,
                events_read=0,
                new_events=0,
                pages=0,
                calls=0,
                total_hint=None,
                error="",
            )
            if full:
                self._wipe()
            self._timed("events", self._read_events)
            reconciliation = self._timed("reconcile", self._reconcile)
        except (UpstreamError, LeaseLost) as exc:
            error = str(exc)
            logger.warning("history_sync_failed error=%s", error)
        except KeyboardInterrupt:
            error = "Interrupted; the next run resumes where this one stopped."
            self._finish(started, error)
            raise
        except Exception as exc:
            # The page shows this to every viewer: a database error's text names hosts and users,
            # so only its kind is stored; the traceback goes to the log.
            logger.exception("history_sync_crashed")
            error = f"Internal error ({type(exc).__name__}); the details are in the worker's log."
            self._finish(started, error)
            raise
        self._finish(started, error)
        p = self.progress
        return SyncResult(
            status="failed" if error else "ok",
            seconds=time.monotonic() - started,
            pages=p.pages,
            calls=p.calls,
            events_read=p.events_read,
            new_events=p.new_events,
            error=error,
            reconciliation=reconciliation,
            timings=self.timings,
        )

    def _timed(self, name: str, step: Callable):
        began = time.monotonic()
        try:
            return step()
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.monotonic() - began

    def _finish(self, started: float, error: str) -> None:
        p = self.progress
        now = timezone.now()
        fields = {
            "running": False,
            "phase": "",
            "finished_at": now,
            "events_read": p.events_read,
            "new_events": p.new_events,
            "pages": p.pages,
            "calls": p.calls,
            "error": error[:2000],
        }
        if not error:
            fields["synced_at"] = now
        SyncState.objects.filter(pk=1, lease_owner=self.owner).update(**fields)
        release_lease(self.owner)

    # --- events ---------------------------------------------------------------------------------

    def _read_events(self) -> None:
        with transaction.atomic():
            # A chain without a cursor never finished a page: the new head chain covers it.
            SyncChain.objects.filter(cursor=None).delete()
            state = SyncState.objects.select_for_update().get(pk=1)
            epoch = state.next_epoch
            SyncState.objects.filter(pk=1).update(next_epoch=epoch + 1)
            SyncChain.objects.create(epoch=epoch, cursor=None, next_index=0)
        held_before = SeatEvent.objects.count()
        for chain in list(SyncChain.objects.order_by("-epoch")):
            self._walk(chain, held_before)

    def _walk(self, chain: SyncChain, held_before: int) -> None:
        while True:
            page = self._call(
                lambda: self.client.list_seat_events(
                    NEWEST_FIRST, limit=PAGE_SIZE, after=chain.cursor
                )
            )
            if page.pagination.total_result_size is not None and self.progress.expected_new is None:
                self.progress.expected_new = max(0, page.pagination.total_result_size - held_before)
            done = self._write_page(chain, page)
            self.report(self.progress)
            if done:
                return

    def _call(self, request: Callable):
        self.progress.calls += 1
        return request()

    def _write_page(self, chain: SyncChain, page: EventPage) -> bool:
        items = page.items
        p = self.progress
        with transaction.atomic():
            ids = [event.id for event in items]
            known = set(SeatEvent.objects.filter(id__in=ids).values_list("id", flat=True))
            aliases = dict(
                HeldAlias.objects.filter(
                    value__in={event.customer_alias for event in items}
                ).values_list("value", "customer_id")
            )
            new: list[tuple] = []  # rows in EVENT_FIELDS order
            new_events = []  # the events those rows hold
            for offset, event in enumerate(items):
                if event.id in known:
                    continue
                known.add(event.id)  # a page listing one ID twice stores it once
                new_events.append(event)
                new.append(
                    (
                        event.id,
                        event.customer_event_id,
                        event.customer_alias,
                        event.seat_type,
                        event.sequence_account_id,
                        event.event_timestamp,
                        event.total,
                        chain.epoch * EPOCH_SPAN - (chain.next_index + offset + 1),
                        aliases.get(event.customer_alias),
                        False,
                    )
                )
            insert_rows(SeatEvent, EVENT_FIELDS, new)
            touched = {(event.customer_alias, event.seat_type) for event in new_events}
            touched |= mark_superseded({event.customer_event_id for event in new_events})
            insert_rows(DirtyPair, ["customer_alias", "seat_type"], touched, ignore_conflicts=True)
            done = not new or not page.pagination.after
            if done:
                chain.delete()
            else:
                chain.cursor = page.pagination.after
                chain.next_index += len(items)
                chain.save(update_fields=["cursor", "next_index"])
            p.pages += 1
            p.events_read += len(items)
            p.new_events += len(new)
            self._renew(
                pages=p.pages,
                calls=p.calls,
                events_read=p.events_read,
                new_events=p.new_events,
                total_hint=p.expected_new,
            )
        return done

    def _renew(self, **fields) -> None:
        renewed = SyncState.objects.filter(pk=1, lease_owner=self.owner).update(
            lease_expires_at=timezone.now() + timedelta(seconds=_lease_seconds()), **fields
        )
        if renewed != 1:
            raise LeaseLost("This sync's lease expired and another sync took over; it stopped.")

    def _wipe(self) -> None:
        with transaction.atomic():
            for model in (SeatChange, HeldBalance, DirtyPair, SyncChain, SeatEvent):
                model.objects.all().delete()
            SyncState.objects.filter(pk=1).update(synced_at=None)

    # --- after the events -----------------------------------------------------------------------

    def _reconcile(self) -> Reconciliation:
        from seatdash.history.reconcile import compare, store_result

        self._set_phase("balances")
        customers = self._timed(
            "balances_read", lambda: self._call(lambda: self.client.list_seat_balances())
        )
        began = time.monotonic()
        store_customers(customers)
        self.timings["customers_store"] = time.monotonic() - began
        self._set_phase("series")
        self._timed("series_rebuild", self._rebuild)
        self._set_phase("reconcile")
        began = time.monotonic()
        differences = compare(customers)
        count = len(customers)
        del customers
        retried = False
        if differences:
            # Events received between the events walk and the balances read make a mismatch that
            # is not one: catch up once, re-read those customers, and report what still differs.
            retried = True
            self._read_events()
            self._rebuild()
            ids = sorted({d.customer_id for d in differences})
            wanted = set(ids)
            again = self._call(
                lambda: self.client.list_seat_balances(customer_ids=ids if len(ids) <= 100 else ())
            )
            again = [c for c in again if c.id in wanted]
            store_customers(again)
            reread = {c.id for c in again}
            differences = compare(again, include_held_only=False) + [
                d for d in differences if d.customer_id not in reread
            ]
        result = store_result(
            customers=count,
            differences=differences,
            retried=retried,
            seconds=time.monotonic() - began,
        )
        self.timings["compare"] = time.monotonic() - began
        return result

    def _rebuild(self) -> None:
        resolve_customers()
        rebuild_dirty(on_batch=lambda: self._renew())

    def _set_phase(self, phase: str) -> None:
        self.progress.phase = phase
        self._renew(phase=phase, calls=self.progress.calls)
        self.report(self.progress)


def mark_superseded(customer_event_ids: Iterable[str]) -> set[tuple[str, str]]:
    """Re-mark superseding among every held event with these customerEventIds, by the shared
    rule (the latest received counts, the others are superseded by it). Returns the (alias, seat
    type) pairs whose events changed state."""
    ceids = list(customer_event_ids)
    if not ceids:
        return set()
    groups: dict[str, list] = defaultdict(list)
    rows = SeatEvent.objects.filter(customer_event_id__in=ceids).values_list(
        "id",
        "customer_event_id",
        "position",
        "superseded_by_id",
        "customer_alias",
        "seat_type",
        named=True,
    )
    for row in rows:
        groups[row.customer_event_id].append(row)
    touched: set[tuple[str, str]] = set()
    for ceid, group in groups.items():
        if len(group) == 1 and group[0].superseded_by_id is None:
            continue
        latest_seq = latest_receipts(EventFacts(row.position, ceid, _NO_TIME, 0) for row in group)
        by_position = {row.position: row.id for row in group}
        for event_id, _, position, current, alias, seat_type in group:
            facts = EventFacts(position, ceid, _NO_TIME, 0)
            wanted = None if is_effective(facts, latest_seq) else by_position[latest_seq[ceid]]
            if current != wanted:
                SeatEvent.objects.filter(id=event_id).update(
                    superseded=wanted is not None, superseded_by_id=wanted
                )
                touched.add((alias, seat_type))
    return touched


def store_customers(customers: list[CustomerBalances]) -> None:
    """Upsert the customers and their aliases (a customer's own ID is one) from a balances read."""
    for start in range(0, len(customers), WRITE_BATCH):
        batch = customers[start : start + WRITE_BATCH]
        with transaction.atomic():
            HeldCustomer.objects.bulk_create(
                [
                    HeldCustomer(
                        id=c.id, sequence_account_id=c.sequence_account_id, legal_name=c.legal_name
                    )
                    for c in batch
                ],
                update_conflicts=True,
                unique_fields=["id"],
                update_fields=["sequence_account_id", "legal_name"],
            )
            aliases = {c.id: c.id for c in batch}
            aliases.update({alias: c.id for c in batch for alias in c.aliases})
            HeldAlias.objects.bulk_create(
                [HeldAlias(value=v, customer_id=c) for v, c in aliases.items()],
                update_conflicts=True,
                unique_fields=["value"],
                update_fields=["customer_id"],
            )


def resolve_customers() -> None:
    """Give events sent with an alias no sync knew yet their customer, and mark them for rebuild."""
    with transaction.atomic():
        unresolved = SeatEvent.objects.filter(customer_id=None)
        pairs = set(
            unresolved.filter(customer_alias__in=HeldAlias.objects.values("value"))
            .values_list("customer_alias", "seat_type")
            .distinct()
        )
        if not pairs:
            return
        unresolved.update(
            customer_id=Subquery(
                HeldAlias.objects.filter(value=OuterRef("customer_alias")).values("customer_id")[:1]
            )
        )
        insert_rows(DirtyPair, ["customer_alias", "seat_type"], pairs, ignore_conflicts=True)


def rebuild_dirty(*, on_batch: Callable[[], None] = lambda: None) -> int:
    """Rebuild the change series and balances of every customer a dirty pair names; returns how
    many customers were rebuilt. Each batch and its dirty marks go in one transaction; after an
    initial sync (or when most of the store is dirty) everything is rebuilt in one pass."""
    if DirtyPair.objects.count() > FULL_REBUILD_PAIRS:
        return rebuild_all(on_batch=on_batch)
    rebuilt = 0
    last_id = 0
    while True:
        batch = list(
            DirtyPair.objects.filter(id__gt=last_id)
            .order_by("id")
            .values_list("id", "customer_alias")[: REBUILD_BATCH * 2]
        )
        if not batch:
            return rebuilt
        last_id = batch[-1][0]
        customer_ids = set(
            HeldAlias.objects.filter(value__in={alias for _, alias in batch}).values_list(
                "customer_id", flat=True
            )
        )
        with transaction.atomic():
            rebuild_customers(customer_ids)
            DirtyPair.objects.filter(id__in=[pk for pk, _ in batch]).delete()
            on_batch()
        rebuilt += len(customer_ids)


def rebuild_all(*, on_batch: Callable[[], None] = lambda: None) -> int:
    """Rebuild every customer's series and balances in one transaction, reading the events in
    ranges of customer IDs (sequential index scans, appending inserts)."""
    with transaction.atomic():
        SeatChange.objects.all().delete()
        HeldBalance.objects.all().delete()
        ids = sorted(
            SeatEvent.objects.exclude(customer_id=None)
            .values_list("customer_id", flat=True)
            .distinct()
        )
        for start in range(0, len(ids), FULL_REBUILD_CUSTOMERS):
            chunk = ids[start : start + FULL_REBUILD_CUSTOMERS]
            events = SeatEvent.objects.filter(customer_id__gte=chunk[0], customer_id__lte=chunk[-1])
            _write_series(events)
            on_batch()
        DirtyPair.objects.all().delete()
    return len(ids)


def rebuild_customers(customer_ids: Iterable[str]) -> None:
    """Replace the change series and held balances of these customers, from their held events."""
    ids = list(customer_ids)
    if not ids:
        return
    SeatChange.objects.filter(customer_id__in=ids).delete()
    HeldBalance.objects.filter(customer_id__in=ids).delete()
    _write_series(SeatEvent.objects.filter(customer_id__in=ids))


def _write_series(events) -> None:
    """Change series and balances of the (customer, seat type) pairs of these events, by the
    shared balance rule; superseding comes from the flags mark_superseded keeps (a superseder may
    belong to another customer or seat type)."""
    rows = events.order_by().values_list(
        "customer_id",
        "seat_type",
        "id",
        "customer_event_id",
        "event_timestamp",
        "total",
        "position",
        "superseded",
    )
    by_pair: dict[tuple[str, str], list[EventFacts]] = defaultdict(list)
    latest: dict[str, int] = {}
    event_ids: dict[int, str] = {}
    for customer_id, seat_type, event_id, ceid, moment, total, position, superseded in rows:
        by_pair[(customer_id, seat_type)].append(EventFacts(position, ceid, moment, total))
        event_ids[position] = event_id
        if not superseded:
            latest[ceid] = position
        else:
            latest.setdefault(ceid, SUPERSEDED_ELSEWHERE)
    changes: list[tuple] = []
    balances: list[tuple] = []
    for (customer_id, seat_type), facts in by_pair.items():
        points = change_series(facts, latest_seq=latest)
        reached: datetime | None = None
        for index, point in enumerate(points):
            if index == 0 or point.change != 0:
                reached = point.event.event_timestamp
            changes.append(
                (
                    customer_id,
                    seat_type,
                    event_ids[point.event.seq],
                    point.event.event_timestamp,
                    point.event.seq,
                    point.total,
                    point.change,
                    reached,
                )
            )
        balance = balance_from_series(points)
        if balance is not None:
            balances.append((customer_id, seat_type, balance[0], balance[1]))
    insert_rows(SeatChange, CHANGE_FIELDS, changes)
    insert_rows(HeldBalance, ["customer_id", "seat_type", "total", "changed_at"], balances)


EVENT_FIELDS = [
    "id",
    "customer_event_id",
    "customer_alias",
    "seat_type",
    "sequence_account_id",
    "event_timestamp",
    "total",
    "position",
    "customer_id",
    "superseded",
]
CHANGE_FIELDS = [
    "customer_id",
    "seat_type",
    "event",
    "event_timestamp",
    "position",
    "total",
    "change",
    "reached_at",
]


def insert_rows(
    model: type[models.Model],
    fields: list[str],
    rows: Iterable[tuple],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """Insert plain tuples in one executemany: on 460,000 events the ORM's per-value preparation in
    bulk_create costs more than the database. Datetimes are adapted by the backend; every other
    value goes as it is. `ON CONFLICT DO NOTHING` is understood by SQLite and PostgreSQL alike."""
    rows = list(rows)
    if not rows:
        return
    quote = connection.ops.quote_name
    meta = model._meta
    model_fields = [meta.get_field(name) for name in fields]
    adapt = [
        connection.ops.adapt_datetimefield_value
        if isinstance(field, models.DateTimeField)
        else None
        for field in model_fields
    ]
    # Table and column names come from the model, quoted; every value is a parameter.
    table, columns = quote(meta.db_table), ", ".join(quote(f.column) for f in model_fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    if any(adapt):
        rows = [
            tuple(a(value) if a else value for a, value in zip(adapt, row, strict=True))
            for row in rows
        ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), WRITE_BATCH):
            cursor.executemany(sql, rows[start : start + WRITE_BATCH])
