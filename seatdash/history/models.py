"""Seat history held locally: every seat event Sequence lists, and what the pages read of it.

Sequence stays the source; these tables are a durable cache of `GET /seat-events` that the sync
(sync.py) writes and reconciles, and that the pages read through queries.py. Only the sync writes.
"""

from __future__ import annotations

from django.db import models


class HeldCustomer(models.Model):
    """A Sequence customer as `/seat-balances` last named it (for names, aliases and links)."""

    id = models.CharField(primary_key=True, max_length=100)
    sequence_account_id = models.CharField(max_length=100)
    legal_name = models.CharField(max_length=500)

    def __str__(self) -> str:
        return self.legal_name


class HeldAlias(models.Model):
    """An alias events may be sent with (a customer's own ID counts as one), and its customer."""

    value = models.CharField(primary_key=True, max_length=200)
    customer_id = models.CharField(max_length=100, db_index=True)

    def __str__(self) -> str:
        return self.value


class SeatEvent(models.Model):
    """One event as `GET /seat-events` listed it, every field of the spec, stored once by its ID.

    `position` is its place in Sequence's receipt order as the sync saw it (higher = received
    later; see sync.py). `superseded_by` is the later-received event with the same
    customerEventId, when there is one. `customer_id` is resolved from the alias it was sent with.
    """

    id = models.CharField(primary_key=True, max_length=100)
    customer_event_id = models.CharField(max_length=200, db_index=True)
    customer_alias = models.CharField(max_length=200)
    seat_type = models.CharField(max_length=100)
    sequence_account_id = models.CharField(max_length=100)
    event_timestamp = models.DateTimeField()
    total = models.BigIntegerField()
    position = models.BigIntegerField(unique=True)
    customer_id = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001 (None: not resolved yet)
    superseded = models.BooleanField(default=False)
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="supersedes",
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["customer_id", "seat_type", "event_timestamp", "position"],
                name="history_event_customer_time",
            ),
            models.Index(fields=["event_timestamp"], name="history_event_time"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_alias} {self.seat_type}={self.total} at {self.event_timestamp:%Y-%m-%d}"


class SeatChange(models.Model):
    """One point of the effective change series of a (customer, seat type).

    Effective events only (superseded ones left out), in time order, ties by receipt: `total` is
    what the customer held from `event_timestamp` on, `change` its difference from the previous
    point (from 0 for the first), `reached_at` when that total was reached (the change timestamp
    the balance would show if this were the last point).
    """

    customer_id = models.CharField(max_length=100)
    seat_type = models.CharField(max_length=100)
    event = models.OneToOneField(
        SeatEvent, on_delete=models.DO_NOTHING, db_constraint=False, related_name="change"
    )
    event_timestamp = models.DateTimeField()
    position = models.BigIntegerField()
    total = models.BigIntegerField()
    change = models.BigIntegerField()
    reached_at = models.DateTimeField()

    class Meta:
        indexes = [
            # "Latest point at or before T" for one or every (customer, seat type).
            models.Index(
                fields=["customer_id", "seat_type", "event_timestamp", "position"],
                name="history_change_asof",
            ),
            # "Changes between T1 and T2" across customers.
            models.Index(fields=["event_timestamp", "customer_id"], name="history_change_window"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.seat_type} {self.change:+d} -> {self.total}"


class HeldBalance(models.Model):
    """The balance the held events give a (customer, seat type) now: the series' last point."""

    customer_id = models.CharField(max_length=100)
    seat_type = models.CharField(max_length=100)
    total = models.BigIntegerField()
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer_id", "seat_type"], name="history_one_balance_per_seat_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.seat_type}={self.total}"


class DirtyPair(models.Model):
    """A (customer alias, seat type) whose change series must be rebuilt: written with the page
    that touched it, cleared with the rebuild, so a crash between the two loses nothing."""

    customer_alias = models.CharField(max_length=200)
    seat_type = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer_alias", "seat_type"], name="history_dirty_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_alias} {self.seat_type}"


class SyncChain(models.Model):
    """A walk down the listing (newest first) not finished yet: where it resumes and with which
    receipt positions. Written in each page's transaction; deleted when the walk ends."""

    epoch = models.BigIntegerField()
    cursor = models.TextField(null=True, blank=True)  # noqa: DJ001 (None: from the top)
    next_index = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"chain {self.epoch} at {self.next_index}"


class SyncState(models.Model):
    """The sync's state, one row (pk=1): the lease, the running sync's progress, the last run."""

    # The lease: at most one sync holds it; a crashed holder's lease expires.
    lease_owner = models.CharField(max_length=64, blank=True, default="")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    next_epoch = models.BigIntegerField(default=1)
    # The running sync (running=True) or the last one.
    running = models.BooleanField(default=False)
    phase = models.CharField(max_length=40, blank=True, default="")
    full = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    events_read = models.BigIntegerField(default=0)
    new_events = models.BigIntegerField(default=0)
    pages = models.BigIntegerField(default=0)
    calls = models.BigIntegerField(default=0)
    total_hint = models.BigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    # The last sync that finished without error: what "history synced 14:02 UTC" shows.
    synced_at = models.DateTimeField(null=True, blank=True)
    sync_requested_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return "seat history sync state"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class Reconciliation(models.Model):
    """One comparison of the held balances with a fresh `/seat-balances` read."""

    checked_at = models.DateTimeField()
    customers = models.PositiveIntegerField()
    agreeing = models.PositiveIntegerField()
    retried = models.BooleanField(default=False)
    seconds = models.FloatField(default=0.0)

    def __str__(self) -> str:
        return f"{self.agreeing} of {self.customers} agree ({self.checked_at:%Y-%m-%d %H:%M})"

    @property
    def differing(self) -> int:
        return self.customers - self.agreeing


class Difference(models.Model):
    """A customer and seat type where the held events and Sequence disagree, with both numbers."""

    reconciliation = models.ForeignKey(
        Reconciliation, related_name="differences", on_delete=models.CASCADE
    )
    customer_id = models.CharField(max_length=100)
    legal_name = models.CharField(max_length=500, blank=True, default="")
    seat_type = models.CharField(max_length=100)
    held_total = models.BigIntegerField()
    sequence_total = models.BigIntegerField()
    held_changed_at = models.DateTimeField(null=True, blank=True)
    sequence_changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.customer_id} {self.seat_type}: {self.held_total} vs {self.sequence_total}"
