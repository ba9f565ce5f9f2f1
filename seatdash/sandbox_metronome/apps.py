"""App config of the Metronome-compatible sandbox API."""

from __future__ import annotations

from django.apps import AppConfig


class SandboxMetronomeConfig(AppConfig):
    name = "seatdash.sandbox_metronome"
    label = "sandbox_metronome"
    verbose_name = "Metronome sandbox"
