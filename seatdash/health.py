"""TEMPORARY STUB until the production branch lands: records the upstream's last known state."""

from __future__ import annotations


def record_upstream_state(ok: bool) -> None:
    pass
