"""The upstream error tree, as the service layer raises it: what views and templates catch.

Re-exported from `seatdash.clients.errors`, so the pages never import a client module.
"""

from __future__ import annotations

from seatdash.clients.errors import (
    UpstreamBadPayload,
    UpstreamError,
    UpstreamNotFound,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamUnauthorized,
    UpstreamUnavailable,
)

__all__ = [
    "UpstreamBadPayload",
    "UpstreamError",
    "UpstreamNotFound",
    "UpstreamRateLimited",
    "UpstreamRejected",
    "UpstreamUnauthorized",
    "UpstreamUnavailable",
]
