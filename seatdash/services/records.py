"""The provider records the pages read, re-exported so that pages never import a client module.

Like `services/errors.py` for the error tree: views, forms and exports take these names from here.
"""

from __future__ import annotations

from seatdash.clients.metronome import Subscription
from seatdash.clients.sequence import CustomerBalances

__all__ = ["CustomerBalances", "Subscription"]
