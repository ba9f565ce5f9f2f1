"""The dashboard app: its start-up wiring runs here, once per process."""

from __future__ import annotations

from django.apps import AppConfig


class SeatdashConfig(AppConfig):
    name = "seatdash"
    verbose_name = "seatdash"

    def ready(self) -> None:
        # The login-time stamp for the absolute session lifetime is set by a signal receiver there.
        from seatdash import middleware, wiring  # noqa: F401

        wiring.install()
