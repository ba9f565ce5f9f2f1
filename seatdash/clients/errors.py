"""The error tree every provider client raises; httpx exceptions never escape a client."""

from __future__ import annotations


class UpstreamError(Exception):
    """A provider call failed. `provider` names the provider, `endpoint` the call that failed."""

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        endpoint: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.endpoint = endpoint
        self.status = status


class UpstreamUnavailable(UpstreamError):
    """Connection errors, timeouts, the call deadline, 5xx: worth serving stale data for."""


class UpstreamRateLimited(UpstreamUnavailable):
    """429 after the retries allowed; `retry_after` is the provider's hint in seconds, if any."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class UpstreamUnauthorized(UpstreamError):
    """401 or 403: the credentials are wrong or lack access. Never retried."""


class UpstreamNotFound(UpstreamError):
    """404: the thing asked for does not exist upstream."""


class UpstreamRejected(UpstreamError):
    """Any other 4xx; `message` carries the provider's own explanation."""


class UpstreamBadPayload(UpstreamError):
    """A 2xx whose body is not JSON or lacks a required field; names the endpoint and the field."""
