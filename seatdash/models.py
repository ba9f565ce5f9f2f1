"""seatdash's own tables: the audit log of CSV exports, which also carries the export permission."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ExportAudit(models.Model):
    """One CSV export: who, when, from where, which view and filters, rows, how it ended."""

    class Outcome(models.TextChoices):
        COMPLETED = "completed", "completed"
        ABORTED = "aborted", "aborted"

    # SET_NULL keeps the trail when an account is deleted; `username` still says who it was.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now, db_index=True, help_text="UTC")
    view = models.CharField(max_length=100)
    filters = models.JSONField(default=dict, blank=True, help_text="The query parameters.")
    row_count = models.PositiveIntegerField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    client_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        permissions = [("export_csv", "Can download CSV exports")]
        verbose_name = "export audit entry"
        verbose_name_plural = "export audit log"

    def __str__(self) -> str:
        return f"{self.username} exported {self.view} at {self.at:%Y-%m-%d %H:%M:%S} UTC"
