"""Demo data the Metronome sandbox serves: customers, contracts, seats, commits/credits, ledgers."""

from __future__ import annotations

import uuid

from django.db import models


class Customer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    external_id = models.CharField(max_length=200, blank=True)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class IngestAlias(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="aliases")
    # Metronome keeps ingest aliases unique across customers, so events resolve to one customer.
    value = models.CharField(max_length=200, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["customer", "position", "id"]

    def __str__(self) -> str:
        return self.value


class CreditType(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.name


class Contract(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contracts")
    # Metronome contracts need no name; blank is served as an absent `name`.
    name = models.CharField(max_length=200, blank=True)
    starting_at = models.DateTimeField()
    ending_before = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starting_at", "id"]

    def __str__(self) -> str:
        return self.name or str(self.id)


class Subscription(models.Model):
    SEAT_BASED = "SEAT_BASED"
    QUANTITY_ONLY = "QUANTITY_ONLY"
    MODES = [(SEAT_BASED, "Seat based"), (QUANTITY_ONLY, "Quantity only")]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="subscriptions")
    quantity_management_mode = models.CharField(max_length=20, choices=MODES)
    seat_group_key = models.CharField(max_length=100, blank=True)
    product_id = models.UUIDField(default=uuid.uuid4)
    product_name = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField(default=0)
    starting_at = models.DateTimeField()

    class Meta:
        ordering = ["starting_at", "id"]

    def __str__(self) -> str:
        return self.product_name


class Seat(models.Model):
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="seats")
    seat_id = models.CharField(max_length=200)

    class Meta:
        ordering = ["seat_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "seat_id"], name="mseat_unique_per_sub")
        ]

    def __str__(self) -> str:
        return self.seat_id


class Grant(models.Model):
    """A commit or a credit as it applies to one seat; its balance is the sum of its ledger."""

    COMMIT = "commit"
    CREDIT = "credit"
    KINDS = [(COMMIT, "Commit"), (CREDIT, "Credit")]
    ACCESS_TYPES = [("SPEND", "Spend"), ("QUANTITY", "Quantity")]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="grants")
    kind = models.CharField(max_length=10, choices=KINDS)
    credit_type = models.ForeignKey(CreditType, on_delete=models.PROTECT, related_name="+")
    access_type = models.CharField(max_length=10, choices=ACCESS_TYPES, default="SPEND")
    start_date = models.DateTimeField()
    end_date = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start_date", "id"]
        indexes = [models.Index(fields=["seat", "start_date"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"


class LedgerEntry(models.Model):
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="ledger_entries")
    type = models.CharField(max_length=60)
    # Money or credit units; signed, so a grant's balance is the plain sum of its entries.
    amount = models.DecimalField(max_digits=18, decimal_places=4)
    timestamp = models.DateTimeField()

    class Meta:
        ordering = ["timestamp", "id"]
        verbose_name_plural = "ledger entries"

    def __str__(self) -> str:
        return f"{self.type} {self.amount}"
