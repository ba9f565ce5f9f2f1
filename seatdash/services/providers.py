"""The provider clients the services call, as the composition root (`seatdash.wiring`) supplies them.

Services never choose a transport and never import a sandbox: `wiring.install()`, run once at
start-up, hands the factories over with `supply()`.
"""

from __future__ import annotations

from collections.abc import Callable

from seatdash.clients.metronome import MetronomeClient
from seatdash.clients.sequence import SequenceClient

_sequence: Callable[[], SequenceClient] | None = None
_metronome: Callable[[], MetronomeClient] | None = None


def supply(
    *, sequence: Callable[[], SequenceClient], metronome: Callable[[], MetronomeClient]
) -> None:
    global _sequence, _metronome
    _sequence, _metronome = sequence, metronome


def sequence_client() -> SequenceClient:
    if _sequence is None:
        raise RuntimeError("No Sequence client supplied: seatdash.wiring.install() has not run.")
    return _sequence()


def metronome_client() -> MetronomeClient:
    if _metronome is None:
        raise RuntimeError("No Metronome client supplied: seatdash.wiring.install() has not run.")
    return _metronome()
