"""The sandbox's own data: customers with aliases, seat events as received, balances they imply."""

from __future__ import annotations

from django.db import models


class Customer(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    sequence_account_id = models.CharField(max_length=64)
    legal_name = models.CharField(max_length=300)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.legal_name


class CustomerAlias(models.Model):
    customer = models.ForeignKey(Customer, related_name="aliases", on_delete=models.CASCADE)
    value = models.CharField(max_length=200, unique=True)

    def __str__(self) -> str:
        return self.value


class SeatEvent(models.Model):
    """An event as Sequence received it; `seq` is the order of receipt (it decides superseding)."""

    id = models.CharField(primary_key=True, max_length=64)
    seq = models.BigIntegerField(unique=True)
    customer = models.ForeignKey(Customer, related_name="events", on_delete=models.CASCADE)
    customer_alias = models.CharField(max_length=200)
    customer_event_id = models.CharField(max_length=200, db_index=True)
    seat_type = models.CharField(max_length=100)
    event_timestamp = models.DateTimeField()
    total = models.IntegerField()
    received_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["customer", "seat_type"]),
            models.Index(fields=["event_timestamp", "seq"]),
        ]

    def __str__(self) -> str:
        return f"{self.customer_alias} {self.seat_type}={self.total} at {self.event_timestamp:%Y-%m-%d}"


class SeatBalance(models.Model):
    """A (customer, seat type) balance, kept in step with the events by `rules.refresh_balances`."""

    customer = models.ForeignKey(Customer, related_name="balances", on_delete=models.CASCADE)
    seat_type = models.CharField(max_length=100)
    total = models.IntegerField()
    change_timestamp = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "seat_type"], name="one_balance_per_seat_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.seat_type}={self.total}"


class FaultConfig(models.Model):
    """Faults the sandbox injects into its API answers (one row); see `faults.py`."""

    delay_ms = models.PositiveIntegerField(default=0)
    error_rate = models.FloatField(default=0.0)
    error_status = models.PositiveSmallIntegerField(default=503)
    rate_limit_rate = models.FloatField(default=0.0)
    retry_after = models.PositiveIntegerField(default=1)
    malformed_rate = models.FloatField(default=0.0)
    drip_ms = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return "sandbox faults"


class RequestLog(models.Model):
    """One row per API request, so tests and benchmarks in any process can count upstream calls."""

    method = models.CharField(max_length=10)
    path = models.CharField(max_length=200)
    status = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"


def request_count(path_prefix: str | None = None) -> int:
    requests = RequestLog.objects.all()
    if path_prefix:
        requests = requests.filter(path__startswith=path_prefix)
    return requests.count()
